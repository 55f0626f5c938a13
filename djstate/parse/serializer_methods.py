"""What the methods of a class with ``Meta.model`` (a ModelSerializer's method fields) read on
the object they are given: ``def get_rating(self, obj): return obj.reviews.aggregate(...)``
reads the relation ``reviews`` and calls ``aggregate()`` on it. DJS506 asks which of those
reads a view's queryset loads, and which run a query per object whatever it loads."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.queries import ObjectRead
from djstate.parse.expressions import _span


def has_meta_model(node: cst.ClassDef) -> bool:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Meta" and isinstance(stmt.body, cst.IndentedBlock):
            for line in stmt.body.body:
                if isinstance(line, cst.SimpleStatementLine) and any(
                    isinstance(s, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == "model" for t in s.targets)
                    for s in line.body
                ):  # fmt: skip
                    return True
    return False


class _Reads(cst.CSTVisitor):
    def __init__(self, name: str, positions: Any) -> None:
        self.name = name
        self.positions = positions
        self.reads: list[ObjectRead] = []
        self.rebound = False
        self._seen: set[int] = set()

    def _is_object(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value == self.name

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func  # obj.<attribute>.<method>(...)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute) and self._is_object(func.value.value):
            self._seen.add(id(func.value))
            self.reads.append(ObjectRead(func.value.attr.value, func.attr.value, _span(self.positions, func.value.attr)))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._is_object(node.value) and id(node) not in self._seen:
            self.reads.append(ObjectRead(node.attr.value, None, _span(self.positions, node.attr)))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        if self._is_object(node.target):
            self.rebound = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function's names are its own

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def read_method_reads(node: cst.ClassDef, positions: Any) -> dict[str, tuple[ObjectRead, ...]]:
    """Method name -> what it reads on its second parameter (the serialized object), for the
    methods whose second parameter is a plain, unannotated name never rebound."""
    out: dict[str, tuple[ObjectRead, ...]] = {}
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.FunctionDef) or stmt.decorators or len(stmt.params.params) != 2:
            continue
        param = stmt.params.params[1]
        if param.annotation is not None or param.default is not None:
            continue
        visitor = _Reads(param.name.value, positions)
        for child in stmt.body.children:
            child.visit(visitor)
        if visitor.reads and not visitor.rebound:
            out[stmt.name.value] = tuple(visitor.reads)
    return out
