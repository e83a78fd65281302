"""The "Sources and assumptions" registries (helpers/sources.py) and the pages the book makes of them.

Coverage rule (also in helpers/sources.py): every module-level UPPER_CASE name of a constants module
whose value holds numbers — an int or float, a tuple or list of them (nested), a dict or a dataclass
instance with such values — has a registry entry, for itself or for each of its numeric members. A
dataclass instance reachable under two names (``SURVEYS["sdss"]`` is ``SDSS``) is covered through
either. Strings (Pythia settings) need no entry.
"""

import dataclasses
import importlib
import math
import re
import tomllib

import pytest
import yaml

from conftest import ROOT
from helpers import sources as S
from helpers.pipeline.book import fill_sources, toc_files
from helpers.pipeline.run import RunError

MODULES = [
    "helpers.gaps.constants",
    "helpers.galaxies.sky.constants",
    "helpers.galaxies.sky.debias",
    "helpers.zjets.constants",
]
PAGES = {
    "book/sources-ch02": ["helpers.gaps.constants"],
    "book/sources-galaxies": ["helpers.galaxies.sky.constants", "helpers.galaxies.sky.debias"],
    "book/sources-ch05": ["helpers.zjets.constants"],
}
LANDING = {
    "book/ch01-perceptron-to-cnn": ["sources-ch02", "sources-galaxies", "sources-ch05"],
    "book/ch02-gaps-antiparticles": ["sources-ch02"],
    "book/ch03-galaxy-zoo": ["sources-galaxies"],
    "book/ch04-resolution": ["sources-galaxies"],
    "book/ch05-omnifold": ["sources-ch05"],
}
BIB_KEYS = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text()))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_numeric_sequence(v) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(_is_number(x) or _is_numeric_sequence(x) for x in v)


def required(module) -> dict[object, set[str]]:
    """Every numeric leaf of a module's UPPER_CASE names: {leaf identity: the paths that reach it}.
    Inside a dataclass instance a leaf's identity is (id(instance), field path), so aliases merge."""
    out: dict[object, set[str]] = {}

    def walk(value, path, owner):
        if _is_number(value) or _is_numeric_sequence(value):
            key = (owner[0], path[len(owner[1]) :]) if owner else path
            out.setdefault(key, set()).add(path)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}", owner)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            inner = (id(value), path)
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{path}.{f.name}", inner)

    for name in sorted(vars(module)):
        if name.isupper() and not name.startswith("_"):
            walk(getattr(module, name), name, None)
    return out


def _covered(path: str, names: set[str]) -> bool:
    return any(path == n or path.startswith(n + ".") for n in names)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_numeric_constant_is_registered(module_name):
    module = importlib.import_module(module_name)
    names = {e.name for e in S.registry(module_name) if e.module is None}
    leaves = required(module)
    assert leaves, f"{module_name}: no numeric constants found (the walk is broken)"
    missing = sorted(min(paths) for paths in leaves.values() if not any(_covered(p, names) for p in paths))
    assert not missing, f"{module_name}: constants without a Source in SOURCES: {missing}"


@pytest.mark.parametrize("module_name", MODULES)
def test_every_registry_name_resolves_once(module_name):
    entries = S.registry(module_name)
    keys = [(e.module, e.name) for e in entries]
    assert len(keys) == len(set(keys)), f"{module_name}: duplicate entries"
    for e in entries:
        S.value_of(module_name, e)  # raises LookupError / ImportError


@pytest.mark.parametrize("module_name", MODULES)
def test_every_source_is_in_the_bibliography_or_named(module_name):
    for e in S.registry(module_name):
        assert e.what and e.source, e
        if e.source == S.ASSUMPTION:
            assert e.assumption, f"{e.name}: source 'assumption' but assumption=False"
        if not e.assumption:
            assert e.source in BIB_KEYS | set(S.DOCS) | {S.MEASURED, S.DERIVED}, (
                f"{e.name}: source {e.source!r} is neither a key of book/references.bib nor a documentation page"
            )
        else:
            assert e.source in BIB_KEYS | set(S.DOCS) | set(S.WORDS), f"{e.name}: unknown source {e.source!r}"
        for group in re.findall(r"\{cite[tp]?\}`([^`]+)`", e.note):
            for key in group.split(","):
                assert key.strip() in BIB_KEYS, f"{e.name}: note cites {key!r}, not in references.bib"
        if e.source in (S.DERIVED, S.MEASURED):
            assert e.note, f"{e.name}: a {e.source!r} number says how in its note"


def test_resolve_paths():
    class Box:
        x = {"a": {"b": 2.0}}

    assert S.resolve(Box, "x.a.b") == 2.0
    with pytest.raises(LookupError, match="no key 'c'"):
        S.resolve(Box, "x.a.c")
    with pytest.raises(LookupError, match="no attribute 'y'"):
        S.resolve(Box, "y")


def test_format_value():
    assert S.format_value(2.33) == "2.33"
    assert S.format_value(13000.0) == "13000"
    assert S.format_value(-1.05) == "−1.05"
    assert S.format_value(0.51099895) == "0.51099895"
    assert S.format_value(-20.44 + 5 * math.log10(0.7)) == "−21.2145"  # long derived value: 6 digits
    assert S.format_value((1.0, 2.2)) == "(1, 2.2)"
    assert S.format_value({"a": 1, "b": (0.5,)}) == "a = 1, b = (0.5)"
    assert S.format_value("Tune:pp = 14") == "`Tune:pp = 14`"
    assert S.format_value(1e-12) == "1 × 10<sup>−12</sup>"
    assert S.format_source("pdg2024") == "{cite}`pdg2024`"
    assert S.format_source(S.ASSUMPTION) == "assumption"
    assert S.format_source("sdss-dr7-docs") == S.DOCS["sdss-dr7-docs"]


def _row(table: str, name: str) -> list[str]:
    rows = [r for r in table.splitlines() if r.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name}: {len(rows)} rows"
    return [c.strip() for c in rows[0].strip("|").split(" | ")]


def test_rendered_table_follows_the_code(monkeypatch):
    """Change a constant and a dataclass field: the page shows the new values, not the registry's."""
    gaps = importlib.import_module("helpers.gaps.constants")
    sky = importlib.import_module("helpers.galaxies.sky.constants")
    page = fill_sources("# x\n\n{{ sources:helpers.gaps.constants }}\n")
    row = _row(page, "SI_DENSITY")
    assert row[2:7] == ["2.33", "g/cm³", "{cite}`pdg2024`", "no", ""]
    monkeypatch.setattr(gaps, "SI_DENSITY", 2.71828)
    assert _row(fill_sources("{{sources:helpers.gaps.constants}}"), "SI_DENSITY")[2] == "2.71828"

    monkeypatch.setattr(sky, "SDSS", dataclasses.replace(sky.SDSS, pixel_scale=0.4))
    assert _row(S.table("helpers.galaxies.sky.constants"), "SDSS.pixel_scale")[2] == "0.4"
    # an entry in another module is named with that module
    assert _row(S.table("helpers.gaps.constants"), "simulate.XRAY_CUTOFF_MEV")[5] == "yes"


def test_fill_sources_errors(monkeypatch):
    with pytest.raises(RunError, match="no_such_module"):
        fill_sources("{{ sources:helpers.no_such_module }}", where="p.md")
    with pytest.raises(RunError, match="has no SOURCES"):
        fill_sources("{{ sources:helpers.stats }}", where="p.md")
    gaps = importlib.import_module("helpers.gaps.constants")
    monkeypatch.setattr(gaps, "SOURCES", (*gaps.SOURCES, S.Source("GONE", "a removed constant", "", "pdg2024", False)))
    with pytest.raises(RunError, match="GONE"):
        fill_sources("{{ sources:helpers.gaps.constants }}", where="p.md")
    assert fill_sources("{{ m:nb:x }}") == "{{ m:nb:x }}"  # metrics placeholders are not its business


def test_pages_are_in_the_toc_and_linked():
    toc = toc_files(ROOT / "_toc.yml")
    for page, modules in PAGES.items():
        assert page in toc, f"{page} is not in _toc.yml"
        text = (ROOT / f"{page}.md").read_text()
        for m in modules:
            assert f"{{{{ sources:{m} }}}}" in text, f"{page} does not render {m}"
        rendered = fill_sources(text, where=page)
        assert "{{" not in rendered
        assert rendered.count("\n| `") == sum(len(S.registry(m)) for m in modules)
    for page, links in LANDING.items():
        text = (ROOT / f"{page}.md").read_text()
        for link in links:
            assert f"{{doc}}`{link}`" in text, f"{page} does not link {link}"


def test_license_and_citation_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Copyright (c) 2026 the physml-book authors" in text
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == project["version"]
    assert cff["license"] == "MIT"
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert [a.get("name") for a in cff["authors"]] == [config["author"]]
    refs = " ".join(str(r) for r in cff["references"])
    for needle in ("2405.20041", "Homma", "GAPS"):
        assert needle in refs
