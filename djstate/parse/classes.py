"""Class bodies as plain facts: attributes in order, methods, nested classes (``Meta``)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import ClassAttr, ClassFacts
from djstate.facts.values import Opaque, Ref
from djstate.parse.expressions import ExpressionReader, Scope, _flatten, _method_name, _span


def extract_classes(module: cst.Module, scope: Scope, positions: Any) -> dict[str, ClassFacts]:
    reader = ExpressionReader(scope)
    classes: dict[str, ClassFacts] = {}
    for stmt, conditional in _flatten(module.body):
        if isinstance(stmt, cst.ClassDef):
            facts = _class(stmt, reader, positions)
            facts.conditional = conditional
            classes[stmt.name.value] = facts
    return classes


def _class(node: cst.ClassDef, reader: ExpressionReader, positions: Any) -> ClassFacts:
    facts = ClassFacts(
        name=node.name.value,
        bases=tuple(reader.read(base.value) for base in node.bases),
        span=_span(positions, node),
        decorators=tuple(reader.read(d.decorator) for d in node.decorators),
    )
    methods = []
    local: dict[str, Any] = {}
    for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else []:
        if isinstance(stmt, cst.FunctionDef):
            methods.append(_method_name(stmt))
        elif isinstance(stmt, cst.ClassDef):
            facts.nested[stmt.name.value] = _class(stmt, reader, positions)
            if reader.scope.module:  # later attributes may say `choices=Format.choices`
                local[stmt.name.value] = Ref(f"{reader.scope.module}.{node.name.value}.{stmt.name.value}")
        elif not isinstance(stmt, cst.SimpleStatementLine):
            # `if settings.X: field = ...` or `for ...: constraints.append(...)`: whatever the
            # block assigns or mentions is decided at import time
            for name in _names_in(stmt):
                if name in local or name in _assigned(stmt):
                    local[name] = Opaque(name)
                    facts.attributes = [a for a in facts.attributes if a.name != name]
                    facts.attributes.append(ClassAttr(name, local[name], _span(positions, stmt)))
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets: list = []
                value = None
                if isinstance(small, cst.Assign):
                    targets, value = [t.target for t in small.targets], small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets, value = [small.target], small.value
                if value is None:
                    continue
                read = _ClassScopeReader(reader, local).read(value)
                for target in targets:
                    if isinstance(target, cst.Name):
                        local[target.value] = read
                        facts.attributes.append(ClassAttr(target.value, read, _span(positions, stmt)))
    facts.methods = tuple(methods)
    return facts


class _ClassScopeReader(ExpressionReader):
    """Names assigned earlier in the class body shadow module names (``choices=STATUS``)."""

    def __init__(self, outer: ExpressionReader, local: dict[str, Any]) -> None:
        super().__init__(outer.scope)
        self.local = local

    def resolve_name(self, name: str) -> Any:
        if name in self.local:
            return self.local[name]
        return super().resolve_name(name)


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            names.add(n.value)

    node.visit(Visitor())
    return names


def _assigned(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, t: cst.AssignTarget) -> None:
            if isinstance(t.target, cst.Name):
                names.add(t.target.value)

        def visit_AugAssign(self, t: cst.AugAssign) -> None:
            if isinstance(t.target, cst.Name):
                names.add(t.target.value)

    node.visit(Visitor())
    return names
