"""Whether a guard of a metaclass's code holds for one class.

A metaclass's ``__new__`` may change a class only under an ``if`` (a Meta given only to a model
with no concrete model among its bases). :mod:`djstate.parse.metaclasses` turns such a test into a
predicate over the class being built; this decides it from what the models state knows of
that class, in three values (None: djstate cannot tell, so the change counts).
"""

from __future__ import annotations


def guard_holds(guard: tuple, own_meta: bool, own_abstract: bool | None, bases: list[tuple[bool | None, bool | None]]) -> bool | None:
    """Whether a guard of djstate.parse.metaclasses holds for a class: ``own_meta`` whether its body
    has a Meta, ``own_abstract`` that Meta's abstract, ``bases`` (is a model, is abstract) of
    each base; None when djstate cannot tell (Python's and/or over three values)."""

    def value(node: tuple, base: tuple[bool | None, bool | None] | None) -> bool | None:
        kind = node[0]
        if kind == "const":
            return node[1]
        if kind == "not":
            inner = value(node[1], base)
            return None if inner is None else not inner
        if kind in ("and", "or"):
            left, right = value(node[1], base), value(node[2], base)
            stop = kind == "or"  # `or` holds once a side holds, `and` fails once a side fails
            if left is stop or right is stop:
                return stop
            return None if left is None or right is None else not stop
        if kind == "own_meta":
            return own_meta
        if kind == "own_abstract":
            return own_abstract if own_meta else False
        if kind == "base_model" and base is not None:
            return base[0]
        if kind == "base_abstract" and base is not None:
            return base[1]
        if kind == "any_base":
            found = [value(node[1], b) for b in bases]
            return True if True in found else None if None in found else False
        return None

    return value(guard, None)
