"""Parameter domains: what values a notebook parameter may take, declared beside its default.

Every line of a notebook's ``parameters`` cell (except ``METRICS_PATH``, which the runner sets)
ends with a comment that starts with the parameter's domain; free text may follow after ``;``::

    BATCH_SIZE = 32                # int >= 1
    LEARNING_RATE = 3e-4           # float > 0; Adam's step size
    VAL_FRACTION = 0.2             # float in (0, 1)
    INCIDENCE = "fixed"            # one of "fixed", "random"
    FRACTIONS = [0.7, 0.1, 0.2]    # list of float in (0, 1)

Grammar (``book/running.md`` shows the same table)::

    DOMAIN    := TYPE [CONDITION] | [TYPE] "one of" LITERAL {"," LITERAL} | "list of" DOMAIN | "dict"
    TYPE      := "int" | "float" | "str" | "bool"
    CONDITION := OP NUMBER ["and" OP NUMBER]          OP is one of >=, >, <=, <
               | "in" ("[" | "(") NUMBER "," NUMBER ("]" | ")")   closed [ ], open ( )

``list of`` means a non-empty list whose every element lies in the inner domain; ``dict`` a
non-empty mapping whose entries the notebook itself checks (e.g. named generator settings). A ``float``
is never NaN or infinite, whatever its domain says. An ``int`` domain takes only integers, a
``float`` domain integers or floats (the runner converts them), ``bool`` only ``True``/``False``.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from typing import Any


class DomainSyntaxError(ValueError):
    """A domain comment that does not follow the grammar; the message quotes it."""


_TYPES = {"int": int, "float": float, "str": str, "bool": bool}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_OPS = {">=": lambda v, b: v >= b, ">": lambda v, b: v > b, "<=": lambda v, b: v <= b, "<": lambda v, b: v < b}


@dataclass(frozen=True)
class Domain:
    """A parsed domain; :meth:`problem` says why a value lies outside it (``None`` if inside)."""

    text: str
    type: str  # int, float, str, bool or list
    bounds: tuple[tuple[str, float], ...] = ()  # ((op, bound), ...), all must hold
    choices: tuple[Any, ...] | None = None
    element: Domain | None = None  # for lists

    def __str__(self) -> str:
        return self.text

    def problem(self, value: Any) -> str | None:
        if self.type == "dict":
            if not isinstance(value, dict):
                return f"{value!r} is not a dict"
            return "the dict is empty" if not value else None
        if self.type == "list":
            if not isinstance(value, (list, tuple)):
                return f"{value!r} is not a list"
            if not value:
                return "the list is empty"
            for i, x in enumerate(value):
                why = self.element.problem(x)
                if why is not None:
                    return f"element [{i}] = {x!r}: {why}"
            return None
        if self.type == "bool":
            if not isinstance(value, bool):
                return f"{value!r} is not a bool (True or False)"
        elif self.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{value!r} is not an int"
        elif self.type == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{value!r} is not a number"
            if not math.isfinite(value):
                return f"{value!r} is not finite (NaN and infinities are never valid parameters)"
        elif self.type == "str":
            if not isinstance(value, str):
                return f"{value!r} is not a str"
        if self.choices is not None and value not in self.choices:
            return f"{value!r} is not one of {', '.join(repr(c) for c in self.choices)}"
        for op, bound in self.bounds:
            if not _OPS[op](value, bound):
                return f"{value!r} is not {op} {bound!r}"
        return None


def _number(token: str, text: str) -> float | int:
    try:
        value = ast.literal_eval(token.lstrip("+"))
    except (ValueError, SyntaxError):
        raise DomainSyntaxError(f"domain '{text}': {token!r} is not a number") from None
    return value


def parse_domain(text: str) -> Domain:
    """Parse one domain (the grammar is in the module docstring); ``DomainSyntaxError`` if bad."""
    full = text
    text = " ".join(text.split())
    if not text:
        raise DomainSyntaxError("empty domain")
    if text == "dict":
        return Domain(text=text, type="dict")
    m = re.fullmatch(r"list of (.+)", text)
    if m:
        inner = parse_domain(m.group(1))
        if inner.type == "list":
            raise DomainSyntaxError(f"domain '{full}': lists of lists are not supported")
        return Domain(text=text, type="list", element=inner)
    m = re.fullmatch(r"(?:(int|float|str) )?one of (.+)", text)
    if m:
        try:
            choices = ast.literal_eval("[" + m.group(2) + "]")
        except (ValueError, SyntaxError):
            raise DomainSyntaxError(
                f"domain '{full}': the choices after 'one of' must be literals "
                f'separated by commas, e.g. one of "a", "b"'
            ) from None
        if not choices:
            raise DomainSyntaxError(f"domain '{full}': 'one of' needs at least one choice")
        kinds = {type(c).__name__ for c in choices}
        kind = m.group(1) or (kinds.pop() if len(kinds) == 1 else None)
        if kind not in _TYPES or any(Domain("", kind).problem(c) for c in choices):
            raise DomainSyntaxError(f"domain '{full}': the choices must all be of one type (int, float, str or bool)")
        return Domain(text=text, type=kind, choices=tuple(choices))
    m = re.fullmatch(r"(int|float|str|bool)(?: (.+))?", text)
    if not m:
        raise DomainSyntaxError(f"domain '{full}' does not start with int, float, str, bool, 'one of' or 'list of'")
    kind, cond = m.groups()
    if cond is None:
        return Domain(text=text, type=kind)
    if kind in ("str", "bool"):
        raise DomainSyntaxError(f"domain '{full}': a {kind} takes no range (use 'one of')")
    m = re.fullmatch(rf"in ?([\[(]) ?({_NUMBER}) ?, ?({_NUMBER}) ?([\])])", cond)
    if m:
        lo_br, lo, hi, hi_br = m.groups()
        bounds = (
            (">=" if lo_br == "[" else ">", _number(lo, full)),
            ("<=" if hi_br == "]" else "<", _number(hi, full)),
        )
    else:
        m = re.fullmatch(rf"(>=|>|<=|<) ?({_NUMBER})(?: and (>=|>|<=|<) ?({_NUMBER}))?", cond)
        if not m:
            raise DomainSyntaxError(
                f"domain '{full}': '{cond}' is not a condition such as '>= 1', '> 0 and <= 1' or 'in [0, 1)'"
            )
        op1, b1, op2, b2 = m.groups()
        bounds = ((op1, _number(b1, full)),) + (((op2, _number(b2, full)),) if op2 else ())
    return Domain(text=text, type=kind, bounds=bounds)


def split_comment(comment: str) -> tuple[str, str]:
    """``"# int >= 1; epochs"`` -> ``("int >= 1", "epochs")``: the domain and the free text.

    The domain ends at the first ``;`` outside quotes (``one of "a;b"`` stays whole)."""
    body = comment.lstrip("#").strip()
    quote = None
    for i, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == ";":
            return body[:i].strip(), body[i + 1 :].strip()
    return body, ""
