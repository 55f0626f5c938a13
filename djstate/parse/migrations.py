"""Facts of a migration module: the ``Migration`` class and its operations, read as source."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import Dependency, MigrationFile, Operation, Span
from djstate.facts.values import Call, Opaque, Ref
from djstate.parse.expressions import ExpressionReader, Scope, _span, source_of

# Django's operations and their parameters, in signature order.
OPERATION_PARAMS: dict[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AlterModelTableComment": ("name", "table_comment"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AlterIndexTogether": ("name", "index_together"),
    "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
    "AlterModelOptions": ("name", "options"),
    "AlterModelManagers": ("name", "managers"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
    "AddConstraint": ("model_name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
    "RunSQL": ("sql", "reverse_sql", "state_operations", "hints", "elidable"),
    "RunPython": ("code", "reverse_code", "atomic", "hints", "elidable"),
}

# Operations from django.contrib.postgres: state effect of their base class, or none.
POSTGRES_OPERATIONS: dict[str, str] = {
    "AddIndexConcurrently": "AddIndex",
    "RemoveIndexConcurrently": "RemoveIndex",
    "AddConstraintNotValid": "AddConstraint",
    "ValidateConstraint": "RunPython",
    "CreateExtension": "RunPython",
    "BtreeGinExtension": "RunPython",
    "BtreeGistExtension": "RunPython",
    "CITextExtension": "RunPython",
    "CryptoExtension": "RunPython",
    "HStoreExtension": "RunPython",
    "TrigramExtension": "RunPython",
    "UnaccentExtension": "RunPython",
    "CreateCollation": "RunPython",
    "RemoveCollation": "RunPython",
}
_POSTGRES_PARAMS = {
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "AddConstraintNotValid": ("model_name", "constraint"),
}


def operation_kind(path: str) -> tuple[str | None, tuple[str, ...]]:
    """Django's operation name and parameters for a resolved class path, or (None, ())."""
    module, _, name = path.rpartition(".")
    if module.startswith("django.db.migrations") and name in OPERATION_PARAMS:
        return name, OPERATION_PARAMS[name]
    if module.startswith("django.contrib.postgres.operations") and name in POSTGRES_OPERATIONS:
        kind = POSTGRES_OPERATIONS[name]
        return kind, _POSTGRES_PARAMS.get(name, ())
    return None, ()


def extract_migration(module: cst.Module, scope: Scope, positions: Any, name: str) -> MigrationFile:
    reader = ExpressionReader(scope)
    klass = next(
        (s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == "Migration"), None
    )
    facts = MigrationFile(name=name, class_span=_span(positions, klass) if klass else None)
    facts.imports = list(scope.imports)
    if klass is None:
        return facts
    for stmt in klass.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
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
                if deps is None:
                    facts.opaque_attributes.append(attr)
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
                ops = _operations(value, reader, positions)
                if ops is None:
                    facts.opaque_attributes.append(attr)
                else:
                    facts.operations = ops
    return facts


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.List, cst.Tuple)) and not any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return [e.value for e in node.elements]
    return None


def _dependencies(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Dependency] | None:
    elements = _elements(node)
    if elements is None:
        return None
    deps = []
    for element in elements:
        span = _span(positions, element)
        value = reader.read(element)
        if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, str) for v in value):
            deps.append(Dependency(value[0], value[1], span))
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


def _operations(node: cst.BaseExpression, reader: ExpressionReader, positions: Any) -> list[Operation] | None:
    elements = _elements(node)
    if elements is None:
        return None
    return [_operation(element, reader, positions) for element in elements]


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
            return Operation(kind=kind or path, args={}, span=span, known=False)
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
