"""Custom operation classes whose own ``state_forwards`` can change one model only.

hyperkitty's ``class MailingListPrimaryKey(migrations.AlterField)`` passes a literal model
name to ``AlterField.__init__`` and its ``state_forwards`` edits
``state.models[app_label, self.model_name_lower]`` before calling AlterField's. djstate
cannot replay the edit, but it can see that nothing else in the state is reached: that
model is uncertain, not its whole app.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

# Django operations with a ``model_name_lower`` whose state_forwards changes the one model
# they name, and nothing else (RenameField rewrites other models' relations to the field)
ONE_MODEL_OPERATIONS = {
    "AddField", "AlterField", "RemoveField", "AddIndex", "RemoveIndex", "AddConstraint", "RemoveConstraint",
}  # fmt: skip
# names the class must not redefine: they decide which model state_forwards reaches
_MODEL_NAMES = {"model_name", "model_name_lower", "name", "name_lower"}
FROM_CALL = ""  # the model is the one the call names (the class keeps Django's __init__)


def one_model_target(klass: cst.ClassDef, base_kind: str | None) -> str | None:
    """The model (as written) a custom operation class changes, when its ``state_forwards``
    reaches the state only through ``state.models[app_label, self.model_name_lower]`` and
    ``super().state_forwards(app_label, state)``, and its ``__init__`` (if any) is one
    ``super().__init__(...)`` call naming the model as a literal. ``FROM_CALL`` when the
    class keeps Django's ``__init__``; None when the class may reach further."""
    if base_kind not in ONE_MODEL_OPERATIONS:
        return None
    methods: dict[str, cst.FunctionDef] = {}
    for stmt in klass.body.body:
        if isinstance(stmt, cst.FunctionDef):
            if stmt.name.value in _MODEL_NAMES or stmt.decorators:
                return None
            methods[stmt.name.value] = stmt
        elif not _is_docstring(stmt):
            return None  # a class attribute may stand in for model_name_lower
    forwards = methods.get("state_forwards")
    if forwards is None or not _reaches_one_model(forwards):
        return None
    init = methods.get("__init__")
    if init is None:
        return FROM_CALL
    return _literal_model(init)


def _is_docstring(stmt: Any) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and all(isinstance(s, cst.Expr) and isinstance(s.value, (cst.SimpleString, cst.ConcatenatedString)) for s in stmt.body)
    )


def _params(func: cst.FunctionDef) -> list[str] | None:
    p = func.params
    if p.star_arg is not cst.MaybeSentinel.DEFAULT and p.star_arg is not None or p.star_kwarg or p.kwonly_params:
        return None
    return [param.name.value for param in [*p.posonly_params, *p.params]]


def _is_super(node: cst.BaseExpression, method: str) -> bool:
    """``super().method`` or ``super(Class, self).method``."""
    return (
        isinstance(node, cst.Attribute) and node.attr.value == method
        and isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Name)
        and node.value.func.value == "super"
    )  # fmt: skip


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _reaches_one_model(func: cst.FunctionDef) -> bool:
    params = _params(func)
    if params is None or len(params) != 3:
        return False
    _, app_label, state = params
    allowed: set[int] = set()  # ids of Name nodes used the allowed ways
    bad = False

    class Visitor(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            # state.models[app_label, self.model_name_lower]
            value = node.value
            if not (isinstance(value, cst.Attribute) and value.attr.value == "models" and _is_name(value.value, state)):
                return
            if not all(isinstance(e.slice, cst.Index) for e in node.slice):
                return
            keys = [e.slice.value for e in node.slice]  # `[a, b]` is two elements, `[(a, b)]` one tuple
            if len(keys) == 1 and isinstance(keys[0], cst.Tuple):
                keys = [e.value for e in keys[0].elements]
            if len(keys) != 2:
                return
            first, second = keys
            if _is_name(first, app_label) and isinstance(second, cst.Attribute) and _is_name(second.value, "self") \
                    and second.attr.value == "model_name_lower":
                allowed.update({id(value.value), id(first)})

        def visit_Call(self, node: cst.Call) -> None:
            # super().state_forwards(app_label, state)
            if _is_super(node.func, "state_forwards") and len(node.args) == 2 and not any(a.keyword or a.star for a in node.args):
                first, second = node.args[0].value, node.args[1].value
                if _is_name(first, app_label) and _is_name(second, state):
                    allowed.update({id(first), id(second)})

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal bad
            bad = bad or _assigns_self(node.target)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal bad
            bad = bad or _assigns_self(node.target)

        def visit_Global(self, node: cst.Global) -> None:
            nonlocal bad
            bad = True

        def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
            nonlocal bad
            bad = True

    func.body.visit(Visitor())
    if bad:
        return False
    used: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value in (state, app_label):
                used.append(node)

    func.body.visit(Names())
    return all(id(n) in allowed for n in used)


def _assigns_self(target: cst.BaseExpression) -> bool:
    """``self.x = ...`` (which may change the model state_forwards reaches)."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_assigns_self(e.value) for e in target.elements)
    return isinstance(target, cst.Attribute) and _is_name(target.value, "self")


def _literal_model(init: cst.FunctionDef) -> str | None:
    """The model named as a literal by an ``__init__`` that is one ``super().__init__(...)``."""
    body = [s for s in init.body.body if not _is_docstring(s)] if isinstance(init.body, cst.IndentedBlock) else []
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return None
    expr = body[0].body[0]
    if not (isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call) and _is_super(expr.value.func, "__init__")):
        return None
    args = expr.value.args
    if any(a.star for a in args):
        return None
    named = [a.value for a in args if a.keyword is not None and a.keyword.value == "model_name"]
    positional = [a.value for a in args if a.keyword is None]
    node = named[0] if named else positional[0] if positional else None
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
