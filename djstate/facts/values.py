"""Normalised source expressions, as plain data.

A value read from source is one of:

- a literal: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``;
- a container: ``list``, ``tuple``, ``dict``, ``frozenset`` of values;
- :class:`Ref`: a name resolved through the imports to a dotted path;
- :class:`Call`: a call of a resolved path with values as arguments;
- :class:`Opaque`: anything djstate cannot know statically, kept as source text.

The same representation is built from Django's own objects by the oracle tests, and
:func:`render` gives one canonical text for both, so comparing states is comparing text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass(frozen=True)
class Ref:
    """A name resolved through imports, e.g. ``django.db.models.deletion.CASCADE``."""

    path: str


@dataclass(frozen=True)
class Call:
    """A call of a resolved callable: ``path(*args, **kwargs)``."""

    path: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.path, render(self)))


@dataclass(frozen=True)
class Opaque:
    """Source djstate cannot evaluate statically (settings lookups, lambdas, locals)."""

    source: str


# `[*a, b, *c]` whose starred parts are names: Call(SPLICE, (Ref(a), [b], Ref(c)), {"kind": "list"}),
# added up by the state layer once the names are resolved
SPLICE = "djstate.splice"

Value = Union[None, bool, int, float, complex, str, bytes, list, tuple, dict, frozenset, Ref, Call, Opaque]


def render(value: Any) -> str:
    """Canonical source text of a value: dicts, sets and keyword arguments are sorted."""
    if isinstance(value, Ref):
        return value.path
    if isinstance(value, Call):
        parts = [render(arg) for arg in value.args]
        parts += [f"{key}={render(val)}" for key, val in sorted(value.kwargs.items())]
        return f"{value.path}({', '.join(parts)})"
    if isinstance(value, Opaque):
        return value.source
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, tuple):
        if len(value) == 1:
            return "(" + render(value[0]) + ",)"
        return "(" + ", ".join(render(v) for v in value) + ")"
    if isinstance(value, dict):
        items = sorted((render(k), render(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, (set, frozenset)):
        if not value:
            return "set()"
        return "{" + ", ".join(sorted(render(v) for v in value)) + "}"
    return repr(value)


def is_known(value: Any) -> bool:
    """True when no part of the value is :class:`Opaque`."""
    if isinstance(value, Opaque):
        return False
    if isinstance(value, Call):
        return all(is_known(a) for a in value.args) and all(
            is_known(v) for v in value.kwargs.values()
        )
    if isinstance(value, dict):
        return all(is_known(k) and is_known(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(is_known(v) for v in value)
    return True


def as_str(value: Any) -> str | None:
    """The value when it is a plain string, else None."""
    return value if isinstance(value, str) else None
