"""How long each notebook takes at a profile's parameters, as a Markdown table (a benchmark, not a test).

``python -m helpers.pipeline.timings [--profile book]`` reads ``runs/<profile>/manifest.json``
(written by :mod:`helpers.pipeline.run`) and prints one row per notebook — its wall time, its
status, when it ran — and the total, in a table the README can paste. ``--run`` first runs every
notebook of the profile (``python -m helpers.pipeline.run all --profile <profile> --keep-going``).

A notebook's time is the runner's ``wall_s`` (kernel start to saved notebook); an entry without it
(an old manifest) falls back to ``ended - started``, which the manifest keeps to the second.
Notebooks over ``--limit`` seconds (the book's 4-minute rule) are flagged in the table.

When the notebooks ran several at a time (``--jobs 2``, what ``./tasks book`` does), the table adds
the run's elapsed time (``last_run`` in the manifest), which is what a reader waits; each
notebook's own time then includes sharing the cores, so the 4-minute rule, which is about one
notebook on its own, is not flagged from such a run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from helpers.pipeline.paths import repo_root
from helpers.pipeline.run import MANIFEST, read_manifest

LIMIT_S = 240  # the book's rule: no notebook over 4 minutes at book defaults on 2 cores


def entry_seconds(entry: Mapping[str, Any]) -> float | None:
    """A manifest entry's wall time in seconds: ``wall_s``, else ``ended - started``; None while unknown."""
    wall = entry.get("wall_s")
    if isinstance(wall, (int, float)):
        return float(wall)
    start, end = entry.get("started"), entry.get("ended")
    if not (start and end):
        return None
    try:
        return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    except (TypeError, ValueError):
        raise ValueError(f"manifest times must be ISO 8601, got started={start!r}, ended={end!r}") from None


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def table(manifest: Mapping[str, Any], *, limit_s: float = LIMIT_S) -> str:
    """The Markdown table of a manifest: notebook, seconds, m:ss, status, and a total row.

    The total counts every notebook with a known time; a notebook that did not finish ("failed",
    "running" …) is listed with its status so that a partial total cannot pass for a full one."""
    notebooks = manifest.get("notebooks") or {}
    if not notebooks:
        raise ValueError("the manifest lists no notebooks: run them first (--run), or choose the profile that ran")
    rows = ["| notebook | seconds | m:ss | status |", "| --- | ---: | ---: | --- |"]
    total, n_known, shared = 0.0, 0, False
    for key in sorted(notebooks):
        entry = notebooks[key]
        sec = entry_seconds(entry)
        status = str(entry.get("status", "?"))
        if sec is None:
            rows.append(f"| {key} | – | – | {status} |")
            continue
        total += sec
        n_known += 1
        alone = int(entry.get("run_jobs", 1)) == 1
        shared = shared or not alone
        flag = f" (over {limit_s:.0f} s)" if alone and sec > limit_s else ""
        rows.append(f"| {key} | {sec:.0f} | {_clock(sec)} | {status}{flag} |")
    rows.append(f"| **total ({n_known} notebooks)** | **{total:.0f}** | **{_clock(total)}** | |")
    last = manifest.get("last_run") or {}
    # the run that wrote every row above: the same notebooks, each started within that run
    same = set(last.get("notebooks") or []) == set(notebooks) and all(
        str(e.get("started", "")) >= str(last.get("started", "")) for e in notebooks.values()
    )
    if same and isinstance(last.get("elapsed_s"), (int, float)) and int(last.get("jobs", 1)) > 1:
        sec = float(last["elapsed_s"])
        note = " (interrupted)" if last.get("interrupted") else ""
        rows.append(
            f"| **elapsed, up to {last['jobs']} at a time ({len(notebooks)} notebooks){note}** "
            f"| **{sec:.0f}** | **{_clock(sec)}** | |"
        )
    if shared:
        rows.append("")
        rows.append(
            "Notebooks that ran beside another include the time they shared the cores; the total is their "
            "sum, the elapsed time what the run took."
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m helpers.pipeline.timings", description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="book", help="the profile whose manifest to read (default: book)")
    ap.add_argument("--run", action="store_true", help="run every notebook of the profile first")
    ap.add_argument("--runs", default=None, help="runs folder (default: <repo>/runs)")
    ap.add_argument("--limit", type=float, default=LIMIT_S, help=f"flag notebooks over this many seconds ({LIMIT_S})")
    ap.add_argument("--jobs", type=int, default=1, help="with --run: notebooks at once (as ./tasks book: 2)")
    args = ap.parse_args(argv)
    runs = Path(args.runs) if args.runs else repo_root() / "runs"
    if args.run:
        cmd = [sys.executable, "-m", "helpers.pipeline.run", "all", "--profile", args.profile, "--keep-going"]
        cmd += ["--out", str(runs), "--jobs", str(args.jobs)]
        subprocess.run(cmd, check=False)
    path = runs / args.profile / MANIFEST
    if not path.is_file():
        print(f"error: no manifest at {path}; run the notebooks first (--run)", file=sys.stderr)
        return 2
    try:
        print(table(read_manifest(path.parent), limit_s=args.limit))
    except ValueError as err:
        print(f"error: {path}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
