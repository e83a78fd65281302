"""Run notebooks with papermill under a named profile.

    python -m helpers.pipeline.run notebooks/01-perceptron-to-cnn/04-overfitting.ipynb --profile smoke -p N_SEEDS=3
    python -m helpers.pipeline.run 01 --profile book          # a whole chapter (folder name or its number)
    python -m helpers.pipeline.run all --profile smoke        # every chapter
    python -m helpers.pipeline.run all --profile paper --list # show what would run, with which parameters

Profiles:

- ``book``  the literals in each notebook's ``parameters`` cell (what the rendered book shows);
- ``smoke`` seconds per notebook, for the tests;
- ``paper`` the source study's full scale, for a GPU machine.

``smoke`` and ``paper`` overrides live in one file per chapter, ``notebooks/<chapter>/profiles.yml``.
Executed notebooks go to ``runs/<profile>/<chapter>/<notebook>.ipynb`` with their metrics JSON
beside them (``<notebook>.metrics.json``) and a ``runs/<profile>/manifest.json`` recording each
notebook's status (ok, failed, interrupted, timed_out), parameters, commit, code and environment
hashes, times and errors; the book builder reads it.

Everything is validated before any kernel starts: an unknown profile, a parameter that the
notebook does not declare, a value whose type differs from the declared default, or a value
outside the domain declared in the parameters cell (``# int >= 1``, see
:mod:`helpers.pipeline.domains`) is an error that names it (papermill itself only warns).

Cells time out after ``DEFAULT_TIMEOUTS[profile]`` seconds unless ``--timeout`` says otherwise;
``--keep-going`` runs the remaining notebooks after a failure. The exit status is 0 when every
notebook finished ok, 1 when one did not, 2 for invalid arguments and 130 after Ctrl-C.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import time
import tokenize
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helpers.pipeline.domains import Domain, DomainSyntaxError, parse_domain, split_comment
from helpers.pipeline.paths import repo_root

PROFILES = ("smoke", "book", "paper")
REQUIRED_PARAMETERS = ("SEED", "METRICS_PATH")
DEFAULT_TIMEOUTS = {"smoke": 600, "book": 1200, "paper": None}  # per-cell seconds; None: no limit
RUNNER_PARAMETERS = ("METRICS_PATH",)  # set by the runner: no domain needed
# set by a --jobs parent for its child runners: how many notebooks run at once (kept in the manifest)
RUN_JOBS_ENV = "PHYSML_RUN_JOBS"


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


@dataclass(frozen=True)
class Declared:
    """One parameter of a notebook's ``parameters`` cell: its literal default and its domain."""

    name: str
    default: Any
    domain: Domain | None
    line: int


def _line_comments(source: str) -> dict[int, str]:
    """``{line number: comment text}`` of a cell's source (1-based, as in ``ast``)."""
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out.setdefault(tok.start[0], tok.string)
    except (tokenize.TokenError, IndentationError):
        pass
    return out


def read_declarations(notebook: Path) -> dict[str, Declared]:
    """Every parameter of the notebook's cell tagged ``parameters``, with default and domain.

    The cell may hold only ``NAME = literal`` statements (and comments); anything else is an error,
    so that every default can be read, type-checked and overridden without running code. Each
    line ends with a comment that starts with the parameter's domain (``# int >= 1; text``, see
    :mod:`helpers.pipeline.domains`); only ``METRICS_PATH``, set by the runner, may omit it. A
    missing or malformed domain, or a default outside its own domain, is an error naming the line.
    """
    try:
        nb = json.loads(Path(notebook).read_text())
    except FileNotFoundError:
        raise RunError(f"notebook {notebook} does not exist") from None
    except json.JSONDecodeError as err:
        raise RunError(f"notebook {notebook} is not valid JSON: {err}") from None
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise RunError(f"notebook {notebook} must have exactly one cell tagged 'parameters', found {len(cells)}")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise RunError(f"{notebook}: parameters cell is not valid Python: {err}") from None
    comments = _line_comments(source)
    params: dict[str, Declared] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise RunError(f"{notebook}: parameters cell line {node.lineno} is not 'NAME = literal'")
        name = node.targets[0].id
        if name in params:
            raise RunError(
                f"{notebook}: parameter {name} is assigned twice in the parameters cell (line {node.lineno}); keep one"
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise RunError(
                f"{notebook}: parameter {name} (line {node.lineno}) is not a literal; "
                f"the parameters cell holds only literals"
            ) from None
        comment = next(
            (comments[i] for i in range(node.lineno, (node.end_lineno or node.lineno) + 1) if i in comments), None
        )
        domain = None
        if comment is None:
            if name not in RUNNER_PARAMETERS:
                raise RunError(
                    f"{notebook}: parameter {name} (line {node.lineno}) declares no domain; "
                    f"end the line with a comment such as '# int >= 1' or "
                    f"'# float in (0, 1); what it is' (grammar: book/running.md)"
                )
        else:
            text, _ = split_comment(comment)
            try:
                domain = parse_domain(text)
            except DomainSyntaxError as err:
                if name in RUNNER_PARAMETERS:
                    domain = None
                else:
                    raise RunError(
                        f"{notebook}: parameter {name} (line {node.lineno}): the comment must "
                        f"start with the parameter's domain, then '; ' and any text: {err}"
                    ) from None
            if domain is not None:
                why = domain.problem(default)
                floats = (
                    [default]
                    if domain.type == "float"
                    else (
                        list(default)
                        if domain.type == "list"
                        and domain.element.type == "float"
                        and isinstance(default, (list, tuple))
                        else []
                    )
                )
                if why is None and any(isinstance(x, int) for x in floats):
                    why = "a float domain needs float literals (write 1.0, not 1), or overrides would be cast to int"
                if why is not None:
                    raise RunError(
                        f"{notebook}: parameter {name} = {default!r} (line {node.lineno}) is "
                        f"outside its own domain '{domain}': {why}"
                    )
        params[name] = Declared(name, default, domain, node.lineno)
    missing = [p for p in REQUIRED_PARAMETERS if p not in params]
    if missing:
        raise RunError(
            f"{notebook}: parameters cell lacks {', '.join(missing)} "
            f"(every notebook declares {', '.join(REQUIRED_PARAMETERS)})"
        )
    return params


def read_parameters(notebook: Path) -> dict[str, Any]:
    """``{NAME: literal default}`` of the notebook's parameters cell (checked as in
    :func:`read_declarations`)."""
    return {name: d.default for name, d in read_declarations(notebook).items()}


def check_domain(declared: Declared, value: Any, where: str) -> None:
    """``RunError`` naming the parameter, value and domain if ``value`` lies outside it."""
    if declared.domain is None:
        return
    why = declared.domain.problem(value)
    if why is not None:
        raise RunError(
            f"{where}: parameter {declared.name} = {value!r} is outside its domain '{declared.domain}': {why}"
        )


def read_profiles(chapter: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """``{profile: {notebook_stem: {NAME: value}}}`` from ``<chapter>/profiles.yml``."""
    import yaml

    path = chapter / "profiles.yml"
    if not path.is_file():
        return {}

    class UniqueKeyLoader(yaml.SafeLoader):
        """PyYAML keeps the last of two equal keys without a word; here they are an error."""

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise RunError(
                    f"{path} line {key_node.start_mark.line + 1}: key {key!r} appears twice "
                    f"in the same section; keep one"
                )
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        data = yaml.load(path.read_text(), Loader=UniqueKeyLoader) or {}
    except yaml.YAMLError as err:
        raise RunError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise RunError(f"{path} must map profile names to notebooks, got {type(data).__name__}")
    for profile, per_nb in data.items():
        if profile not in PROFILES or profile == "book":
            raise RunError(
                f"{path}: unknown profile {profile!r}; overrides are for "
                f"'smoke' and 'paper' ('book' is the notebooks' own defaults)"
            )
        if not isinstance(per_nb, dict):
            raise RunError(f"{path}: profile {profile!r} must map notebook names to parameters")
        stems = {p.stem for p in chapter_notebooks(chapter)}
        for stem, params in per_nb.items():
            if stem not in stems:
                raise RunError(
                    f"{path}: profile {profile!r} names notebook {stem!r}, which is not "
                    f"in {chapter.name} (have: {', '.join(sorted(stems))})"
                )
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
        return RunError(
            f"{where}: parameter {name} = {value!r} ({_type_name(value)}) does not match "
            f"the declared default {default!r} ({_type_name(default)})"
        )

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


def _locate(target: str) -> Path:
    """A target as a path: as given (from here or the repository), or under notebooks/, ``.ipynb`` optional."""
    p = Path(target)
    if p.is_absolute():
        return p
    candidates = [Path.cwd() / p, repo_root() / p, repo_root() / "notebooks" / p]
    candidates += [c.with_name(c.name + ".ipynb") for c in candidates if c.suffix != ".ipynb"]
    return next((c for c in candidates if c.exists()), repo_root() / p)


def _near_miss(target: str) -> str | None:
    """The notebook (``chapter/stem``) or chapter whose name is closest to a misspelt target, if any is close."""
    import difflib

    names = [ch.name for ch in chapters()]
    names += [f"{ch.name}/{nb.stem}" for ch in chapters() for nb in chapter_notebooks(ch)]
    key = target.removeprefix("notebooks/").removesuffix(".ipynb").rstrip("/")
    best = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return best[0] if best else None


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
        p = _locate(t)
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
        hint = _near_miss(t)
        raise RunError(
            f"target {t!r} is neither 'all', a notebook, nor a chapter (have: {names})"
            + (f"; did you mean {hint}?" if hint else "")
        )
    seen: set[Path] = set()
    uniq = []
    for p in out:
        if p not in seen:
            seen.add(p)
            uniq.append(p)
    return uniq


def plan(
    targets: list[str], profile: str, overrides: dict[str, Any] | None = None, out_root: Path | None = None
) -> list[Job]:
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
        declared = read_declarations(nb)  # defaults checked against their domains here
        where = str(nb.relative_to(repo_root())) if nb.is_relative_to(repo_root()) else str(nb)
        params: dict[str, Any] = {}
        prof: dict[str, Any] = {}
        if profile != "book":
            # smoke and paper must be spelled out for every notebook: a missing section would
            # silently run the book's defaults under the other profile's name ({} = book defaults)
            profiles = read_profiles(chapter)
            if profile not in profiles:
                raise RunError(
                    f"{chapter / 'profiles.yml'} has no {profile!r} section; add one with an entry "
                    f"per notebook ({{}} keeps the book's defaults)"
                )
            if nb.stem not in profiles[profile]:
                raise RunError(
                    f"{chapter / 'profiles.yml'}: profile {profile!r} has no entry for {nb.stem}; "
                    f"add '{nb.stem}: {{...}}' ({{}} keeps the book's defaults)"
                )
            prof = profiles[profile][nb.stem] or {}
        for name, value in prof.items():
            if name not in declared:
                raise RunError(
                    f"{chapter / 'profiles.yml'}: profile {profile!r} sets {name} for "
                    f"{nb.stem}, which does not declare it (declared: "
                    f"{', '.join(sorted(declared))})"
                )
            params[name] = coerce(name, value, declared[name].default, f"{where} [{profile}]")
            check_domain(declared[name], params[name], f"{chapter / 'profiles.yml'} [{profile}] {nb.stem}")
        for name, value in overrides.items():
            if name in declared:
                params[name] = coerce(name, value, declared[name].default, where)
                check_domain(declared[name], params[name], f"{where} (-p {name})")
                used.add(name)
        output = out_root / profile / chapter.name / nb.name
        params["METRICS_PATH"] = str(output.with_suffix(".metrics.json"))
        jobs.append(Job(notebook=nb, chapter=chapter.name, parameters=params, output=output))
    unused = sorted(set(overrides) - used)
    if unused:
        import difflib

        names = ", ".join(j.stem for j in jobs)
        known = sorted({n for j in jobs for n in read_declarations(j.notebook)} - set(RUNNER_PARAMETERS))
        close = sorted({m for u in unused for m in difflib.get_close_matches(u, known, n=2)})
        hint = f"; did you mean {', '.join(close)}?" if close else f"; declared: {', '.join(known)}"
        raise RunError(f"parameter {', '.join(unused)} is not declared by any selected notebook ({names}){hint}")
    return jobs


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


def code_root() -> Path:
    """The folder holding the ``helpers`` package this runner was imported from."""
    return Path(__file__).resolve().parents[2]


def kernel_environment() -> None:
    """Environment inherited by every kernel: quiet TensorFlow, fixed hash seed and threads, and
    the runner's own code root first on ``PYTHONPATH``, so that kernels import the same
    ``helpers`` as the runner (not another checkout's editable install)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("PHYSML_THREADS", "2")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ["PHYSML_ROOT"] = str(repo_root())
    root = str(code_root())
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *rest])


# ---------------------------------------------------------------------------------------------
# Provenance: what the manifest records about each run, and what the book builder compares
# ---------------------------------------------------------------------------------------------

MANIFEST = "manifest.json"
STATUSES = ("ok", "failed", "interrupted", "timed_out", "running")


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=repo_root(), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state() -> dict[str, Any]:
    """``commit`` (HEAD, or None outside a git checkout), ``dirty`` (uncommitted changes) and
    ``describe`` (``git describe --always --dirty``)."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {
        "commit": commit,
        "dirty": bool(status) if commit else None,
        "describe": _git("describe", "--always", "--dirty") if commit else None,
    }


def environment_hash() -> str:
    """SHA-256 of the sorted ``name==version`` list of installed distributions (like ``pip freeze``)."""
    import importlib.metadata as md

    names = sorted({f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in md.distributions()})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def _helpers_digest() -> str:
    h = hashlib.sha256()
    root = code_root()
    files = sorted((root / "helpers").rglob("*.py")) + [root / "pyproject.toml"]
    for p in files:
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def code_hash(notebook: Path) -> str:
    """SHA-256 of what a run's outputs depend on besides parameters and environment: the
    notebook's own bytes, every ``helpers/**/*.py`` and ``pyproject.toml``. The same in a clean
    clone and in an uncommitted working tree with the same content; the book builder compares it."""
    h = hashlib.sha256(_helpers_digest().encode())
    h.update(Path(notebook).read_bytes())
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_manifest(folder: Path) -> dict[str, Any]:
    """``runs/<profile>/manifest.json`` as a dict (an empty one if absent or unreadable)."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {"notebooks": {}}
    if not isinstance(data.get("notebooks"), dict):
        data["notebooks"] = {}
    return data


@contextlib.contextmanager
def _manifest_lock(folder: Path):
    """Hold ``<folder>/.manifest.lock``: runners of notebooks that run at once (``--jobs``) update
    the same manifest, and each update reads, changes and rewrites it."""
    import fcntl

    Path(folder).mkdir(parents=True, exist_ok=True)
    with open(Path(folder) / ".manifest.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _record(folder: Path, profile: str, key: str | None, entry: dict[str, Any], *, field: str = "") -> None:
    """Put ``entry`` under ``notebooks[key]`` (or, with ``field``, at the manifest's top level)."""
    from helpers.pipeline.metrics import write_json

    with _manifest_lock(folder):
        data = read_manifest(folder)
        data["profile"] = profile
        data["updated"] = _now()
        if field:
            data[field] = entry
        else:
            data["notebooks"][key] = entry
            data["notebooks"] = dict(sorted(data["notebooks"].items()))
        write_json(Path(folder) / MANIFEST, data)


def _stuck_cell(output: Path) -> tuple[int | None, int | None]:
    """(index, execution count) of the last cell papermill started in a saved notebook: the one
    that was running when a timeout or Ctrl-C stopped it."""
    try:
        nb = json.loads(output.read_text())
    except (OSError, ValueError):
        return None, None
    started = [
        (i, c.get("execution_count"))
        for i, c in enumerate(nb.get("cells", []))
        if c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else (None, None)


def _mark_notebook(output: Path, entry: dict[str, Any]) -> None:
    """Write the status and error into a partially executed notebook's metadata (``physml``), so
    that the file itself says it did not finish."""
    try:
        nb = json.loads(output.read_text())
    except (OSError, ValueError):
        return
    nb.setdefault("metadata", {})["physml"] = {"status": entry["status"], "error": entry.get("error")}
    output.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _describe(key: str, entry: dict[str, Any]) -> str:
    err = entry.get("error") or {}
    where = ""
    if err.get("cell") is not None:
        where = f" at cell {err['cell']}" + (f" (In [{err['execution_count']}])" if err.get("execution_count") else "")
    what = f": {err.get('ename', '')}: {err.get('evalue', '')}".rstrip(": ") if err else ""
    return f"{key}: {entry['status']}{where}{what}"


# ---------------------------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------------------------


def _quiet_unknown_parameters(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("Passed unknown parameter")


def execute(
    jobs: list[Job], *, profile: str, timeout: int | None = None, keep_going: bool = False
) -> list[dict[str, Any]]:
    """Execute the planned jobs in order and record each in ``runs/<profile>/manifest.json``.

    Before a notebook runs, its previous executed copy and metrics are deleted, so nothing stale
    looks current. A failing, timed-out or interrupted notebook keeps its partially executed copy
    (with outputs so far) and is marked so in the manifest. Without ``keep_going`` the first such
    notebook stops the run; ``KeyboardInterrupt`` is recorded as ``interrupted`` and re-raised.
    Returns one manifest entry per notebook that was started (with its ``notebook`` key)."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from helpers.pipeline.metrics import read_metrics

    kernel_environment()
    # papermill's own parameter inference cannot read lines whose domain holds '>=' (it counts
    # '=' signs) and then warns about "unknown" parameters; plan() has checked them properly.
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)
    if _quiet_unknown_parameters not in logging.getLogger("papermill").filters:
        logging.getLogger("papermill").addFilter(_quiet_unknown_parameters)
    common = {
        **git_state(),
        "environment_hash": environment_hash(),
        "python": sys.version.split()[0],
        "timeout_s": timeout,
        # how many notebooks ran at once (--jobs): with more than one, wall times include sharing the cores
        "run_jobs": int(os.environ.get(RUN_JOBS_ENV, "1")),
    }
    rows = []
    for job in jobs:
        assert job.output is not None
        folder = job.output.parents[1]
        key = f"{job.chapter}/{job.notebook.name}"
        job.output.parent.mkdir(parents=True, exist_ok=True)
        metrics_path = Path(job.parameters["METRICS_PATH"])
        for stale in (job.output, metrics_path):
            if stale.exists():
                stale.unlink()  # a stale file must never pass for this run's results
        shown = {k: v for k, v in job.parameters.items() if k != "METRICS_PATH"}
        entry: dict[str, Any] = {
            "status": "running",
            "parameters": shown,
            "output": str(job.output.relative_to(folder)),
            **common,
            "code_hash": code_hash(job.notebook),
            "notebook_sha256": hashlib.sha256(job.notebook.read_bytes()).hexdigest(),
            "started": _now(),
            "ended": None,
        }
        _record(folder, profile, key, entry)
        print(f"[{profile}] {key} {shown}", flush=True)
        t0 = time.perf_counter()
        try:
            pm.execute_notebook(
                str(job.notebook),
                str(job.output),
                parameters=job.parameters,
                cwd=str(job.notebook.parent),
                kernel_name="python3",
                progress_bar=False,
                # saved after every cell, so that a timeout or Ctrl-C keeps the outputs so far
                request_save_on_cell_execute=True,
                execution_timeout=timeout,
            )
        except PapermillExecutionError as err:
            entry["status"] = "failed"
            entry["error"] = {
                "cell": err.cell_index,
                "execution_count": err.exec_count,
                "ename": err.ename,
                "evalue": err.evalue,
            }
        except CellTimeoutError as err:
            cell, count = _stuck_cell(job.output)
            entry["status"] = "timed_out"
            entry["error"] = {
                "cell": cell,
                "execution_count": count,
                "ename": "CellTimeoutError",
                "evalue": f"a cell ran longer than the {timeout} s per-cell timeout "
                f"({str(err).splitlines()[0] if str(err) else ''})".replace(" ()", ""),
            }
        except KeyboardInterrupt:
            cell, count = _stuck_cell(job.output)
            entry.update(
                status="interrupted",
                ended=_now(),
                wall_s=round(time.perf_counter() - t0, 2),
                error={
                    "cell": cell,
                    "execution_count": count,
                    "ename": "KeyboardInterrupt",
                    "evalue": "interrupted (Ctrl-C)",
                },
            )
            _record(folder, profile, key, entry)
            _mark_notebook(job.output, entry)
            print(f"    {_describe(key, entry)}", file=sys.stderr, flush=True)
            raise
        except Exception as err:  # a dead kernel, an unreadable notebook...
            entry["status"] = "failed"
            entry["error"] = {"cell": _stuck_cell(job.output)[0], "ename": type(err).__name__, "evalue": str(err)}
        else:
            try:
                metrics = read_metrics(metrics_path)
            except (FileNotFoundError, ValueError) as err:
                entry["status"] = "failed"
                entry["error"] = {
                    "cell": None,
                    "ename": type(err).__name__,
                    "evalue": f"the notebook ran but its metrics are unusable: {err}",
                }
            else:
                entry["status"] = "ok"
                entry["notebook_wall_s"] = metrics["wall_time_s"]
        wall = time.perf_counter() - t0
        entry.update(ended=_now(), wall_s=round(wall, 2))
        _record(folder, profile, key, entry)
        rows.append({"notebook": key, **entry})
        if entry["status"] == "ok":
            print(f"    done in {wall:.1f} s (notebook's own timer {entry['notebook_wall_s']:.1f} s)", flush=True)
        else:
            _mark_notebook(job.output, entry)
            print(f"    {_describe(key, entry)}; partial notebook kept at {job.output}", file=sys.stderr, flush=True)
            if not keep_going:
                break
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
        if name in out:
            raise RunError(f"-p {item!r}: {name} is set twice on the command line; give it once")
        out[name] = parse_value(raw)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m helpers.pipeline.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("targets", nargs="+", help="notebook paths, chapter folders/numbers, or 'all'")
    ap.add_argument("--profile", default="book", help="smoke, book (default) or paper")
    ap.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a parameter (repeatable); VALUE is read as a Python literal",
    )
    ap.add_argument("--out", default=None, help="output root (default: <repo>/runs)")
    ap.add_argument(
        "--timeout",
        type=int,
        default=None,
        help="per-cell timeout in seconds, 0 for none (default per profile: "
        + ", ".join(f"{k} {v or 'none'}" for k, v in DEFAULT_TIMEOUTS.items())
        + ")",
    )
    ap.add_argument(
        "--keep-going",
        action="store_true",
        help="run the remaining notebooks after one fails (exit status still non-zero)",
    )
    ap.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="run this many notebooks at once, each in its own kernel and with its own thread count, in "
        "an order that lets later notebooks read earlier ones' caches (helpers.pipeline.schedule); "
        "./tasks book uses 2",
    )
    ap.add_argument("--list", action="store_true", help="only print the plan")
    ap.add_argument(
        "--dask",
        default=None,
        metavar="ADDRESS",
        help="send the notebooks' independent tasks (Pythia chunks, rendering, repeated trainings) to the "
        "Dask scheduler at ADDRESS, e.g. tcp://10.0.0.5:8786 (sets PHYSML_DASK_SCHEDULER for the kernels)",
    )
    ap.add_argument(
        "--record",
        action="store_true",
        help="after an ok run, write book/records/<notebook>.<TAG>.metrics.json with where and when it ran "
        "(see helpers.pipeline.record); not with -p: a record is a profile's run",
    )
    ap.add_argument(
        "--tag",
        default=None,
        help="the record's name suffix (default <profile>-cpu or <profile>-gpu); name the machine to keep "
        "records of different machines apart",
    )
    args = ap.parse_args(argv)
    if args.record and args.parameter:
        print(
            "error: --record keeps a run of a profile's parameters; -p overrides would be recorded under the "
            "profile's name and shown as stale at once. Put the setting in a profile of profiles.yml instead.",
            file=sys.stderr,
        )
        return 2
    if args.record and args.jobs > 1:
        print(
            "error: --record keeps a notebook's wall time, which two at a time would inflate; record with --jobs 1",
            file=sys.stderr,
        )
        return 2
    if args.tag is not None and not args.record:
        print("error: --tag names a record: give --record too", file=sys.stderr)
        return 2
    try:
        jobs = plan(
            args.targets, args.profile, _parse_overrides(args.parameter), Path(args.out).resolve() if args.out else None
        )
        if args.timeout is not None and args.timeout < 0:
            raise RunError(f"--timeout {args.timeout}: give seconds > 0, or 0 for no timeout")
        if args.jobs < 1:
            raise RunError(f"--jobs {args.jobs}: give the number of notebooks to run at once, 1 or more")
        if args.dask is not None:
            from helpers.pipeline.executor import SCHEDULER_ENV, scheduler_address

            try:
                os.environ[SCHEDULER_ENV] = scheduler_address(args.dask) or ""
            except ValueError as err:
                raise RunError(f"--dask: {err}") from None
    except RunError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    timeout = DEFAULT_TIMEOUTS.get(args.profile) if args.timeout is None else (args.timeout or None)
    if args.list:
        for j in jobs:
            print(f"{j.chapter}/{j.notebook.name} -> {j.output}\n    {j.parameters}")
        return 0
    if args.jobs > 1 and len(jobs) > 1:
        return _main_parallel(jobs, args)
    t0 = time.perf_counter()
    started = _now()
    try:
        rows = execute(jobs, profile=args.profile, timeout=timeout, keep_going=args.keep_going)
    except KeyboardInterrupt:
        if RUN_JOBS_ENV not in os.environ:
            _record_run(jobs, args.profile, started, time.perf_counter() - t0, 1, interrupted=True)
        print(
            "interrupted: the notebook that was running is marked 'interrupted' in "
            f"{jobs[0].output.parents[1] / MANIFEST}",
            file=sys.stderr,
        )
        return 130
    bad = [r for r in rows if r["status"] != "ok"]
    elapsed = time.perf_counter() - t0
    if RUN_JOBS_ENV not in os.environ:  # a child of --jobs: its parent records the whole run
        _record_run(jobs, args.profile, started, elapsed, 1)
    print(f"{len(rows)} notebook(s) ran in {elapsed:.1f} s", flush=True)
    unrecorded = 0
    if args.record:
        from helpers.pipeline.record import write_record

        by_key = {f"{j.chapter}/{j.notebook.name}": j for j in jobs}
        for row in rows:
            if row["status"] != "ok":
                print(f"not recorded: {row['notebook']} did not finish ok", file=sys.stderr)
                unrecorded += 1
                continue
            entry = {k: v for k, v in row.items() if k != "notebook"}
            try:
                print(f"recorded {write_record(by_key[row['notebook']], entry, args.profile, args.tag)}")
            except RunError as err:
                print(f"error: not recorded: {err}", file=sys.stderr)
                unrecorded += 1
    if bad:
        not_run = len(jobs) - len(rows)
        print(
            f"error: {len(bad)} of {len(rows)} notebook(s) did not finish"
            + (f" ({not_run} not started; --keep-going runs them anyway)" if not_run else "")
            + ":\n"
            + "\n".join(f"  {_describe(r['notebook'], r)}" for r in bad),
            file=sys.stderr,
        )
        return 1
    return 1 if unrecorded else 0


def _record_run(
    jobs: list[Job], profile: str, started: str, elapsed: float, n_jobs: int, *, interrupted: bool = False
) -> None:
    """Record the run as a whole (``last_run`` in the manifest) after a run one at a time."""
    keys = [f"{j.chapter}/{j.notebook.name}" for j in jobs]
    run = _run_summary(keys, started, elapsed, n_jobs, interrupted)
    _record(jobs[0].output.parents[1], profile, None, run, field="last_run")


def _run_summary(keys: list[str], started: str, elapsed: float, n_jobs: int, interrupted: bool) -> dict[str, Any]:
    """``last_run``: when the run began and ended, how long it took, the most notebooks at once,
    which notebooks it started, and whether an interrupt ended it."""
    return {
        "started": started,
        "ended": _now(),
        "elapsed_s": round(elapsed, 2),
        "jobs": n_jobs,
        "notebooks": keys,
        "interrupted": interrupted,
    }


def _main_parallel(jobs: list[Job], args) -> int:
    """``--jobs N``: each notebook in a child runner, N at a time (helpers.pipeline.schedule)."""
    from helpers.pipeline import schedule

    folder = jobs[0].output.parents[1]
    kernel_environment()  # children (and their kernels) import this runner's helpers
    estimate = schedule.estimates(read_manifest(folder))
    t0, started = time.perf_counter(), _now()
    outcome = schedule.run_parallel(
        jobs,
        lambda job: schedule.child_arguments(args, args.profile, read_declarations(job.notebook)),
        n_jobs=args.jobs,
        estimate=estimate,
        keep_going=args.keep_going,
    )
    elapsed = time.perf_counter() - t0
    keys = {schedule.job_key(j): f"{j.chapter}/{j.notebook.name}" for j in jobs}
    bad = []
    with _manifest_lock(folder):
        data = read_manifest(folder)
        for short, code in outcome.codes.items():
            key = keys[short]
            entry = data["notebooks"].get(key)
            if entry is None or str(entry.get("started", "")) < started:
                # the child stopped before recording this run (its output above says why)
                bad.append(f"  {key}: exit {code}, nothing recorded for this run (see its output above)")
                continue
            entry["run_jobs"] = outcome.peak.get(short, 1)  # most notebooks running at once, itself included
            if short in outcome.interrupted and entry.get("status") == "running":
                entry.update(
                    status="interrupted",
                    ended=_now(),
                    error={"cell": None, "ename": "KeyboardInterrupt", "evalue": "interrupted (the run was stopped)"},
                )
            if entry.get("status") != "ok" or code != 0:
                bad.append(f"  {_describe(key, entry)}" + (f" (exit {code})" if entry.get("status") == "ok" else ""))
        from helpers.pipeline.metrics import write_json

        started_keys = [keys[k] for k in keys if k in outcome.codes]
        peak = max(outcome.peak.values(), default=1)
        data["last_run"] = {
            **_run_summary(started_keys, started, elapsed, peak, outcome.stopped),
            "jobs_asked": args.jobs,
        }
        data["updated"] = _now()
        write_json(Path(folder) / MANIFEST, data)
    ran = len(outcome.codes)
    print(f"{ran} notebook(s) ran in {elapsed:.1f} s, up to {args.jobs} at a time", flush=True)
    if outcome.stopped:
        entries = read_manifest(folder)["notebooks"]
        marked = [keys[k] for k in outcome.interrupted if entries.get(keys[k], {}).get("status") == "interrupted"]
        print(
            "interrupted: "
            + (
                f"{', '.join(marked)} marked 'interrupted' in {folder / MANIFEST}"
                if marked
                else "no notebook was running"
            )
            + (":\n" + "\n".join(bad) if bad else ""),
            file=sys.stderr,
        )
        return 130
    not_run = len(jobs) - ran
    if bad or not_run:
        print(
            f"error: {len(bad)} of {ran} notebook(s) did not finish"
            + (f" ({not_run} not started; --keep-going runs them anyway)" if not_run else "")
            + (":\n" + "\n".join(bad) if bad else ""),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
