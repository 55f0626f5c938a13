"""The classes a DRF view's ``get_serializer_class`` returns and its ``get_serializer``
instantiates: ``if self.request.method == "POST": return ExportCreateSerializer`` makes
``ExportCreateSerializer`` a serializer the view uses, although ``serializer_class`` names
another. DJS405 asks whether that view passes the columns the serializer leaves out."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.values import Opaque, Ref
from djstate.parse.expressions import ExpressionReader, LocalNamesReader, _dotted

# method -> what its return value is: the class itself, or an instance (a call of the class)
SERIALIZER_GETTERS = {"get_serializer_class": "class", "get_serializer": "instance"}


class _Body(cst.CSTVisitor):
    """The return statements of one function body and the names it binds (nested functions,
    lambdas, classes and comprehensions keep theirs)."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope
        self.returns: list[cst.BaseExpression] = []
        self.imported: dict[str, Ref] = {}
        self.bound: set[str] = set()

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.returns.append(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound |= _target_names(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound |= _target_names(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound |= _target_names(node.target)

    def visit_For(self, node: cst.For) -> None:
        self.bound |= _target_names(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bound |= _target_names(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.bound |= _target_names(node.name.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound |= _target_names(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.bound |= _target_names(node.target)

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


def _target_names(node: cst.BaseExpression) -> set[str]:
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, (cst.Tuple, cst.List)):
        return set().union(*(_target_names(e.value) for e in node.elements)) if node.elements else set()
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return set()  # `self.x = ...`, `d[k] = ...` bind no name


def _plain_name(node: cst.BaseExpression) -> bool:
    """A name or a dotted name (``serializers.X``), not an attribute of a call's result."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _alternatives(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``A if x else B`` may give either; anything else gives itself."""
    if isinstance(node, cst.IfExp):
        return _alternatives(node.body) + _alternatives(node.orelse)
    return [node]


def returned_classes(func: cst.FunctionDef, reader: ExpressionReader) -> tuple[Ref, ...]:
    """The classes ``get_serializer_class`` returns by name (``return X``, ``return mod.X``,
    either branch of ``X if c else Y``), or ``get_serializer`` returns an instance of
    (``return X(*args, **kwargs)``), each as the path its name resolves to. A name the method
    binds itself (a parameter, an assignment) is left out: what it holds is decided at runtime;
    one it imports (``from .serializers import X``) is read as the import says. Other return
    values (``super().get_serializer_class()``, ``self.serializer_classes[...]``) give nothing."""
    kind = SERIALIZER_GETTERS.get(func.name.value)
    if kind is None:
        return ()
    body = _Body(reader.scope)
    for child in func.body.children:
        child.visit(body)
    params = func.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    local: dict[str, Any] = {name: ref for name, ref in body.imported.items() if name not in body.bound}
    for name in body.bound | {p.name.value for p in every}:
        local[name] = Opaque(name)
    if "*" in body.bound:
        return ()  # a star import inside the method may bind any name
    scoped = LocalNamesReader(reader, local)  # a local import reads as it imports, other local names are unknown
    out: list[Ref] = []
    for value in body.returns:
        for node in _alternatives(value):
            if kind == "instance":
                if not isinstance(node, cst.Call):
                    continue
                node = node.func
            if not _plain_name(node):
                continue  # `super().x`, a subscript, a call's result
            read = scoped.read(node)
            if isinstance(read, Ref) and read not in out:
                out.append(read)
    return tuple(out)
