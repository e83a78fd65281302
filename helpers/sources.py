"""Where every physical number of the simulators comes from, in a form the book can render.

Each constants module ends with a registry ``SOURCES``: one :class:`Source` per number, naming the
number by its attribute path in the module (``"SI_DENSITY"``, a dataclass field ``"SDSS.pixel_scale"``,
a dict entry ``"MUON_RES_A.barrel"``) or, with ``module=``, in another module of the same chapter
(``Source("XRAY_CUTOFF_MEV", ..., module="helpers.gaps.simulate")``). The value is never copied into
the registry: :func:`table` reads it from the code when the book is built (``{{ sources:MODULE }}``
in a page of ``book/``, filled by :func:`helpers.pipeline.book.fill_sources`), so the "Sources and
assumptions" pages cannot disagree with the simulators.

``source`` is one of

* a key of ``book/references.bib`` (rendered as a citation);
* a key of :data:`DOCS`, a documentation page without a bibliography entry (rendered as text);
* :data:`ASSUMPTION` (our choice; the note says why), :data:`MEASURED` (measured or tuned with this
  repository's code; the note says where) or :data:`DERIVED` (follows from other registered numbers
  or from a definition; the note says how).

``assumption`` is True for every number that could not be checked against a primary source, even
when a bibliography key motivates it (e.g. a value tuned to reproduce a published distribution).

What a registry must cover (``tests/test_sources.py``): every module-level UPPER_CASE name of the
constants module whose value holds numbers — an int or float, a tuple or list of them (nested), a
dict or a dataclass instance with such values. A dict or dataclass is covered by an entry for it as
a whole or by entries for each of its numeric members (recursively); a dataclass instance reachable
under two names (``SURVEYS["sdss"]`` is ``SDSS``) is covered through either. Strings (Pythia
settings, column names) need no entry but may have one. Entries with ``module=`` are checked to
resolve, not for completeness of that other module.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from dataclasses import dataclass

ASSUMPTION = "assumption"
MEASURED = "measured here"
DERIVED = "derived"
WORDS = (ASSUMPTION, MEASURED, DERIVED)

#: documentation pages that are sources but not bibliography entries (key -> text shown in the book)
DOCS: dict[str, str] = {
    "sdss-dr7-docs": "SDSS DR7 online documentation (classic.sdss.org/dr7): imaging, PSF and calibration pages",
    "pythia-manual": "Pythia 8.3 online manual (pythia.org), process and tune settings",
}


@dataclass(frozen=True)
class Source:
    """One registered number: its attribute path, what it is, its unit, where it comes from."""

    name: str  # attribute path in the module: "SI_DENSITY", "SDSS.pixel_scale", "FINAL_STATE.antiproton.local"
    what: str  # a few words for the table
    unit: str  # "" for a dimensionless number
    source: str  # a key of book/references.bib, a key of DOCS, or one of WORDS
    assumption: bool
    note: str = ""  # how the value follows from the source (MyST: may hold {cite}`key`)
    module: str | None = None  # the module holding the number, if not the registry's own

    def __post_init__(self):
        if not self.name or not self.source:
            raise ValueError(f"a Source needs a name and a source, got {self!r}")


def resolve(obj, path: str):
    """The value at a dotted ``path`` inside ``obj`` (module, class, dataclass instance or dict):
    each step is an attribute, or a key where the value is a dict. Raises ``LookupError``."""
    value = obj
    for step in path.split("."):
        if isinstance(value, dict):
            if step not in value:
                raise LookupError(f"{path!r}: no key {step!r}")
            value = value[step]
        elif hasattr(value, step):
            value = getattr(value, step)
        else:
            raise LookupError(f"{path!r}: no attribute {step!r} in {type(value).__name__}")
    return value


def registry(module_name: str) -> tuple[Source, ...]:
    """The ``SOURCES`` of a module, by its dotted name."""
    module = importlib.import_module(module_name)
    sources = getattr(module, "SOURCES", None)
    if sources is None:
        raise LookupError(f"{module_name} has no SOURCES registry")
    return tuple(sources)


def value_of(module_name: str, entry: Source):
    """The current value of a registered number (read from the code, never from the registry)."""
    return resolve(importlib.import_module(entry.module or module_name), entry.name)


def _number(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}".replace(",", " ") if abs(v) >= 10_000 else str(v)
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    text = repr(v)
    if "e" not in text and len(text.replace("-", "").replace(".", "").lstrip("0")) > 9:
        text = f"{v:.6g}"  # a derived value such as -20.44 + 5 log10(0.7): six significant digits
    if text.endswith(".0"):
        text = text[:-2]
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant} × 10<sup>{int(exp)}</sup>"
    return text.replace("-", "−")


def format_value(v) -> str:
    """A value as the table shows it: numbers in their shortest exact form (six significant digits
    for long derived ones), sequences in parentheses, dicts and dataclasses as ``key = value``."""
    if isinstance(v, str):
        return f"`{v}`"
    if isinstance(v, (int, float)):
        return _number(v)
    if hasattr(v, "__float__") and not isinstance(v, (list, tuple, dict)):
        return _number(float(v))
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(format_value(x) for x in v) + ")"
    if isinstance(v, dict):
        return ", ".join(f"{k} = {format_value(x)}" for k, x in v.items())
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return ", ".join(f"{f.name} = {format_value(getattr(v, f.name))}" for f in dataclasses.fields(v))
    return str(v)


def format_source(source: str) -> str:
    """A source as the table shows it: a citation, a documentation page's text, or the word."""
    if source in DOCS:
        return DOCS[source]
    if source in WORDS:
        return source
    return f"{{cite}}`{source}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(module_name: str) -> str:
    """The Markdown table of a module's registry: name, what, value (from the code), unit, source,
    assumption, note. Raises ``LookupError`` naming the first entry that does not resolve."""
    rows = [
        "| name | what | value | unit | source | assumption | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in registry(module_name):
        try:
            value = value_of(module_name, entry)
        except (LookupError, ImportError) as err:
            raise LookupError(f"{module_name}.SOURCES: {entry.name}: {err}") from None
        name = f"{entry.module.rsplit('.', 1)[-1]}.{entry.name}" if entry.module else entry.name
        cells = [
            f"`{name}`",
            entry.what,
            format_value(value),
            entry.unit,
            format_source(entry.source),
            "yes" if entry.assumption else "no",
            entry.note,
        ]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def counts(module_name: str) -> dict[str, int]:
    """How many entries of a module's registry are sourced and how many are assumptions."""
    entries = registry(module_name)
    n_assumed = sum(e.assumption for e in entries)
    return {"entries": len(entries), "sourced": len(entries) - n_assumed, "assumptions": n_assumed}
