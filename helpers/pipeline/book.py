"""Build the Jupyter Book from notebooks executed by :mod:`helpers.pipeline.run`.

The committed notebooks carry no outputs. The book shows the outputs of a profile's run: this
module copies ``_config.yml``, ``_toc.yml``, ``book/`` and the executed notebooks from
``runs/<profile>/`` into a staging folder laid out like the repository, and builds that with
``jupyter-book build -W -n --keep-going`` (warnings are errors; ``execute_notebooks: "off"`` in
``_config.yml`` so nothing is executed twice).

It refuses (``RunError`` naming every offending notebook) unless each notebook of ``_toc.yml`` has
an ``ok`` entry in ``runs/<profile>/manifest.json`` that was run from the same notebook and helpers
sources (``code_hash``) with the parameters the profile plans now, and no executed notebook holds
an error output. See :func:`check_runs`.

    python -m helpers.pipeline.book --profile book        # -> _build/html
    python -m helpers.pipeline.book --profile smoke --out /tmp/smoke-book
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from helpers.pipeline.paths import repo_root
from helpers.pipeline.run import MANIFEST, RunError, code_hash, git_state, plan, read_manifest


def toc_files(toc_path: Path) -> list[str]:
    """Every file named in ``_toc.yml`` (root, chapters, sections), as written there."""
    import yaml

    toc = yaml.safe_load(toc_path.read_text())
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    out.append(node[key])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return out


# keys may hold any character but white space, ':' and '}' (e.g. "accuracy.bilinear/4", "SDSS→SDSS")
_PLACEHOLDER = re.compile(r"(?<!\\)\{\{\s*(m|s|r|rs):([\w.-]+):([^\s:}]+)(?::([^}\s]+))?\s*\}\}")


def _run_metrics(folder: Path) -> dict[str, dict]:
    from helpers.pipeline.metrics import collect_run_metrics

    return {name: m["metrics"] for name, m in collect_run_metrics(folder).items()}


def records(folder: Path | None = None) -> dict[str, dict]:
    """``{record name: metrics}`` of the committed paper-scale records, ``book/records/NAME.metrics.json``."""
    from helpers.pipeline.metrics import read_metrics

    folder = Path(folder) if folder is not None else repo_root() / "book" / "records"
    return {
        p.name.removesuffix(".metrics.json"): read_metrics(p)["metrics"] for p in sorted(folder.glob("*.metrics.json"))
    }


def fill_metrics(
    text: str, metrics: dict[str, dict], where: str = "page", recorded: dict[str, dict] | None = None
) -> str:
    """Replace ``{{ m:NOTEBOOK:dotted.key:FORMAT }}`` by a number from that notebook's metrics of
    the run being rendered, and ``{{ s:NOTEBOOK:dotted.key:DIGITS }}`` (a summary with mean, std,
    sem, n) by "mean ± std" (``DIGITS`` decimals, default 3; ``%1`` gives a fraction as
    "mean ± std %" with 1 decimal). ``{{ r:RECORD:… }}`` and ``{{ rs:RECORD:… }}`` do the same from a
    committed record (``book/records/RECORD.metrics.json``, e.g. a paper-scale run on a GPU).
    Prose pages thus quote only numbers that a run produced."""
    from helpers.pipeline.regression import flatten

    flat = {nb: flatten(m) for nb, m in metrics.items()}
    flat_records = {name: flatten(m) for name, m in (recorded or {}).items()}

    def sub(match):
        kind, nb, key, fmt = match.groups()
        source = flat_records if kind in ("r", "rs") else flat
        if nb not in source:
            what = "record in book/records" if kind in ("r", "rs") else "metrics in this run"
            raise RunError(f"{where}: {match.group(0)} names {nb!r}, which has no {what}")
        if kind in ("m", "r"):
            if key not in source[nb]:
                raise RunError(f"{where}: {match.group(0)}: no metric {key!r} in {nb}")
            return format(source[nb][key], fmt or "")
        percent = bool(fmt) and fmt.startswith("%")
        digits = int((fmt[1:] if percent else fmt) or (1 if percent else 3))
        try:
            mean, std = source[nb][f"{key}.mean"], source[nb][f"{key}.std"]
        except KeyError:
            raise RunError(f"{where}: {match.group(0)}: {key!r} in {nb} is not a summary (mean, std)") from None
        if percent:
            return f"{100 * mean:.{digits}f} ± {100 * std:.{digits}f} %"
        return f"{mean:.{digits}f} ± {std:.{digits}f}"

    return _PLACEHOLDER.sub(sub, text)


def unescape(text: str) -> str:
    """A page shows a placeholder literally (e.g. on the running page) by writing ``\\{{``; the
    fillers skip it and this turns it back into ``{{``."""
    return text.replace("\\{{", "{{")


_SOURCES = re.compile(r"(?<!\\)\{\{\s*sources:([\w.]+)\s*\}\}")


def fill_sources(text: str, where: str = "page") -> str:
    """Replace ``{{ sources:MODULE }}`` (e.g. ``{{ sources:helpers.gaps.constants }}``) by the table of
    that module's ``SOURCES`` registry (:func:`helpers.sources.table`): each number's value is read from
    the code now, so a "Sources and assumptions" page cannot disagree with the simulators."""
    from helpers.sources import table

    def sub(match):
        try:
            return table(match.group(1))
        except (LookupError, ImportError) as err:
            raise RunError(f"{where}: {match.group(0)}: {err}") from None

    return _SOURCES.sub(sub, text)


def _build_roots(src: Path) -> list[str]:
    """Absolute folders of the build machine that may appear in an executed notebook: the
    repository, the runs folder, the data cache, the Python environment, the home folder."""
    import os

    from helpers.pipeline.paths import cache_dir

    roots = {
        str(repo_root()),
        str(src.resolve().parent),
        str(src.resolve().parent.parent),
        sys.prefix,
        sys.base_prefix,
        str(Path.home()),
    }
    try:
        roots.add(str(cache_dir()))
    except Exception:  # an unwritable cache must not stop the book; it is only scrubbed here
        pass
    if os.environ.get("PHYSML_CACHE"):
        roots.add(os.environ["PHYSML_CACHE"])
    # longest first, so that /a/b/c is replaced before /a/b; never "/" alone
    return sorted((r.rstrip("/") for r in roots if r and r.rstrip("/")), key=len, reverse=True)


def _copy_for_book(src: Path, dst: Path) -> None:
    """Copy an executed notebook as the book serves it (the page and its .ipynb download) with
    nothing of the build machine in it:

    * papermill's injected cell loses its ``METRICS_PATH`` line (an absolute path on the build
      machine that teaches nothing; a reader's run uses the notebook's own default); the cell
      goes when nothing else is left in it, and stays visible when it sets profile parameters;
    * papermill's notebook metadata (input and output paths, the parameters) is dropped;
    * stderr streams are dropped, as the page drops them (``nb_output_stderr: remove`` in
      ``_config.yml``: TensorFlow's start-up lines), so the download shows what the page shows;
    * a progress line of ``repeat_fit(progress=True)`` (a display updated in place while the
      notebook ran) becomes a line of printed text, so that it joins the cell's other prints in
      one box (``nb_merge_streams``) and is never taken for a figure of a captioned cell;
    * any remaining absolute path under the build machine's repository, runs folder, data
      cache, Python environment or home folder (e.g. in a warning's stderr output) is written
      relative to that folder as ``<repo>/...``, ``<venv>/...`` and so on."""
    import json

    import nbformat

    nb = nbformat.read(src, as_version=4)
    cells = []
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            kept = [l for l in cell.source.splitlines() if not l.startswith("METRICS_PATH")]
            if not [l for l in kept if l.strip() and not l.startswith("#")]:
                continue
            cell.source = "\n".join(kept)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [
                _progress_as_text(o) for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    names = {str(repo_root()): "<repo>", sys.prefix: "<venv>", sys.base_prefix: "<python>", str(Path.home()): "~"}
    for root in _build_roots(src):
        text = re.sub(re.escape(root) + r"(?=[/\\\"'\s:]|$)", names.get(root, "<build>").replace("\\", r"\\"), text)
    nbformat.validate(nbformat.reads(text, as_version=4))
    dst.write_text(text)


def _progress_as_text(output):
    """A progress display (marked by helpers.nn.training.PROGRESS_METADATA) as a stdout line."""
    import nbformat

    from helpers.nn.training import PROGRESS_METADATA

    marked = all(output.get("metadata", {}).get(k) == v for k, v in PROGRESS_METADATA.items())
    if output.output_type == "display_data" and marked:
        return nbformat.v4.new_output("stream", name="stdout", text=output.data.get("text/plain", "") + "\n")
    return output


def _error_outputs(executed: Path) -> list[int]:
    """Indices of the code cells of an executed notebook that hold an error output."""
    import json

    try:
        cells = json.loads(executed.read_text()).get("cells", [])
    except (OSError, ValueError):
        return [-1]
    return [i for i, c in enumerate(cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []) or [])]


def check_runs(profile: str, runs: Path | None = None) -> list[str]:
    """The toc's notebook entries if the run of ``profile`` under ``runs`` may be published.

    Every notebook of ``_toc.yml`` must have an ``ok`` entry in ``<runs>/<profile>/manifest.json``
    whose ``code_hash`` (notebook bytes + helpers + pyproject.toml) and parameters equal what the
    profile would run now, and its executed copy must hold no error output. The commit is not
    required to match: content, not history, decides; a differing commit is only reported.
    Raises ``RunError`` listing every offending notebook."""
    root = repo_root()
    runs = Path(runs) if runs is not None else root / "runs"
    folder = runs / profile
    manifest = read_manifest(folder)["notebooks"]
    entries = [e for e in toc_files(root / "_toc.yml") if e.startswith("notebooks/")]
    rels = [Path(e if e.endswith(".ipynb") else e + ".ipynb") for e in entries]
    jobs = plan([str(root / r) for r in rels], profile, out_root=runs)
    now = git_state()
    problems, notes = [], []
    for rel, job in zip(rels, jobs):
        key = str(rel.relative_to("notebooks"))
        entry = manifest.get(key)
        wanted = {k: v for k, v in job.parameters.items() if k != "METRICS_PATH"}
        if entry is None:
            problems.append(f"{key}: not in {folder / MANIFEST} (never run with --profile {profile})")
            continue
        if entry.get("status") != "ok":
            err = entry.get("error") or {}
            cell = f" at cell {err['cell']}" if err.get("cell") is not None else ""
            why = f" ({err.get('ename')}: {err.get('evalue')})" if err else ""
            problems.append(f"{key}: status {entry.get('status')!r}{cell}{why}")
            continue
        if entry.get("code_hash") != code_hash(job.notebook):
            problems.append(
                f"{key}: the notebook or helpers changed since it ran (ran at "
                f"{entry.get('describe') or entry.get('commit') or 'an unknown commit'}, "
                f"now {now['describe'] or now['commit'] or 'outside git'})"
            )
            continue
        ran = entry.get("parameters") or {}
        if ran != wanted:
            changed = sorted(k for k in set(wanted) | set(ran) if ran.get(k, "<default>") != wanted.get(k, "<default>"))
            diffs = ", ".join(
                f"{k} ran {ran.get(k, '<default>')!r}, now {wanted.get(k, '<default>')!r}" for k in changed
            )
            problems.append(f"{key}: ran with other parameters than profile {profile!r} plans now ({diffs})")
            continue
        executed = folder / rel.relative_to("notebooks")
        if not executed.is_file():
            problems.append(f"{key}: executed notebook {executed} is missing")
            continue
        bad = _error_outputs(executed)
        if bad:
            problems.append(f"{key}: executed notebook holds error output in cell(s) {', '.join(map(str, bad))}")
            continue
        if entry.get("commit") != now["commit"]:
            notes.append(key)
    if problems:
        raise RunError(
            f"refusing to build the book from {folder}: "
            f"{len(problems)} notebook(s) have no current, successful run (run "
            f"'python -m helpers.pipeline.run <notebook> --profile {profile}'):\n  " + "\n  ".join(problems)
        )
    if notes:
        print(
            f"note: {len(notes)} notebook(s) ran at another commit than {now['describe']}, "
            f"with identical notebook and helpers sources: {', '.join(notes)}"
        )
    return [str(r) for r in rels]


def stage(profile: str, staging: Path, runs: Path | None = None) -> list[str]:
    """Lay out the book's sources with executed notebooks; return the toc's notebook entries."""
    root = repo_root()
    runs = Path(runs) if runs is not None else root / "runs"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, staging / name)
    shutil.copytree(root / "book", staging / "book")
    from helpers.pipeline.record import fill_records, read_records, stale_reasons

    metrics = _run_metrics(runs / profile)
    whole = read_records()
    recorded = {name: data["metrics"] for name, data in whole.items()}
    for page in sorted((staging / "book").glob("*.md")):
        text, stale = fill_records(page.read_text(), whole, where=page.name)
        quoted = {nb for kind, nb, _key, _fmt in _PLACEHOLDER.findall(text) if kind in ("r", "rs")}
        for name in sorted(quoted & set(whole)):
            reasons = stale_reasons(whole[name])
            if reasons and not any(f"record {name} is stale" in w for w in stale):
                stale.append(f"{page.name}: quotes record {name}, which is stale: {'; '.join(reasons)}")
        for warning in stale:
            print(f"warning: {warning}", file=sys.stderr)
        filled = fill_sources(fill_metrics(text, metrics, where=page.name, recorded=recorded), where=page.name)
        page.write_text(unescape(filled))
    notebooks = []
    missing = []
    for entry in toc_files(root / "_toc.yml"):
        if not entry.startswith("notebooks/"):
            continue
        rel = Path(entry if entry.endswith(".ipynb") else entry + ".ipynb")
        executed = runs / profile / rel.relative_to("notebooks")
        if not executed.is_file():
            missing.append(str(executed))
            continue
        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
        _copy_for_book(executed, staging / rel)
        notebooks.append(str(rel))
    if missing:
        raise RunError(
            f"the book needs executed notebooks that are missing (run "
            f"'python -m helpers.pipeline.run all --profile {profile}' first): {', '.join(missing)}"
        )
    return notebooks


def build(profile: str = "book", out: Path | None = None, runs: Path | None = None) -> Path:
    """Stage and build; return the HTML folder. Raises ``RuntimeError`` if Sphinx fails."""
    root = repo_root()
    out = Path(out) if out is not None else root
    # beside, not inside, runs/<profile>: the staged pages carry book/records/*.metrics.json,
    # which must never be mistaken for this run's metrics
    staging = (Path(runs) if runs else root / "runs") / f"_book_src-{profile}"
    check_runs(profile, runs)
    stage(profile, staging, runs)
    html = out / "_build" / "html"
    if html.exists():
        shutil.rmtree(html)
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        str(staging),
        "--path-output",
        str(out),
        "--all",
        "-W",
        "-n",
        "--keep-going",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not (html / "index.html").is_file():
        sys.stdout.write(proc.stdout[-20000:])
        sys.stderr.write(proc.stderr[-20000:])
        raise RuntimeError(f"jupyter-book build failed (exit {proc.returncode}); see the log above")
    print(f"book built in {time.perf_counter() - t0:.1f} s: {html / 'index.html'}")
    return html


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m helpers.pipeline.book",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--profile", default="book")
    ap.add_argument("--out", default=None, help="folder that receives _build/html (default: repo)")
    args = ap.parse_args(argv)
    try:
        build(args.profile, Path(args.out).resolve() if args.out else None)
    except (RunError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
