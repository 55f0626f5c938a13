"""Custom lookups a module registers, as plain facts: ``CharField.register_lookup(Empty)`` (at
module level or in a function such as ``AppConfig.ready``), ``@CharField.register_lookup`` on a
class, and the ``lookup_name`` each module-level class sets. With them, a query's suffix stays
judged where every lookup registered on its field class has a name djstate can read."""

from __future__ import annotations

from typing import Callable

import libcst as cst

from djstate.facts.queries import LookupClass, LookupRegistration
from djstate.parse.expressions import string_literal

REGISTER = "register_lookup"


class _Registrations(cst.CSTVisitor):
    def __init__(self, path_of: Callable[[cst.BaseExpression], str | None], module: str) -> None:
        self.path_of = path_of
        self.module = module
        self.found: list[LookupRegistration] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == REGISTER):
            return
        positional = [a for a in node.args if a.keyword is None and not a.star]
        named = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        lookup = positional[0].value if positional else named.get("lookup")
        name_node = positional[1].value if len(positional) > 1 else named.get("lookup_name")
        explicit = string_literal(name_node) if name_node is not None else None
        self.found.append(LookupRegistration(
            self.path_of(func.value), self.path_of(lookup) if lookup is not None else None,
            explicit, name_node is not None and explicit is None,
        ))  # fmt: skip

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Attribute) and target.attr.value == REGISTER:
                self.found.append(LookupRegistration(self.path_of(target.value), f"{self.module}.{node.name.value}"))


def _class_lookup_name(node: cst.ClassDef, path_of: Callable[[cst.BaseExpression], str | None]) -> LookupClass:
    name: str | None = None
    readable = True
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                [small.target] if isinstance(small, cst.AnnAssign) and small.value is not None else []
            if any(isinstance(t, cst.Name) and t.value == "lookup_name" for t in targets):
                name = string_literal(small.value)
                readable = name is not None
    bases = tuple(path_of(a.value) or "" for a in node.bases if a.keyword is None)
    return LookupClass(name, readable, bases)


def read_lookup_registrations(module_node: cst.Module, path_of: Callable[[cst.BaseExpression], str | None],
                              module: str) -> tuple[list[LookupRegistration], dict[str, LookupClass]]:  # fmt: skip
    """The module's registrations, and its module-level classes that may be lookups."""
    visitor = _Registrations(path_of, module)
    module_node.visit(visitor)
    classes = {
        stmt.name.value: _class_lookup_name(stmt, path_of)
        for stmt in module_node.body if isinstance(stmt, cst.ClassDef)
    }  # fmt: skip
    return visitor.found, classes
