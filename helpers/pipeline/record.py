"""Records: a finished run's metrics kept in the repository with where, when and how it ran.

    python -m helpers.pipeline.run NOTEBOOK --profile paper --record     # run, then record
    python -m helpers.pipeline.record NOTEBOOK --profile paper           # record an existing ok run

A record is ``book/records/<notebook-stem>.<tag>.metrics.json``: the notebook's metrics file
(``notebook``, ``metrics``, ``wall_time_s`` and the rest, so :func:`helpers.pipeline.metrics.read_metrics`
and the ``{{ r:… }}`` / ``{{ rs:… }}`` placeholders read it as before) plus a ``record`` block: the
profile and parameters, the notebook's path and SHA-256 when it ran, the commit and dirty flag,
the Keras backend, the machine (CPU model, cores, threads, GPU), package versions, start time and
wall time. Only an ``ok`` run whose notebook and helpers are unchanged since it ran and whose
parameters are the profile's current ones may be recorded (the manifest says so; see
:func:`check_entry`).

A page shows where and when a record ran with ``{{ record:NAME }}`` (:func:`label`), e.g.
"paper scale, 2 CPU cores (Intel Xeon …), TensorFlow, 2026-12-02, 41 min"; a record whose notebook
file or profile entry has changed since is flagged there as stale (:func:`stale_reasons`) and the
book builder warns.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as md
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.pipeline.paths import repo_root
from helpers.pipeline.run import RunError, code_hash, plan, read_manifest, read_parameters

# distributions whose versions a record keeps (those installed)
VERSIONED = (
    "numpy",
    "scipy",
    "scikit-learn",
    "keras",
    "tensorflow",
    "tensorflow-cpu",
    "jax",
    "jaxlib",
    "h5py",
    "opencv-python-headless",
    "pythia8mc",
    "dask",
    "distributed",
)
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def records_dir() -> Path:
    return repo_root() / "book" / "records"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cpu_model() -> str | None:
    """The CPU's marketing name (``/proc/cpuinfo``'s ``model name``; ``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def gpu_names() -> list[str]:
    """Names of the NVIDIA GPUs ``nvidia-smi`` sees (none on a machine without it)."""
    try:
        proc = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [x.strip() for x in proc.stdout.splitlines() if x.strip()] if proc.returncode == 0 else []


def machine() -> dict[str, Any]:
    """The machine a kernel started by the runner runs on: backend, CPU, cores, threads, GPUs."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count()
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    gpus = gpu_names()
    return {
        "backend": backend,
        "cpu": cpu_model(),
        "cores": cores,
        "threads": int(os.environ.get("PHYSML_THREADS", "2")),
        # TensorFlow's CPU build (the book's environment) ignores GPUs; only a JAX run may use one
        "gpu": gpus[0] if gpus and backend != "tensorflow" else None,
        "gpu_count": len(gpus) if backend != "tensorflow" else 0,
        "platform": platform.platform(),
    }


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in VERSIONED:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    root = repo_root()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def default_tag(profile: str, info: dict[str, Any] | None = None) -> str:
    """``<profile>-cpu`` or ``<profile>-gpu``: the record name is ``<notebook>.<tag>``."""
    info = info if info is not None else machine()
    return f"{profile}-{'gpu' if info.get('gpu') else 'cpu'}"


def _as_json(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples become lists), for comparing parameters."""
    return json.loads(json.dumps(value))


def check_entry(entry: dict[str, Any] | None, job, key: str) -> None:
    """Raise ``RunError`` unless a manifest entry is an ok, complete run of the job as planned now:
    status ``ok``, the notebook and helpers unchanged since (``code_hash``), the same parameters."""
    if entry is None:
        raise RunError(f"{key}: no run in the manifest; nothing to record")
    if entry.get("status") != "ok":
        err = entry.get("error") or {}
        why = f" ({err.get('ename')}: {err.get('evalue')})" if err else ""
        raise RunError(f"{key}: status {entry.get('status')!r}{why}; only an ok run may be recorded")
    if entry.get("code_hash") != code_hash(job.notebook):
        raise RunError(f"{key}: the notebook or helpers changed since it ran; run it again to record it")
    wanted = _as_json({k: v for k, v in job.parameters.items() if k != "METRICS_PATH"})
    if _as_json(entry.get("parameters") or {}) != wanted:
        raise RunError(
            f"{key}: ran with {entry.get('parameters')}, but the profile plans {wanted} now; run it again to record it"
        )


def build_record(job, entry: dict[str, Any], profile: str, info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record's content: the run's metrics file with a ``record`` block added."""
    from helpers.pipeline.metrics import read_metrics

    metrics = read_metrics(job.parameters["METRICS_PATH"])
    block = {
        "profile": profile,
        "parameters": entry.get("parameters") or {},
        # every parameter as the notebook saw it: its defaults with the profile's values on top
        "all_parameters": {
            **{k: v for k, v in read_parameters(job.notebook).items() if k != "METRICS_PATH"},
            **(entry.get("parameters") or {}),
        },
        "notebook_path": _rel(job.notebook),
        "notebook_sha256": entry.get("notebook_sha256"),
        "commit": entry.get("commit"),
        "dirty": entry.get("dirty"),
        "describe": entry.get("describe"),
        "started": entry.get("started"),
        "ended": entry.get("ended"),
        "wall_s": entry.get("wall_s"),
        "machine": info if info is not None else machine(),
        "versions": versions(),
        "environment_hash": entry.get("environment_hash"),
    }
    if block["notebook_sha256"] is None:
        raise RunError(f"{block['notebook_path']}: the manifest entry has no notebook hash (made by an older runner)")
    return {**metrics, "record": block}


def write_record(job, entry: dict[str, Any], profile: str, tag: str | None = None, folder: Path | None = None) -> Path:
    """Check the run (:func:`check_entry`) and write its record; return the file."""
    from helpers.pipeline.metrics import write_json

    key = f"{job.chapter}/{job.notebook.name}"
    check_entry(entry, job, key)
    info = machine()
    tag = tag or default_tag(profile, info)
    if not TAG.match(tag):
        raise RunError(f"record tag {tag!r}: use letters, digits, '-' and '_' only (it becomes part of a file name)")
    data = build_record(job, entry, profile, info)
    folder = Path(folder) if folder is not None else records_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return write_json(folder / f"{job.stem}.{tag}.metrics.json", data)


def record_run(
    target: str, profile: str, runs: Path | None = None, tag: str | None = None, folder: Path | None = None
) -> Path:
    """Record an existing run of one notebook from ``<runs>/<profile>/manifest.json``."""
    runs = Path(runs) if runs is not None else repo_root() / "runs"
    jobs = plan([target], profile, out_root=runs)
    if len(jobs) != 1:
        raise RunError(f"{target}: name one notebook to record, not {len(jobs)}")
    job = jobs[0]
    entry = read_manifest(runs / profile)["notebooks"].get(f"{job.chapter}/{job.notebook.name}")
    return write_record(job, entry, profile, tag, folder)


# ---------------------------------------------------------------------------------------------
# Reading records back: labels and staleness
# ---------------------------------------------------------------------------------------------


def read_records(folder: Path | None = None) -> dict[str, dict]:
    """``{record name: whole record file}`` of ``book/records/*.metrics.json``."""
    from helpers.pipeline.metrics import read_metrics

    folder = Path(folder) if folder is not None else records_dir()
    return {p.name.removesuffix(".metrics.json"): read_metrics(p) for p in sorted(folder.glob("*.metrics.json"))}


def stale_reasons(data: dict[str, Any]) -> list[str]:
    """Why a record no longer describes its notebook: the notebook file changed since it ran
    (SHA-256), or its profile entry now plans other parameters. Empty when it is current, and for
    records without a ``record`` block (made before records had one)."""
    block = data.get("record")
    if not block:
        return []
    path = repo_root() / block["notebook_path"]
    if not path.is_file():
        return [f"its notebook {block['notebook_path']} no longer exists"]
    reasons = []
    if file_sha256(path) != block.get("notebook_sha256"):
        reasons.append(f"{block['notebook_path']} changed since {_short(block.get('commit'))}")
    if block.get("profile"):
        try:
            (job,) = plan([str(path)], block["profile"])
        except RunError as err:
            reasons.append(f"its profile no longer plans it ({err})")
        else:
            now = _as_json({k: v for k, v in job.parameters.items() if k != "METRICS_PATH"})
            if now != block.get("parameters"):
                ran = block.get("parameters")
                reasons.append(f"profile {block['profile']!r} now plans {now}, the record ran {ran}")
    return reasons


def _short(commit: str | None) -> str:
    return f"commit {commit[:10]}" if commit else "an unknown commit"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _cpu_short(cpu: str | None) -> str:
    if not cpu:
        return "unknown CPU"
    cpu = re.sub(r"\((R|TM|tm)\)", "", cpu)
    cpu = re.sub(r"\s+(CPU|Processor)\b", "", cpu)
    cpu = cpu.split(" @ ")[0]
    return re.sub(r"\s+", " ", cpu).strip()


def label(data: dict[str, Any]) -> str:
    """ "paper scale, 2 CPU cores (Intel Xeon …), TensorFlow, 2026-12-02, 41 min" for a record."""
    block = data.get("record")
    if not block:  # an early record (e.g. made with helpers.pipeline.plain): what its file says
        backend = BACKEND_NAMES.get(data.get("keras_backend", ""), data.get("keras_backend", "unknown backend"))
        where = f"{data['threads']} threads" if data.get("threads") else "unknown machine"
        return f"custom parameters, {where}, {backend}, {_duration(float(data['wall_time_s']))}"
    m = block.get("machine") or {}
    backend = BACKEND_NAMES.get(m.get("backend"), m.get("backend") or "unknown backend")
    if m.get("gpu"):
        where = f"{m['gpu']}" + (f" ×{m['gpu_count']}" if (m.get("gpu_count") or 0) > 1 else "")
    else:
        where = f"{m.get('cores')} CPU cores ({_cpu_short(m.get('cpu'))})"
    day = datetime.fromisoformat(block["started"]).date().isoformat() if block.get("started") else "unknown date"
    wall = block.get("wall_s") or data.get("wall_time_s")
    profile = block.get("profile")
    scale = f"{profile} scale" if profile in ("paper", "smoke") else f"{profile} profile"
    dirty = ", uncommitted changes" if block.get("dirty") else ""
    return f"{scale}, {where}, {backend}, {day}, {_duration(float(wall))}{dirty}"


def render(data: dict[str, Any]) -> str:
    """The text a page shows for ``{{ record:NAME }}``: the label, with a visible stale flag."""
    text = label(data)
    reasons = stale_reasons(data)
    if reasons:
        text += " — **stale record**: " + "; ".join(reasons) + " (run it again with `--record`)"
    return text


_RECORD = re.compile(r"(?<!\\)\{\{\s*record:([\w.-]+)\s*\}\}")


def fill_records(text: str, recorded: dict[str, dict], where: str = "page") -> tuple[str, list[str]]:
    """Replace ``{{ record:NAME }}`` by :func:`render`; return the text and a warning per stale record."""
    warnings: list[str] = []

    def sub(match):
        name = match.group(1)
        if name not in recorded:
            raise RunError(f"{where}: {match.group(0)} names {name!r}, which has no record in book/records")
        reasons = stale_reasons(recorded[name])
        if reasons:
            warnings.append(f"{where}: record {name} is stale: {'; '.join(reasons)}")
        return render(recorded[name])

    return _RECORD.sub(sub, text), warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m helpers.pipeline.record", description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", help="the notebook whose run to record")
    ap.add_argument("--profile", default="paper")
    ap.add_argument("--runs", default=None, help="the runs folder (default <repo>/runs)")
    ap.add_argument("--tag", default=None, help="record name suffix (default <profile>-cpu or <profile>-gpu)")
    args = ap.parse_args(argv)
    try:
        path = record_run(args.notebook, args.profile, Path(args.runs).resolve() if args.runs else None, args.tag)
    except (RunError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"recorded {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
