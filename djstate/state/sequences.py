"""Sequences written as sums: ``Parent.Meta.fields + ("x",)`` and ``[*Base.Meta.indexes, X]``.

The parser keeps them symbolic when a part is a name; once the names are resolved they are
added up the way Python would. A part that stays unknown leaves the whole value unknown.
"""

from __future__ import annotations

from typing import Any, Callable

from djstate.facts.values import SPLICE, Call, Opaque, render


def fold(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """The value with its sums added up; ``leaf`` resolves every other part."""
    if isinstance(value, Call) and value.path == "operator.add" and len(value.args) == 2:
        left, right = (fold(a, leaf) for a in value.args)
        if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            return type(left)(left) + type(left)(right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return Opaque(" + ".join(render(a) for a in value.args))
    if isinstance(value, Call) and value.path == SPLICE:
        items: list = []
        for part in value.args:
            part = leaf(part) if isinstance(part, list) else fold(part, leaf)
            if not isinstance(part, (list, tuple)):
                return Opaque(render(value))
            items.extend(part)
        return tuple(items) if value.kwargs.get("kind") == "tuple" else items
    return leaf(value)


def is_sum(value: Any) -> bool:
    return isinstance(value, Call) and (value.path == SPLICE or value.path == "operator.add")
