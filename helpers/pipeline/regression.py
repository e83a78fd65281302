"""Regression check: compare a run's metrics with recorded reference values.

The reference file (``tests/reference/<profile>.json``) holds the values that the book's pages
cite (every ``{{ m:… }}`` and ``{{ s:… }}`` placeholder under ``book/``), as the run recorded them,
and the software versions it was recorded with; the tolerance of each key comes from the first
matching pattern in ``tests/reference/tolerances.yml``. What the pages do not cite is guarded by
the tests' own assertions (``tests/test_notebooks.py``), not by recorded values. Record after an
intended change:

    python -m helpers.pipeline.regression record runs/smoke tests/reference/smoke.json
    python -m helpers.pipeline.regression compare runs/smoke tests/reference/smoke.json
"""

from __future__ import annotations

import argparse
import fnmatch
import json
from pathlib import Path
from typing import Any

from helpers.pipeline.metrics import collect_run_metrics, write_json


def flatten(metrics: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [2, 3]}`` -> ``{"a.b": 1, "c[0]": 2, "c[1]": 3}`` (None is skipped)."""
    out: dict[str, Any] = {}
    if isinstance(metrics, dict):
        for k, v in metrics.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(metrics, list):
        for i, v in enumerate(metrics):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif metrics is not None:
        out[prefix] = metrics
    return out


def collect(runs_dir: Path) -> dict[str, dict[str, Any]]:
    """``{notebook name: flattened metrics}`` for every ``*.metrics.json`` under ``runs_dir``."""
    found = collect_run_metrics(runs_dir)
    if not found:
        raise FileNotFoundError(f"no *.metrics.json under {runs_dir}")
    return {name: flatten(m["metrics"]) for name, m in found.items()}


def cited_keys(book_dir: Path | None = None) -> dict[str, set[str]]:
    """``{notebook: {dotted keys}}`` that the pages under ``book/`` quote through placeholders
    (a summary placeholder ``{{ s:… }}`` quotes its ``.mean`` and ``.std``)."""
    from helpers.pipeline.book import _PLACEHOLDER
    from helpers.pipeline.paths import repo_root

    book_dir = Path(book_dir) if book_dir is not None else repo_root() / "book"
    out: dict[str, set[str]] = {}
    for page in sorted(book_dir.rglob("*.md")):
        for kind, nb, key, _fmt in _PLACEHOLDER.findall(page.read_text()):
            if kind not in ("m", "s"):  # committed records are not re-run
                continue
            out.setdefault(nb, set()).update([key] if kind == "m" else [f"{key}.mean", f"{key}.std"])
    return out


def reference_values(reference: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``{notebook: {key: value}}`` part of a reference file."""
    if "values" not in reference:
        raise ValueError(
            "a regression reference holds 'values' (and 'versions'); re-record it with "
            "'python -m helpers.pipeline.regression record runs/smoke tests/reference/smoke.json'"
        )
    return reference["values"]


def record(runs_dir: Path, book_dir: Path | None = None) -> dict[str, Any]:
    """The reference of a run: the cited values, and the versions of the software that made them."""
    found = collect_run_metrics(runs_dir)
    if not found:
        raise FileNotFoundError(f"no *.metrics.json under {runs_dir}")
    values: dict[str, dict[str, Any]] = {}
    for nb, keys in sorted(cited_keys(book_dir).items()):
        if nb not in found:
            raise KeyError(f"the book cites notebook {nb!r}, which has no metrics under {runs_dir}")
        flat = flatten(found[nb]["metrics"])
        missing = sorted(keys - set(flat))
        if missing:
            raise KeyError(f"the book cites {nb}:{missing[0]}, which the run did not write")
        values[nb] = {k: flat[k] for k in sorted(keys)}
    versions = next(iter(found.values())).get("versions", {})
    return {"versions": versions, "values": values}


def load_tolerances(path: Path) -> list[dict[str, Any]]:
    import yaml

    rules = yaml.safe_load(Path(path).read_text())
    if not isinstance(rules, list) or not all(isinstance(r, dict) and "pattern" in r for r in rules):
        raise ValueError(f"{path} must be a list of {{pattern, abs, rel}} rules")
    return rules


def tolerance_for(key: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    for rule in rules:
        if fnmatch.fnmatchcase(key, rule["pattern"]):
            return rule
    raise KeyError(f"no tolerance rule matches {key!r}")


def compare(
    current: dict[str, dict[str, Any]], reference: dict[str, dict[str, Any]], rules: list[dict[str, Any]]
) -> list[str]:
    """Human-readable failures; empty when every reference value is matched within tolerance."""
    failures = []
    for nb, ref in reference.items():
        cur = current.get(nb)
        if cur is None:
            failures.append(f"{nb}: no metrics in this run")
            continue
        for key, want in ref.items():
            full = f"{nb}:{key}"
            if key not in cur:
                failures.append(f"{full}: missing (reference {want!r})")
                continue
            got = cur[key]
            rule = tolerance_for(full, rules)
            if rule.get("skip"):
                continue
            if isinstance(want, bool) or isinstance(want, str) or isinstance(got, (bool, str)):
                if got != want:
                    failures.append(f"{full}: {got!r} != reference {want!r}")
                continue
            if "max" in rule:  # an upper bound (e.g. float rounding), not a recorded value
                if not got <= rule["max"]:
                    failures.append(f"{full}: {got:.3g} exceeds the bound {rule['max']:.3g}")
                continue
            tol = rule.get("abs", 0.0) + rule.get("rel", 0.0) * abs(want)
            if abs(got - want) > tol:
                failures.append(
                    f"{full}: {got!r} differs from reference {want!r} by "
                    f"{abs(got - want):.3g} > tolerance {tol:.3g} (rule {rule['pattern']!r})"
                )
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m helpers.pipeline.regression",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("action", choices=["record", "compare"])
    ap.add_argument("runs", help="a profile's run folder, e.g. runs/smoke")
    ap.add_argument("reference", help="the reference JSON, e.g. tests/reference/smoke.json")
    ap.add_argument("--tolerances", default=None, help="default: tolerances.yml beside the reference")
    args = ap.parse_args(argv)
    ref_path = Path(args.reference)
    if args.action == "record":
        ref = record(Path(args.runs))
        write_json(ref_path, ref)
        print(
            f"recorded {sum(map(len, ref['values'].values()))} cited values of {len(ref['values'])} "
            f"notebooks in {ref_path}"
        )
        return 0
    current = collect(Path(args.runs))
    rules = load_tolerances(Path(args.tolerances) if args.tolerances else ref_path.with_name("tolerances.yml"))
    failures = compare(current, reference_values(json.loads(ref_path.read_text())), rules)
    for f in failures:
        print(f)
    print("regression check:", "passed" if not failures else f"{len(failures)} difference(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
