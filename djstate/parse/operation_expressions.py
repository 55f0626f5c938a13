"""Django's operations as a migration module writes them, read into ``Operation`` facts.

A call (``migrations.AddField(...)``), a list of calls (names bound to lists followed,
comprehensions over constant tuples expanded), the alternatives ``[...] if cond else [...]``
or a sum of lists may produce, and the module's own subclasses of Django's operations, read
through to the Django class whose state behaviour they keep. Which ``Migration`` attribute an
expression sits in, and under which condition, is djstate.parse.migrations' business.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import Operation
from djstate.facts.operations import STATE_FREE, operation_kind
from djstate.facts.values import Call, Opaque, Ref
from djstate.parse.expressions import ExpressionReader, Scope, _method_name, _span, source_of
from djstate.parse.operation_classes import FROM_CALL, one_model_target

STATE_FREE_OPERATION = "django.db.migrations.operations.special.RunPython"


def _local_operation_classes(module: cst.Module, reader: ExpressionReader) -> dict[str, str]:
    """Classes in the migration module that subclass a Django operation without changing
    its state behaviour (no ``state_forwards`` or ``__init__``): name -> base path."""
    found: dict[str, str] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef) or len(stmt.bases) != 1:
            continue
        base = reader.path_of(stmt.bases[0].value)
        if base is None:
            continue
        base = found.get(base.rsplit(".", 1)[-1], base) if base.startswith(reader.scope.module) else base
        methods = {_method_name(s) for s in stmt.body.body if isinstance(s, cst.FunctionDef)}
        name = f"{reader.scope.module}.{stmt.name.value}"
        kind = operation_kind(base)[0]
        if "state_forwards:noop" in methods or (kind in STATE_FREE and "state_forwards" not in methods):
            found[name] = STATE_FREE_OPERATION  # its arguments do not matter to the state
        elif kind and not methods & {"state_forwards", "__init__"}:
            found[name] = base
    return found


def _one_model_classes(module: cst.Module, reader: ExpressionReader) -> dict[str, str]:
    """Classes in the migration module with their own ``state_forwards`` that can change one
    model only (djstate.parse.operation_classes): path -> the model, or FROM_CALL."""
    found: dict[str, str] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and len(stmt.bases) == 1:
            base = reader.path_of(stmt.bases[0].value)
            target = one_model_target(stmt, operation_kind(base)[0] if base else None)
            if target is not None:
                found[f"{reader.scope.module}.{stmt.name.value}"] = target
    return found


class _OperationReader(ExpressionReader):
    """Reads operation class paths through local subclasses that keep Django's state
    behaviour, and knows the expressions bound to names (``state_operations = [...]``)."""

    def __init__(self, scope: Scope, local_operations: dict[str, str], bound: dict[str, cst.BaseExpression]) -> None:
        super().__init__(scope)
        self.local_operations = local_operations
        self.bound = bound
        self.one_model: dict[str, str] = {}  # custom classes that change one model only

    def path_of(self, node: cst.BaseExpression) -> str | None:
        path = super().path_of(node)
        return self.local_operations.get(path, path) if path else path


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.List, cst.Tuple)) and not any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return [e.value for e in node.elements]
    return None


def _operation_calls(node: cst.CSTNode, reader: ExpressionReader, positions: Any) -> list[Operation]:
    """Every outermost call of a Django operation inside a statement."""
    calls: list[cst.Call] = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> bool:
            path = reader.path_of(call.func)
            if path and operation_kind(path)[0]:
                calls.append(call)
                return False
            return True

    node.visit(Visitor())
    return [_operation(call, reader, positions) for call in calls]


def _operation_alternatives(
    node: cst.BaseExpression, reader: ExpressionReader, positions: Any
) -> list[list[Operation]] | None:
    """The operation lists an expression may produce: one for a literal list, several for
    ``[...] if cond else [...]`` or concatenations of those."""
    if isinstance(node, cst.IfExp):
        body = _operation_alternatives(node.body, reader, positions)
        orelse = _operation_alternatives(node.orelse, reader, positions)
        return body + orelse if body is not None and orelse is not None else None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = _operation_alternatives(node.left, reader, positions)
        right = _operation_alternatives(node.right, reader, positions)
        if left is None or right is None:
            return None
        return [left[0] + right[0], *[a + right[0] for a in left[1:]], *[left[0] + b for b in right[1:]]]
    ops = _operations(node, reader, positions)
    return [ops] if ops is not None else None


def _operations(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Operation] | None:
    """A literal list of operations; names bound to lists (module or class level) are
    followed, and ``*[Op(x) for x in CONSTANT]`` is expanded over the constant's items."""
    if isinstance(node, cst.Name) and isinstance(reader, _OperationReader) and node.value in reader.bound:
        bound = reader.bound.pop(node.value)  # pop: a name bound to itself must not loop
        try:
            return _operations(bound, reader, positions)
        finally:
            reader.bound[node.value] = bound
    if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return _expand(node, reader, positions)
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    ops: list[Operation] = []
    for element in node.elements:
        if not isinstance(element, cst.StarredElement):
            value = element.value
            if isinstance(value, cst.Name) and isinstance(reader, _OperationReader) and value.value in reader.bound:
                value = reader.bound[value.value]  # ADD_FIELD = migrations.AddField(...) at module level
            ops.append(_operation(value, reader, positions))
            continue
        expanded = _expand(element.value, reader, positions)
        if expanded is None:
            return None
        ops += expanded
    return ops


def _expand(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Operation] | None:
    """``[Op(x, y) for x in A for y in B if ...]`` over constant tuples or lists: substitute
    each combination of items (comparisons between literals may filter them)."""
    if not isinstance(node, (cst.ListComp, cst.GeneratorExp)):
        return _operations(node, reader, positions)
    ops: list[Operation] = []
    return ops if _expand_loop(node.for_in, node.elt, reader, positions, ops) else None


def _expand_loop(loop: cst.CompFor, elt: cst.BaseExpression, reader: ExpressionReader, positions: Any, out: list) -> bool:
    if not isinstance(loop.target, cst.Name) or loop.asynchronous is not None:
        return False
    items = reader.read(loop.iter)
    if not isinstance(items, (list, tuple)) or any(isinstance(i, (Opaque, Ref, Call)) for i in items):
        return False
    name = loop.target.value
    saved = reader.scope.constants.get(name, _MISSING)
    try:
        for item in items:
            reader.scope.constants[name] = item
            keep = [_literal_condition(cond.test, reader) for cond in loop.ifs]
            if None in keep:
                return False
            if not all(keep):
                continue
            if loop.inner_for_in is not None:
                if not _expand_loop(loop.inner_for_in, elt, reader, positions, out):
                    return False
            else:
                out.append(_operation(elt, reader, positions))
    finally:
        if saved is _MISSING:
            reader.scope.constants.pop(name, None)
        else:
            reader.scope.constants[name] = saved
    return True


_MISSING = object()
_COMPARE = {
    cst.Equal: lambda a, b: a == b,
    cst.NotEqual: lambda a, b: a != b,
    cst.In: lambda a, b: a in b,
    cst.NotIn: lambda a, b: a not in b,
}


def _literal_condition(node: cst.BaseExpression, reader: ExpressionReader) -> bool | None:
    """``x != 'a'`` or ``x in ('a', 'b')`` between literals; None when it is anything else."""
    if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
        return None
    target = node.comparisons[0]
    compare = _COMPARE.get(type(target.operator))
    left, right = reader.read(node.left), reader.read(target.comparator)
    literal = (str, int, float, bool, type(None), tuple, list, frozenset)
    if compare is None or not isinstance(left, literal) or not isinstance(right, literal):
        return None
    try:
        return bool(compare(left, right))
    except TypeError:
        return None


def _operation(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> Operation:
    span = _span(positions, node)
    if not isinstance(node, cst.Call):
        return Operation(kind=source_of(node), args={}, span=span, known=False)
    path = reader.path_of(node.func) or source_of(node.func)
    kind, params = operation_kind(path)
    args: dict[str, Any] = {}
    nodes: dict[str, cst.BaseExpression] = {}
    position = 0
    for arg in node.args:
        if arg.star:
            # RunPython(*make_sql_migration(...)): whatever its arguments, RunPython.state_forwards
            # does nothing (it has no state_operations parameter, unlike RunSQL)
            # (Django's or a postgres extension's own class: a local subclass may be a RunSQL's)
            own = ExpressionReader.path_of(reader, node.func) or ""
            return Operation(kind=kind or path, args={}, span=span, known=operation_kind(own)[0] == "RunPython")
        if arg.keyword is not None:
            key = arg.keyword.value
        elif position < len(params):
            key = params[position]
            position += 1
        else:
            key = f"arg{position}"
            position += 1
        nodes[key] = arg.value
        if key not in ("state_operations", "database_operations", "fields"):
            args[key] = reader.read(arg.value)
    if kind is None:
        target = getattr(reader, "one_model", {}).get(path)
        if target == FROM_CALL:  # Django's __init__: the model is its first argument
            target = args.get("model_name", args.get("arg0"))
        if isinstance(target, str):  # its state_forwards reaches this model only
            args = {**args, "model_name": target}
        return Operation(kind=path, args=args, span=span, known=False)
    op = Operation(kind=kind, args=args, span=span)
    if kind == "CreateModel" and "fields" in nodes:
        fields = []
        elements = _elements(nodes["fields"])
        if elements is None:
            args["fields"] = Opaque(source_of(nodes["fields"]))
        else:
            for element in elements:
                pair = _elements(element)
                if pair is None or len(pair) != 2:
                    fields = None
                    break
                field_name = reader.read(pair[0])
                fields.append((field_name, reader.read(pair[1])))
                if isinstance(field_name, str):
                    op.field_spans[field_name] = _span(positions, pair[1])
            args["fields"] = fields if fields is not None else Opaque(source_of(nodes["fields"]))
    if kind in ("AddField", "AlterField") and "field" in nodes and isinstance(args.get("name"), str):
        op.field_spans[args["name"]] = _span(positions, nodes["field"])
    if "state_operations" in nodes:
        nested = _operations(nodes["state_operations"], reader, positions)
        if nested is None:
            op.known = False
            args["state_operations"] = Opaque(source_of(nodes["state_operations"]))
        else:
            op.nested = nested
    return op
