"""What one function body returns and binds, read without entering the scopes nested in it:
functions, lambdas, classes and comprehensions keep their own names (and have no ``return`` or
``yield`` of the outer function)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.values import Ref
from djstate.parse.expressions import _dotted


class FunctionBody(cst.CSTVisitor):
    """The ``return`` values of a function body (None for a bare ``return``), whether it yields,
    the names it binds, and the names it imports from a module (``from .x import Y``: Y's path)."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope
        self.returns: list[cst.BaseExpression | None] = []
        self.yields = False
        self.imported: dict[str, Ref] = {}
        self.bound: set[str] = set()  # "*": a star import may bind any name

    @classmethod
    def of(cls, func: cst.FunctionDef, scope: Any) -> FunctionBody:
        body = cls(scope)
        func.body.visit(body)
        return body

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound.update(target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound.update(target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound.update(target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.bound.update(target_names(node.target))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bound.update(target_names(node.asname.name))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bound.update(target_names(node.name.name))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound.update(target_names(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self.bound.update(target_names(node.target))

    def visit_Global(self, node: cst.Global) -> None:
        self.bound |= {n.name.value for n in node.names}  # rebound elsewhere: unknown here

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.bound |= {n.name.value for n in node.names}

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.bound.add(_dotted(alias.asname.name) if alias.asname else _dotted(alias.name).split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.bound.add("*")
            return
        module = self.scope.absolute(len(node.relative), _dotted(node.module) if node.module else None)
        for alias in node.names:
            name = _dotted(alias.asname.name) if alias.asname else alias.name.value
            if module and name not in self.imported:
                self.imported[name] = Ref(f"{module}.{alias.name.value}")
            else:
                self.bound.add(name)  # imported twice: which one holds is decided at runtime

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.bound.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return False

    def visit_SetComp(self, node: cst.SetComp) -> bool:
        return False

    def visit_DictComp(self, node: cst.DictComp) -> bool:
        return False

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
        return False


def target_names(node: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds, in order (``a, *b``: a and b); ``self.x`` and
    ``d[k]`` bind none."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []
