"""Facts of a migration module: the ``Migration`` class's attributes, read as source.

Its ``dependencies``, ``replaces``, ``initial`` and ``operations``, also when import-time
branches or methods choose them; the operation expressions themselves are read by
djstate.parse.operation_expressions.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import Dependency, Import, MigrationFile, Operation
from djstate.facts.operation_lists import set_operations as _set_operations
from djstate.facts.values import Call, Ref
from djstate.parse.expressions import ExpressionReader, Scope, _span
from djstate.parse.migration_methods import appended_operations, self_attributes, state_free_assignments
from djstate.parse.migration_methods import init_dependencies as init_dependencies_of
from djstate.parse.operation_expressions import (
    _elements,
    _local_operation_classes,
    _one_model_classes,
    _operation,
    _operation_alternatives,
    _operation_calls,
    _OperationReader,
    _operations,
)
from djstate.parse.operation_functions import call_arguments, dependency_lists, fill, function_template, parameter_names


def extract_migration(module: cst.Module, scope: Scope, positions: Any, name: str) -> MigrationFile:
    reader = ExpressionReader(scope)
    klass = next(
        (s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == "Migration" and s.bases), None
    )
    facts = MigrationFile(name=name, class_span=_span(positions, klass) if klass else None)
    facts.imports = _runtime_imports(module, scope)
    if klass is None:
        return facts
    local_operations = _local_operation_classes(module, reader)
    one_model = _one_model_classes(module, reader)
    reader = _OperationReader(scope, local_operations, _bound_names(module.body) | _bound_names(klass.body.body))
    reader.one_model = one_model
    init_dependencies = None
    version_true = None
    branches = [stmt for stmt in klass.body.body if isinstance(stmt, cst.If)]
    for stmt in klass.body.body:
        if isinstance(stmt, cst.If):
            # `if connection.vendor == ...: operations = [...] else: ...`: runtime-chosen
            test = _django_version_test(stmt, reader) if len(branches) == 1 else None
            _conditional_attributes(stmt, facts, reader, positions, test)
            version_true = facts.operations if facts.version_test is not None else None
            continue
        if isinstance(stmt, cst.FunctionDef):
            # `def __init__(self, ...): self.dependencies = [...]`: set when Django builds it
            changed = self_attributes(stmt) & MIGRATION_ATTRIBUTES
            if changed == {"dependencies"} and stmt.name.value == "__init__":
                init_dependencies = init_dependencies_of(stmt, lambda node: _dependencies(node, reader, positions))
            if changed == {"operations"} and state_free_assignments(stmt, lambda node: _operation_alternatives(node, reader, positions)):
                changed = set()  # `if connection.vendor == ...: self.operations = [RunSQL(...)]`
            elif changed == {"operations"}:
                appended = appended_operations(stmt, lambda node: _operations(node, reader, positions))
                if appended is not None:  # `self.operations = self.operations + self.pg_only_operations`
                    for op in appended:  # they may run or not: only what they touch is unknown
                        op.conditional = True
                        facts.conditional_operations.append(op)
                    changed = set()
            facts.opaque_attributes += sorted(changed)
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            facts.opaque_attributes += sorted(_assigned_names(stmt) & MIGRATION_ATTRIBUTES)
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target = small.target
            else:
                continue
            if not isinstance(target, cst.Name):
                continue
            attr, value = target.value, small.value
            if attr in ("dependencies", "run_before"):
                deps = _dependencies(value, reader, positions)
                if deps is None and isinstance(value, cst.Call):
                    deps = _called_dependencies(value, module, reader, positions)
                if deps is None:
                    facts.opaque_attributes.append(attr)
                    # `[("app", "0027_x")] + settings.EXTRA`: the literal part is still real
                    setattr(facts, attr, _literal_part(value, reader, positions))
                else:
                    setattr(facts, attr, deps)
            elif attr == "replaces":
                replaced = reader.read(value)
                if isinstance(replaced, (list, tuple)) and all(
                    isinstance(r, (list, tuple)) and len(r) == 2 and all(isinstance(x, str) for x in r)
                    for r in replaced
                ):
                    facts.replaces = [(r[0], r[1]) for r in replaced]
                else:
                    facts.opaque_attributes.append(attr)
            elif attr == "initial":
                initial = reader.read(value)
                facts.initial = initial if isinstance(initial, bool) else None
            elif attr == "operations":
                alternatives = _operation_alternatives(value, reader, positions)
                if alternatives is None and isinstance(value, cst.Call):
                    alternatives = _called_function(value, module, reader, positions, facts)
                if alternatives is None:
                    facts.opaque_attributes.append(attr)
                else:
                    _set_operations(facts, alternatives)
    if init_dependencies is not None:  # what __init__ sets; what it adds stays computed
        facts.dependencies = init_dependencies
    if facts.version_test is not None:  # decided by the Django version only if nothing else chose
        branch_ops = {id(op) for op in (*facts.operations, *facts.version_false_operations)}
        if facts.operations is not version_true or any(id(op) not in branch_ops for op in facts.conditional_operations):
            facts.version_test, facts.version_false_operations = None, []
    return facts


def _called_function(
    call: cst.Call, module: cst.Module, reader: ExpressionReader, positions: Any, facts: MigrationFile
) -> list[list[Operation]] | None:
    """``operations = get_operations(...)``: the lists a function of this module may return
    (Django applies whichever it returned). A function imported from elsewhere is recorded in
    ``facts.operations_call`` for the state layer, which reads that module."""
    func = call.func
    local = next(
        (s for s in module.body if isinstance(func, cst.Name) and isinstance(s, cst.FunctionDef) and s.name.value == func.value),
        None,
    )
    if local is not None:
        template = function_template(local, reader, positions, _operation)
        arguments = call_arguments(call, parameter_names(local), reader, positions, _operation)
        if template is None or arguments is None:
            return None
        return fill(template, arguments)  # type: ignore[arg-type]
    path = reader.path_of(func)
    if path and not path.startswith(reader.scope.module + "."):
        arguments = call_arguments(call, None, reader, positions, _operation)
        if arguments is not None:
            facts.operations_call = (path, arguments, _span(positions, call))
    return None


_COMPARISONS = {cst.GreaterThanEqual: ">=", cst.GreaterThan: ">", cst.LessThan: "<", cst.LessThanEqual: "<="}


def _django_version_test(stmt: cst.If, reader: ExpressionReader) -> tuple[int, str, tuple[int, ...]] | None:
    """``if django.VERSION >= (1, 8):`` (or ``django.VERSION[:2] < (2, 1)``) with at most an
    ``else``: (slice length or 0, comparison, the literal); the state decides it with the Django
    version it judges the project as."""
    test = stmt.test
    if isinstance(stmt.orelse, cst.If) or not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target, comparison = test.left, test.comparisons[0]
    op = _COMPARISONS.get(type(comparison.operator))
    literal = reader.read(comparison.comparator)
    length = 0
    if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Slice):
        part = target.slice[0].slice
        upper = reader.read(part.upper) if part.upper is not None else None
        if part.lower is not None or part.step is not None or not isinstance(upper, int) or upper < 1:
            return None
        target, length = target.value, upper
    if op is None or reader.path_of(target) != "django.VERSION":
        return None
    if not (isinstance(literal, tuple) and 1 <= len(literal) <= 2 and all(type(n) is int for n in literal)):
        return None  # a micro release or a release level: not decided from a feature release
    return length, op, literal


def _conditional_attributes(stmt: cst.If, facts: MigrationFile, reader: ExpressionReader, positions: Any,
                            version_test: tuple | None = None) -> None:  # fmt: skip
    branches: list[list] = []
    node: Any = stmt
    while node is not None:
        branches.append(node.body.body)
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            node = orelse
        else:
            if orelse is not None:
                branches.append(orelse.body.body)
            else:
                branches.append([])  # the implicit empty branch
            node = None
    alternatives: list[list[Operation]] = []
    maybe: list[Operation] = []  # appended under a further condition: only their targets count
    assigned = False
    for body in branches:
        found: list[Operation] | None = list(facts.operations)
        for inner in body:
            names = _assigned_names(inner)
            if names & {"dependencies", "replaces", "run_before"}:
                facts.opaque_attributes += sorted(names & {"dependencies", "replaces", "run_before"})
            nested = _same_state_branches(inner, reader, positions) if isinstance(inner, cst.If) else None
            if nested is not None and found is not None:
                assigned, found = True, nested  # `else: if 'postgresql' in db_engine: ... else: ...`
                continue
            small = inner.body[0] if isinstance(inner, cst.SimpleStatementLine) and len(inner.body) == 1 else None
            if isinstance(small, (cst.Assign, cst.AugAssign)) and "operations" in names:
                assigned = True
                alts = _operation_alternatives(small.value, reader, positions)
                if alts is None or found is None:
                    found = None
                elif isinstance(small, cst.AugAssign):
                    found = found + alts[0]
                    maybe += [op for alt in alts[1:] for op in alt]
                else:
                    found = alts[0]
                    maybe += [op for alt in alts[1:] for op in alt]
            elif _mentions(inner, "operations"):
                maybe += _operation_calls(inner, reader, positions)
        if found is None:
            facts.opaque_attributes.append("operations")
            return
        alternatives.append(found)
    if assigned and version_test is not None and len(alternatives) == 2 and not maybe:
        facts.version_test = version_test  # the state chooses the branch (the first: the test holds)
        facts.version_false_operations = alternatives[1]
    if assigned:
        _set_operations(facts, alternatives)
    for op in maybe:
        op.conditional = True
        facts.conditional_operations.append(op)


def _same_state_branches(stmt: cst.If, reader: ExpressionReader, positions: Any) -> list[Operation] | None:
    """The operations of an ``if`` whose every branch, ``else`` included, assigns ``operations``
    (plainly, no ``+=``) with the same effect on the state; None otherwise."""
    node: Any = stmt
    while True:
        if not _assigns_operations(node.body.body):
            return None
        if isinstance(node.orelse, cst.If):
            node = node.orelse
            continue
        if node.orelse is None or not _assigns_operations(node.orelse.body.body):
            return None
        break
    probe = MigrationFile(name="", class_span=None)
    _conditional_attributes(stmt, probe, reader, positions)
    if probe.opaque_attributes or probe.conditional_operations:
        return None
    return probe.operations


def _assigns_operations(body: Any) -> bool:
    plain = augmented = False
    for inner in body:
        for small in inner.body if isinstance(inner, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "operations" for t in small.targets):
                plain = True
            if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name) and small.target.value == "operations":
                augmented = True
    return plain and not augmented


def _mentions(node: cst.CSTNode, name: str) -> bool:
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            nonlocal found
            found = found or n.value == name

    node.visit(Visitor())
    return found


def _runtime_imports(module: cst.Module, scope: Scope) -> list:
    """The module's imports, marking those whose names are used inside function bodies."""
    used: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            dotted = _dotted_name(node)
            if dotted:
                used.add(dotted)

        def visit_Name(self, node: cst.Name) -> None:
            used.add(node.value)

    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            stmt.body.visit(Visitor())
        elif isinstance(stmt, cst.ClassDef):
            for item in stmt.body.body:
                if isinstance(item, cst.FunctionDef):
                    item.body.visit(Visitor())
    out = []
    for imp in scope.imports:
        if imp.names:
            local = {n for n, target in scope.names.items() if target.startswith(imp.module + ".") or target == imp.module}
            hit = bool(local & used)
        else:
            hit = any(u == imp.module or u.startswith(imp.module + ".") for u in used)
        out.append(Import(imp.module, imp.names, imp.span, used_at_runtime=hit))
    return out


def _dotted_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _bound_names(body: Any) -> dict[str, cst.BaseExpression]:
    """Plain ``NAME = expression`` statements of a block (the last one wins)."""
    bound: dict[str, cst.BaseExpression] = {}
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                    bound[small.targets[0].target.value] = small.value
    return bound


MIGRATION_ATTRIBUTES = {"dependencies", "operations", "replaces", "run_before", "initial"}


def _assigned_names(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            if isinstance(target.target, cst.Name):
                names.add(target.target.value)

        def visit_AugAssign(self, aug: cst.AugAssign) -> None:
            if isinstance(aug.target, cst.Name):
                names.add(aug.target.value)

    node.visit(Visitor())
    return names


def _called_dependencies(call: cst.Call, module: cst.Module, reader: ExpressionReader, positions: Any) -> list[Dependency] | None:
    """``dependencies = get_dependencies()``, a function of this module without arguments whose
    possible results are lists of literals: those in every result, and the others marked
    conditional (as ``[...] if cond else [...]``)."""
    func = call.func
    local = next(
        (s for s in module.body if isinstance(func, cst.Name) and isinstance(s, cst.FunctionDef) and s.name.value == func.value),
        None,
    )
    if local is None or call.args:
        return None
    results = dependency_lists(local, reader)
    if results is None:
        return None
    span = _span(positions, call)
    deps: list[Dependency] = []
    for pair in dict.fromkeys(p for result in results for p in result):
        deps.append(Dependency(pair[0], pair[1], span, conditional=not all(pair in result for result in results)))
    return deps


def _literal_part(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Dependency]:
    """The dependencies written as literals in a sum whose other terms are computed."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _literal_part(node.left, reader, positions) + _literal_part(node.right, reader, positions)
    return _dependencies(node, reader, positions) or []


def _dependencies(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Dependency] | None:
    if isinstance(node, cst.IfExp):  # optional dependencies: keep every branch's, marked
        branches = [_dependencies(n, reader, positions) for n in (node.body, node.orelse)]
        if any(b is None for b in branches):
            return None
        deps = [d for b in branches for d in b]  # type: ignore[union-attr]
        for dep in deps:
            dep.conditional = True
        return deps
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = _dependencies(node.left, reader, positions), _dependencies(node.right, reader, positions)
        return left + right if left is not None and right is not None else None
    if isinstance(node, cst.Name) and isinstance(reader, _OperationReader) and node.value in reader.bound:
        bound = reader.bound.pop(node.value)  # `dependencies = DEPENDENCIES` (pop: no loop)
        try:
            return _dependencies(bound, reader, positions)
        finally:
            reader.bound[node.value] = bound
    elements = _elements(node)
    if elements is None:
        return None
    deps = []
    for element in elements:
        span = _span(positions, element)
        value = reader.read(element)
        if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, str) for v in value):
            deps.append(Dependency(value[0], value[1], span))
        elif (
            isinstance(value, Call)
            and value.path == "swapper.dependency"
            and len(value.args) in (2, 3)
            and all(isinstance(a, str) for a in value.args)
        ):
            # swapper.dependency(app, model[, version]): the swappable app's first (or named) migration
            deps.append(Dependency(value.args[0], value.args[2] if len(value.args) == 3 else "__first__", span))
        elif isinstance(value, Call) and value.path.endswith("swappable_dependency") and len(value.args) == 1:
            arg = value.args[0]
            if isinstance(arg, Ref) and arg.path.startswith("django.conf.settings."):
                deps.append(Dependency(None, "__first__", span, setting=arg.path.rsplit(".", 1)[1]))
            elif isinstance(arg, str) and "." in arg:
                deps.append(Dependency(arg.split(".", 1)[0], "__first__", span))
            else:
                return None
        else:
            return None
    return deps
