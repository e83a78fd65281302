"""Run notebooks with papermill under a named profile.

    python -m helpers.pipeline.run notebooks/01-perceptron-to-cnn/01-perceptron.ipynb --profile smoke -p EPOCHS=3
    python -m helpers.pipeline.run 01 --profile book          # a whole chapter (folder name or its number)
    python -m helpers.pipeline.run all --profile smoke        # every chapter
    python -m helpers.pipeline.run all --profile paper --list # show what would run, with which parameters

Profiles:

- ``book``  the literals in each notebook's ``parameters`` cell (what the rendered book shows);
- ``smoke`` seconds per notebook, for the tests;
- ``paper`` the source study's full scale, for a GPU machine.

``smoke`` and ``paper`` overrides live in one file per chapter, ``notebooks/<chapter>/profiles.yml``.
Executed notebooks go to ``runs/<profile>/<chapter>/<notebook>.ipynb`` with their metrics JSON
beside them (``<notebook>.metrics.json``) and a ``runs/<profile>/summary.json`` of run times.

Everything is validated before any kernel starts: an unknown profile, a parameter that the
notebook does not declare, or a value whose type differs from the declared default is an error
that names it (papermill itself only warns).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.pipeline.paths import repo_root

PROFILES = ("smoke", "book", "paper")
REQUIRED_PARAMETERS = ("SEED", "METRICS_PATH")


class RunError(ValueError):
    """A notebook run was asked for with something wrong: the message names what."""


@dataclass
class Job:
    notebook: Path
    chapter: str
    parameters: dict[str, Any] = field(default_factory=dict)
    output: Path | None = None

    @property
    def stem(self) -> str:
        return self.notebook.stem


# ---------------------------------------------------------------------------------------------
# Reading notebooks and profiles
# ---------------------------------------------------------------------------------------------

def notebooks_root() -> Path:
    return repo_root() / "notebooks"


def chapters() -> list[Path]:
    root = notebooks_root()
    if not root.is_dir():
        raise RunError(f"no notebooks folder at {root}")
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def chapter_notebooks(chapter: Path) -> list[Path]:
    return sorted(p for p in chapter.glob("*.ipynb") if not p.name.startswith("."))


def read_parameters(notebook: Path) -> dict[str, Any]:
    """The names and literal defaults of the notebook's cell tagged ``parameters``.

    The cell may hold only ``NAME = literal`` statements (and comments); anything else is an error,
    so that every default can be read, type-checked and overridden without running code.
    """
    try:
        nb = json.loads(Path(notebook).read_text())
    except FileNotFoundError:
        raise RunError(f"notebook {notebook} does not exist") from None
    except json.JSONDecodeError as err:
        raise RunError(f"notebook {notebook} is not valid JSON: {err}") from None
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunError(f"notebook {notebook} must have exactly one cell tagged 'parameters', "
                       f"found {len(cells)}")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise RunError(f"{notebook}: parameters cell is not valid Python: {err}") from None
    params: dict[str, Any] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise RunError(f"{notebook}: parameters cell line {node.lineno} is not 'NAME = literal'")
        name = node.targets[0].id
        try:
            params[name] = ast.literal_eval(node.value)
        except ValueError:
            raise RunError(f"{notebook}: parameter {name} (line {node.lineno}) is not a literal; "
                           f"the parameters cell holds only literals") from None
    missing = [p for p in REQUIRED_PARAMETERS if p not in params]
    if missing:
        raise RunError(f"{notebook}: parameters cell lacks {', '.join(missing)} "
                       f"(every notebook declares {', '.join(REQUIRED_PARAMETERS)})")
    return params


def read_profiles(chapter: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{profile: {notebook_stem: {NAME: value}}}`` from ``<chapter>/profiles.yml``."""
    import yaml

    path = chapter / "profiles.yml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise RunError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise RunError(f"{path} must map profile names to notebooks, got {type(data).__name__}")
    for profile, per_nb in data.items():
        if profile not in PROFILES or profile == "book":
            raise RunError(f"{path}: unknown profile {profile!r}; overrides are for "
                           f"'smoke' and 'paper' ('book' is the notebooks' own defaults)")
        if not isinstance(per_nb, dict):
            raise RunError(f"{path}: profile {profile!r} must map notebook names to parameters")
        stems = {p.stem for p in chapter_notebooks(chapter)}
        for stem, params in per_nb.items():
            if stem not in stems:
                raise RunError(f"{path}: profile {profile!r} names notebook {stem!r}, which is not "
                               f"in {chapter.name} (have: {', '.join(sorted(stems))})")
            if not isinstance(params, dict):
                raise RunError(f"{path}: {profile}.{stem} must map parameter names to values")
    return data


# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------

def parse_value(raw: str) -> Any:
    """A command-line value: a Python literal if it parses as one, else the raw string."""
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        lowered = raw.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        return raw


def _type_name(v: Any) -> str:
    return type(v).__name__


def coerce(name: str, value: Any, default: Any, where: str) -> Any:
    """``value`` converted to the type of ``default``, or a ``RunError`` naming both."""
    def bad() -> RunError:
        return RunError(f"{where}: parameter {name} = {value!r} ({_type_name(value)}) does not match "
                        f"the declared default {default!r} ({_type_name(default)})")

    if default is None:
        return value
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise bad()
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise bad()
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise bad()
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise bad()
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise bad()
        kinds = {type(x) for x in default}
        if len(kinds) == 1 and default:
            proto = default[0]
            value = [coerce(f"{name}[{i}]", x, proto, where) for i, x in enumerate(value)]
        return type(default)(value)
    if isinstance(default, dict):
        if isinstance(value, dict):
            return value
        raise bad()
    return value


# ---------------------------------------------------------------------------------------------
# Planning: everything is checked here, before any kernel starts
# ---------------------------------------------------------------------------------------------

def resolve_targets(targets: list[str]) -> list[Path]:
    """Notebook paths for targets: ``all``, a chapter folder or number, or notebook paths."""
    if not targets:
        raise RunError("name a notebook, a chapter (folder or number) or 'all'")
    out: list[Path] = []
    for t in targets:
        if t == "all":
            for ch in chapters():
                out.extend(chapter_notebooks(ch))
            continue
        p = Path(t)
        if not p.is_absolute():
            p = (Path.cwd() / p) if (Path.cwd() / p).exists() else repo_root() / p
        if p.is_file():
            if p.suffix != ".ipynb":
                raise RunError(f"{t} is not a notebook (.ipynb)")
            out.append(p.resolve())
            continue
        if p.is_dir():
            nbs = chapter_notebooks(p)
            if not nbs:
                raise RunError(f"folder {t} holds no notebooks")
            out.extend(nbs)
            continue
        matches = [ch for ch in chapters() if ch.name == t or ch.name.split("-")[0] == t.zfill(2)]
        if len(matches) == 1:
            out.extend(chapter_notebooks(matches[0]))
            continue
        names = ", ".join(ch.name for ch in chapters())
        raise RunError(f"target {t!r} is neither 'all', a notebook, nor a chapter (have: {names})")
    seen: set[Path] = set()
    uniq = []
    for p in out:
        if p not in seen:
            seen.add(p)
            uniq.append(p)
    return uniq


def plan(targets: list[str], profile: str, overrides: dict[str, Any] | None = None,
         out_root: Path | None = None) -> list[Job]:
    """Validate everything and return the jobs; raises ``RunError`` naming the first problem."""
    if profile not in PROFILES:
        raise RunError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    overrides = dict(overrides or {})
    if "METRICS_PATH" in overrides:
        raise RunError("METRICS_PATH is set by the runner (next to the executed notebook)")
    out_root = Path(out_root) if out_root is not None else repo_root() / "runs"
    notebooks = resolve_targets(targets)
    jobs: list[Job] = []
    used: set[str] = set()
    for nb in notebooks:
        chapter = nb.parent
        declared = read_parameters(nb)
        where = str(nb.relative_to(repo_root())) if nb.is_relative_to(repo_root()) else str(nb)
        params: dict[str, Any] = {}
        prof = read_profiles(chapter).get(profile, {}) if profile != "book" else {}
        for name, value in (prof.get(nb.stem) or {}).items():
            if name not in declared:
                raise RunError(f"{chapter / 'profiles.yml'}: profile {profile!r} sets {name} for "
                               f"{nb.stem}, which does not declare it (declared: "
                               f"{', '.join(sorted(declared))})")
            params[name] = coerce(name, value, declared[name], f"{where} [{profile}]")
        for name, value in overrides.items():
            if name in declared:
                params[name] = coerce(name, value, declared[name], where)
                used.add(name)
        output = out_root / profile / chapter.name / nb.name
        params["METRICS_PATH"] = str(output.with_suffix(".metrics.json"))
        jobs.append(Job(notebook=nb, chapter=chapter.name, parameters=params, output=output))
    unused = sorted(set(overrides) - used)
    if unused:
        names = ", ".join(j.stem for j in jobs)
        raise RunError(f"parameter {', '.join(unused)} is not declared by any selected notebook "
                       f"({names}); check the spelling in the notebook's parameters cell")
    return jobs


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------

def kernel_environment() -> None:
    """Environment inherited by every kernel: quiet TensorFlow, fixed hash seed and threads."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("PHYSML_THREADS", "2")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["PHYSML_ROOT"] = str(repo_root())


def execute(jobs: list[Job], *, profile: str, timeout: int | None = None) -> list[dict[str, Any]]:
    """Execute the planned jobs in order; return one summary row each. Raises on the first failure."""
    import papermill as pm

    from helpers.pipeline.metrics import read_metrics, write_json

    kernel_environment()
    rows = []
    summary_path = None
    for job in jobs:
        assert job.output is not None
        job.output.parent.mkdir(parents=True, exist_ok=True)
        metrics_path = Path(job.parameters["METRICS_PATH"])
        if metrics_path.exists():
            metrics_path.unlink()  # a stale file must never pass for this run's numbers
        print(f"[{profile}] {job.chapter}/{job.notebook.name} "
              f"{ {k: v for k, v in job.parameters.items() if k != 'METRICS_PATH'} }", flush=True)
        t0 = time.perf_counter()
        pm.execute_notebook(
            str(job.notebook), str(job.output), parameters=job.parameters,
            cwd=str(job.notebook.parent), kernel_name="python3", progress_bar=False,
            request_save_on_cell_execute=False, execution_timeout=timeout,
        )
        wall = time.perf_counter() - t0
        metrics = read_metrics(metrics_path)
        row = {"notebook": f"{job.chapter}/{job.notebook.name}", "wall_s": round(wall, 2),
               "notebook_wall_s": metrics["wall_time_s"],
               "parameters": {k: v for k, v in job.parameters.items() if k != "METRICS_PATH"}}
        print(f"    done in {wall:.1f} s (notebook's own timer {metrics['wall_time_s']:.1f} s)", flush=True)
        rows.append(row)
        summary_path = job.output.parents[1] / "summary.json"
        previous = {}
        if summary_path.exists():
            try:
                previous = {r["notebook"]: r for r in json.loads(summary_path.read_text())["runs"]}
            except (ValueError, KeyError):
                previous = {}
        previous[row["notebook"]] = row
        write_json(summary_path, {"profile": profile, "runs": sorted(previous.values(),
                                                                      key=lambda r: r["notebook"])})
    return rows


def _parse_overrides(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise RunError(f"-p expects NAME=VALUE, got {item!r}")
        name, raw = item.split("=", 1)
        name = name.strip()
        if not name.isidentifier():
            raise RunError(f"-p {item!r}: {name!r} is not a valid parameter name")
        out[name] = parse_value(raw)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m helpers.pipeline.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="+", help="notebook paths, chapter folders/numbers, or 'all'")
    ap.add_argument("--profile", default="book", help="smoke, book (default) or paper")
    ap.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                    help="override a parameter (repeatable); VALUE is read as a Python literal")
    ap.add_argument("--out", default=None, help="output root (default: <repo>/runs)")
    ap.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds")
    ap.add_argument("--list", action="store_true", help="only print the plan")
    args = ap.parse_args(argv)
    try:
        jobs = plan(args.targets, args.profile, _parse_overrides(args.parameter),
                    Path(args.out).resolve() if args.out else None)
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.list:
        for j in jobs:
            print(f"{j.chapter}/{j.notebook.name} -> {j.output}\n    {j.parameters}")
        return 0
    t0 = time.perf_counter()
    rows = execute(jobs, profile=args.profile, timeout=args.timeout)
    print(f"{len(rows)} notebook(s) ran in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
