"""Functions that build a migration's ``operations``, read as the lists they may return.

``operations = trigram_migration_operations(migrations.RunPython(forwards))`` runs a
function of the project when Django imports the migration; Django then applies whatever
list it returned. A function whose body only binds literal lists of operations (its own
parameters among the items), appends to them in loops over constants, chooses between them
under import-time conditions (an environment variable, the database vendor) and returns
one, is read as its possible results: a *template*, one list of items per result, where an
item is an :class:`~djstate.facts.model.Operation` or the name of a parameter (filled in
with the call's argument). Any other statement leaves the function unread (None).
"""

from __future__ import annotations

from typing import Any, Callable

import libcst as cst

from djstate.facts.model import Operation
from djstate.facts.values import Opaque
from djstate.parse.expressions import ExpressionReader, Scope
from djstate.parse.operation_expressions import _operation

Template = list[list[Any]]  # each result: Operation or parameter name
ReadOperation = Callable[[cst.BaseExpression, ExpressionReader, Any], Operation]
MAX_RESULTS = 16


class _Unread(Exception):
    """A statement of a shape this reader does not follow."""


def extract_operation_functions(module: cst.Module, scope: Scope) -> dict[str, tuple]:
    """Top-level functions that return lists of Django's operations: name -> (parameters,
    template); only in modules that import from Django's migrations."""
    if not any(t.startswith(OPERATION_MODULES) for t in scope.names.values()):
        return {}
    reader = ExpressionReader(scope)
    out: dict[str, tuple] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and _returns_something(stmt.body.body):
            template = function_template(stmt, reader, None, _operation)
            if template is not None:
                out[stmt.name.value] = (tuple(parameter_names(stmt)), template)
    return out


OPERATION_MODULES = ("django.db.migrations", "django.contrib.postgres.operations")


def _returns_something(body: Any) -> bool:
    """Whether a block (its ifs and loops included) has a ``return value`` statement: a cheap
    look before the function is read."""
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            if any(isinstance(s, cst.Return) and s.value is not None for s in stmt.body):
                return True
        elif isinstance(stmt, cst.If):
            node: Any = stmt
            while isinstance(node, cst.If):
                if _returns_something(node.body.body):
                    return True
                node = node.orelse
            if node is not None and _returns_something(node.body.body):
                return True
        elif isinstance(stmt, cst.For) and _returns_something(stmt.body.body):
            return True
    return False


def function_template(
    func: cst.FunctionDef, reader: ExpressionReader, positions: Any, read_operation: ReadOperation
) -> Template | None:
    """The lists ``func`` may return, or None when its body is not of the shape read here."""
    results = _returned_lists(func, reader, positions, read_operation, None)
    if results is None:
        return None
    items = [i for result in results for i in result]
    if not any(isinstance(i, Operation) and i.known for i in items):
        return None  # not a function of operations (no Django operation among its items)
    if any(isinstance(i, Operation) and not i.known for i in items):
        return None
    return results


def dependency_lists(func: cst.FunctionDef, reader: ExpressionReader) -> list[list[tuple[str, str]]] | None:
    """The dependency lists a function may return (weblate's ``get_dependencies()`` appends one
    when an app is installed): lists of ``(app, migration)`` literals; None when it does more."""

    def pair(node: cst.BaseExpression) -> tuple[str, str]:
        value = reader.read(node)
        if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, str) for v in value):
            return (value[0], value[1])
        raise _Unread

    return _returned_lists(func, reader, None, None, pair)


def _returned_lists(
    func: cst.FunctionDef, reader: ExpressionReader, positions: Any, read_operation: ReadOperation | None,
    read_item: Callable[[cst.BaseExpression], Any] | None,
) -> list[list[Any]] | None:
    params = func.params
    if params.star_arg not in (None, cst.MaybeSentinel.DEFAULT) or params.star_kwarg or params.posonly_params:
        return None
    if func.asynchronous is not None or func.decorators:
        return None
    names = [p.name.value for p in (*params.params, *params.kwonly_params)]
    local = set(names) | _locally_bound(func.body)
    saved = {n: reader.scope.constants.get(n, _MISSING) for n in local}
    try:
        for name in local:  # a local name shadows the module's; its value is not known
            reader.scope.constants[name] = Opaque(name)
        walker = _Walker(reader, positions, read_operation, set(names), read_item)
        state = walker.block(func.body.body, {})
        if state is not None:
            return None  # falls off the end: returns None, not a list
        results = walker.results
    except _Unread:
        return None
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                reader.scope.constants.pop(name, None)
            else:
                reader.scope.constants[name] = value
    if not results or len(results) > MAX_RESULTS:
        return None
    return results


def fill(template: Template, arguments: dict[str, Operation | None]) -> list[list[Operation]] | None:
    """The template's results with each parameter replaced by the call's argument; None when
    a parameter used as an item is not given as one operation."""
    out = []
    for result in template:
        ops = []
        for item in result:
            if isinstance(item, str):
                value = arguments.get(item)
                if value is None:
                    return None
                ops.append(value)
            else:
                ops.append(item)
        out.append(ops)
    return out


def call_arguments(
    call: cst.Call, params: list[str] | None, reader: ExpressionReader, positions: Any, read_operation: ReadOperation
) -> dict[str | int, Operation | None] | None:
    """A call's arguments that are operation constructor calls, by parameter name when
    ``params`` is given, else by position (``int``) or keyword; None for ``*``/``**`` args."""
    out: dict[str | int, Operation | None] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        key: str | int = arg.keyword.value if arg.keyword is not None else index
        if isinstance(key, int) and params is not None:
            if key >= len(params):
                return None
            key = params[key]
        value = arg.value
        out[key] = read_operation(value, reader, positions) if isinstance(value, cst.Call) else None
    return out


def parameter_names(func: cst.FunctionDef) -> list[str]:
    return [p.name.value for p in func.params.params]


class _Walker:
    def __init__(
        self, reader: ExpressionReader, positions: Any, read_operation: ReadOperation | None, params: set[str],
        read_item: Callable[[cst.BaseExpression], Any] | None = None,
    ) -> None:
        self.read_item = read_item  # items other than operations (dependency pairs)
        self.reader = reader
        self.positions = positions
        self.read_operation = read_operation
        self.params = params
        self.results: list[list[Any]] = []

    def block(self, body: Any, state: dict[str, list[list[Any]]]) -> dict[str, list[list[Any]]] | None:
        """Walk statements; the variables' possible lists after them, None once every path returned."""
        for stmt in body:
            if isinstance(stmt, cst.If):
                state = self._if(stmt, state)
            elif isinstance(stmt, cst.For):
                state = self._for(stmt, state)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    state = self._small(small, state)
                    if state is None:
                        break
            else:
                raise _Unread
            if state is None:
                return None
            if sum(len(v) for v in state.values()) > MAX_RESULTS:
                raise _Unread
        return state

    def _if(self, stmt: cst.If, state: dict) -> dict | None:
        branches = []
        node: Any = stmt
        while True:
            branches.append(node.body.body)
            if isinstance(node.orelse, cst.If):
                node = node.orelse
                continue
            branches.append(node.orelse.body.body if node.orelse is not None else [])
            break
        after: dict[str, list[list[Any]]] | None = None
        for body in branches:  # the condition is taken as unknown: any branch may run
            out = self.block(body, _copy(state))
            if out is None:
                continue
            if after is None:
                after = out
                continue
            if set(after) != set(out):
                raise _Unread  # a list bound on one path only
            for name in after:
                after[name] = after[name] + [r for r in out[name] if r not in after[name]]
        return after

    def _for(self, stmt: cst.For, state: dict) -> dict | None:
        """``for x in CONSTANT: ops.append(Op(x ...))``, the constant's items substituted."""
        if stmt.orelse is not None or stmt.asynchronous is not None or not isinstance(stmt.target, cst.Name):
            raise _Unread
        items = self.reader.read(stmt.iter)
        if not isinstance(items, (list, tuple)) or any(isinstance(i, Opaque) for i in items):
            raise _Unread
        constants = self.reader.scope.constants
        name = stmt.target.value
        saved = constants.get(name, _MISSING)
        try:
            for item in items:
                constants[name] = item
                state = self.block(stmt.body.body, state)
                if state is None:
                    raise _Unread  # a return inside the loop
        finally:
            if saved is _MISSING:
                constants.pop(name, None)
            else:
                constants[name] = saved
        return state

    def _small(self, small: cst.BaseSmallStatement, state: dict) -> dict | None:
        if isinstance(small, cst.Return):
            if small.value is None:
                raise _Unread
            self.results += [r for r in self._lists(small.value, state) if r not in self.results]
            return None
        if isinstance(small, cst.Assign):
            if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
                raise _Unread
            name = small.targets[0].target.value
            try:
                state[name] = self._lists(small.value, state)
            except _Unread:
                if name in state or _mentions_any(small.value, set(state)):
                    raise
            return state
        if isinstance(small, cst.AugAssign):
            target = small.target
            if not isinstance(target, cst.Name) or target.value not in state or not isinstance(small.operator, cst.AddAssign):
                raise _Unread
            added = self._lists(small.value, state)
            state[target.value] = [a + b for a in state[target.value] for b in added]
            return state
        if isinstance(small, cst.Expr):
            value = small.value
            func = value.func if isinstance(value, cst.Call) else None
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.value.value in state
            ):
                name, method = func.value.value, func.attr.value
                if method not in ("append", "extend") or len(value.args) != 1 or value.args[0].keyword or value.args[0].star:
                    raise _Unread
                arg = value.args[0].value
                added = [[self._item(arg)]] if method == "append" else self._lists(arg, state)
                state[name] = [a + b for a in state[name] for b in added]
                return state
            if _mentions_any(value, set(state)):
                raise _Unread  # a call that may change a list of operations
            return state  # logger.info(...): no effect on the lists
        if isinstance(small, cst.Pass):
            return state
        raise _Unread

    def _lists(self, node: cst.BaseExpression, state: dict) -> list[list[Any]]:
        if isinstance(node, cst.Name) and node.value in state:
            return [list(r) for r in state[node.value]]
        if isinstance(node, cst.IfExp):
            body, orelse = self._lists(node.body, state), self._lists(node.orelse, state)
            return body + [r for r in orelse if r not in body]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self._lists(node.left, state), self._lists(node.right, state)
            return [a + b for a in left for b in right]
        if isinstance(node, (cst.List, cst.Tuple)):
            items = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    raise _Unread
                items.append(self._item(element.value))
            return [items]
        raise _Unread

    def _item(self, node: cst.BaseExpression) -> Any:
        if self.read_item is not None:
            return self.read_item(node)
        if isinstance(node, cst.Name) and node.value in self.params:
            return node.value
        if isinstance(node, cst.Call) and self.read_operation is not None:
            return self.read_operation(node, self.reader, self.positions)
        raise _Unread


def _copy(state: dict) -> dict:
    return {k: [list(r) for r in v] for k, v in state.items()}


def _mentions_any(node: cst.CSTNode, names: set[str]) -> bool:
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            nonlocal found
            found = found or n.value in names

    node.visit(Visitor())
    return found


def _locally_bound(body: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            if isinstance(target.target, cst.Name):
                names.add(target.target.value)

        def visit_For(self, node: cst.For) -> None:
            if isinstance(node.target, cst.Name):
                names.add(node.target.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            names.add(node.name.value)
            return False

    body.visit(Visitor())
    return names


_MISSING = object()
