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
from djstate.parse.function_body import FunctionBody


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
    body = FunctionBody.of(func, reader.scope)
    name = param.name.value
    if body.yields or not body.returns or name in body.bound or name in body.imported or "*" in body.bound:
        return None  # a generator, or the parameter may hold another value by the return
    callees: list[str] = []
    for value in body.returns:
        if value is None or isinstance(value, cst.Name) and value.value in ("None", name):
            continue
        if not (isinstance(value, cst.Call) and len(value.args) == 1 and _is_plain(value.args[0], name)):
            return None
        path = reader.path_of(value.func)
        if path is None:
            return None
        callees.append(path)
    return tuple(dict.fromkeys(callees)) or None


def _is_plain(arg: cst.Arg, name: str) -> bool:
    return arg.keyword is None and not arg.star and isinstance(arg.value, cst.Name) and arg.value.value == name
