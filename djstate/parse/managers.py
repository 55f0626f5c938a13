"""What a manager class's ``get_queryset`` does to the rows, read from its source.

Three answers (:attr:`djstate.facts.model.ClassFacts.queryset_rows`):

- ``"filters"``: the method is straight-line code whose return value is ``super()``'s queryset
  (``super().get_queryset()``, ``super(Cls, self).get_queryset()``) passed through a
  ``filter(...)``/``exclude(...)`` with arguments, or ``.none()``: some rows are hidden;
- ``"keeps"``: the same shape with only methods that keep every row (``select_related``,
  ``annotate``, ``order_by`` ...): the rows are those of the next class in the MRO;
- ``"unknown"``: anything else (a branch, a loop, another root, a decorator, a computed
  ``filter(**kwargs)``).

The soft-delete pattern is the reason: ``objects = ActiveManager()`` hides deleted rows, and a
query through ``_base_manager`` or a plain second manager sees them again (DJS507).
"""

from __future__ import annotations

import libcst as cst

# QuerySet methods that return every row of the queryset they are called on
KEEPS_ROWS = {"all", "select_related", "prefetch_related", "annotate", "alias", "order_by", "only", "defer", "using",
              "distinct", "reverse"}  # fmt: skip
FILTERS_ROWS = {"filter", "exclude"}


def queryset_rows(func: cst.FunctionDef) -> str:
    """``"filters"``, ``"keeps"`` or ``"unknown"`` for a ``get_queryset`` definition."""
    if func.decorators or func.asynchronous:
        return "unknown"
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    held: dict[str, str] = {}  # local name -> "filters"/"keeps" of the queryset it holds
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return "unknown"
        small = stmt.body[0]
        if index == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # the docstring
        if isinstance(small, cst.Return):
            return _rows(small.value, held) if small.value is not None and index == len(body) - 1 else "unknown"
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            held[small.targets[0].target.value] = _rows(small.value, held)
            continue
        return "unknown"
    return "unknown"


def _rows(node: cst.BaseExpression, held: dict[str, str]) -> str:
    """What a chain of calls on super()'s queryset (or on a name holding one) does to the rows."""
    methods: list[cst.Call] = []
    current = node
    while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
        if _is_super_queryset(current):
            break
        methods.append(current)
        current = current.func.value
    if isinstance(current, cst.Name):
        state = held.get(current.value, "unknown")
    elif isinstance(current, cst.Call) and _is_super_queryset(current):
        state = "keeps"
    else:
        return "unknown"
    if state == "unknown":
        return "unknown"
    for call in reversed(methods):  # innermost first
        method = call.func.attr.value  # type: ignore[union-attr]
        if method == "none" and not call.args:
            state = "filters"
        elif method in FILTERS_ROWS:
            if any(arg.star for arg in call.args):
                return "unknown"  # filter(**computed) may keep every row
            state = "filters" if call.args else state  # filter() keeps every row
        elif method not in KEEPS_ROWS:
            return "unknown"
    return state


def _is_super_queryset(call: cst.Call) -> bool:
    """``super().get_queryset()`` or ``super(Cls, self).get_queryset()``."""
    func = call.func
    return (
        not call.args
        and isinstance(func, cst.Attribute)
        and func.attr.value == "get_queryset"
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
    )
