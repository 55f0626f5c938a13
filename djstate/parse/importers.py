"""Module-level functions that import the dotted path they are given.

label-studio builds its models on mixins its settings name::

    def load_func(func_string):
        if func_string is None:
            return None
        elif isinstance(func_string, str):
            return import_from_string(func_string)   # -> import_string(func_string)
        return func_string

    ProjectMixin = load_func(settings.PROJECT_MIXIN)
    class Project(ProjectMixin, models.Model): ...

:func:`extract_importers` records each function of one parameter whose every ``return`` gives
``None``, the parameter itself, or a call of one function on the parameter alone, with the
paths of those functions. Called with a dotted string, such a function returns what the callee
returns for it (``None`` and the string itself are not a class); whether the callees end in
Django's ``import_string`` is decided across modules by :class:`djstate.state.resolve.Resolver`.
"""

from __future__ import annotations

import libcst as cst

from djstate.parse.expressions import ExpressionReader, Scope


def extract_importers(module: cst.Module, scope: Scope) -> dict[str, tuple[str, ...]]:
    """Top-level function name -> the paths of the functions its returns call on its parameter."""
    reader = ExpressionReader(scope)
    found: dict[str, tuple[str, ...]] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and (callees := _importer_callees(stmt, reader)):
            found[stmt.name.value] = callees
    return found


def _importer_callees(func: cst.FunctionDef, reader: ExpressionReader) -> tuple[str, ...] | None:
    params = func.params
    if (
        func.asynchronous is not None or func.decorators or isinstance(params.star_arg, (cst.Param, cst.ParamStar))
        or params.star_kwarg is not None
        or params.kwonly_params or len(params.posonly_params) + len(params.params) != 1
    ):  # fmt: skip
        return None
    (param,) = (*params.posonly_params, *params.params)
    body = _Body(param.name.value)
    func.body.visit(body)
    if body.rebinds or body.yields or not body.returns:
        return None
    callees: list[str] = []
    for value in body.returns:
        if value is None or isinstance(value, cst.Name) and value.value in ("None", param.name.value):
            continue
        if not (isinstance(value, cst.Call) and len(value.args) == 1 and _is_plain(value.args[0], param.name.value)):
            return None
        path = reader.path_of(value.func)
        if path is None:
            return None
        callees.append(path)
    return tuple(dict.fromkeys(callees)) or None


def _is_plain(arg: cst.Arg, name: str) -> bool:
    return arg.keyword is None and not arg.star and isinstance(arg.value, cst.Name) and arg.value.value == name


class _Body(cst.CSTVisitor):
    """The returns of a function body (not of functions or classes nested in it), whether it
    binds its parameter anew, and whether it yields."""

    def __init__(self, param: str) -> None:
        self.param = param
        self.returns: list[cst.BaseExpression | None] = []
        self.rebinds = False
        self.yields = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bound(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bound(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bound(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bound(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bound(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bound(node.name)

    def visit_Global(self, node: cst.Global) -> None:
        self.rebinds = self.rebinds or any(n.name.value == self.param for n in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.rebinds = self.rebinds or any(n.name.value == self.param for n in node.names)

    def _bound(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.rebinds = self.rebinds or target.value == self.param
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bound(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bound(target.value)
