"""The custom QuerySet and Manager classes a module defines, read for what their methods return.

Two summaries for the state layer (:mod:`djstate.state.queryset_classes`), both taken only when
the shape is certain:

- :func:`name_keeping`: a method whose every ``return`` is ``self`` or a chain of method calls on
  ``self``, ``super()`` or a new queryset of the manager's model, with the methods that chain goes
  through (whether they keep the names queries use is the state layer's to say);
- :func:`manager_factory`: a module-level function that returns an instance of a class it defines
  (django-scopes' ``ScopedManager(**scopes)``), with how that class is built.

Nothing is evaluated.
"""

from __future__ import annotations

from typing import Any, Callable

import libcst as cst

from djstate.facts.queries import ManagerFactory
from djstate.parse.function_body import target_names
from djstate.parse.query_overrides import names_passed


class _Returns(cst.CSTVisitor):
    """The return values and local assignments of one function body (nested scopes skipped)."""

    def __init__(self) -> None:
        self.returns: list[cst.BaseExpression | None] = []
        self.assigned: dict[str, list[cst.BaseExpression]] = {}
        self.rebound: set[str] = set()  # names bound otherwise (loops, with, augmented, unpacking)
        self.depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.assigned.setdefault(target.target.value, []).append(node.value)
            else:
                self.rebound.update(target_names(target.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.rebound.update(target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.rebound.update(target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.rebound.update(target_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.rebound.update(target_names(node.name))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.rebound.update(target_names(node.target))


def name_keeping(func: cst.FunctionDef, path_of: Callable[[cst.BaseExpression], str | None] | None = None) -> tuple[str, ...] | None:
    """The methods a method's returned queryset goes through, when every ``return`` gives ``self``
    or a chain of method calls on ``self``, on ``super()``, on a new queryset of the model
    (``SoftDeletionQuerySet(self.model, using=self._db)``, a manager's get_queryset) or on a local
    name that only ever holds such a chain (``qs = self.filter(...)``); "super:" marks
    ``super().m()``, "new:" the class of a new queryset. The state layer decides whether those
    methods keep the names queries may use (Django's ``filter`` does, an ``annotate`` does not).
    None for any other shape."""
    params = func.params
    if func.decorators or func.asynchronous or not params.params or params.params[0].name.value != "self":
        return None
    found = _Returns()
    func.visit(found)
    parameters = {p.name.value for p in [*params.posonly_params, *params.params, *params.kwonly_params]}
    if not found.returns:
        return None
    deps: set[str] = set()
    seen: set[str] = set()

    def keeps(node: cst.BaseExpression | None) -> bool:
        if node is None:
            return False
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.BitOr, cst.BitAnd)):
            return keeps(node.left) and keeps(node.right)  # qs1 | qs2: the same model's querysets
        current = node
        if (isinstance(current, cst.Call) and path_of is not None and path_of(current.func) == "copy.copy"
                and len(current.args) == 1 and not current.args[0].star and not current.args[0].keyword):  # fmt: skip
            return keeps(current.args[0].value)  # a copy of the manager or queryset: the same class
        while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            method = current.func.attr.value
            inner = current.func.value
            if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == "super":
                deps.add(f"super:{method}")
                return True
            deps.add(method)
            current = inner
        if isinstance(current, cst.Call) and path_of is not None and _of_the_model(current):
            created = path_of(current.func)
            if created is not None:
                deps.add(f"new:{created}")
                return True
        if not isinstance(current, cst.Name):
            return False
        name = current.value
        if name == "self":
            return True
        if name in parameters or name in found.rebound or name not in found.assigned:
            return False
        if name in seen:
            return True  # `qs = qs.filter(...)`: the other assignments decide
        seen.add(name)
        return all(keeps(value) for value in found.assigned[name])

    return tuple(sorted(deps)) if all(keeps(value) for value in found.returns) else None


def _of_the_model(call: cst.Call) -> bool:
    """``X(self.model, ...)`` or ``X(model=self.model, ...)``: a queryset class called on the
    manager's model (nothing but keywords after it)."""
    first = call.args[0] if call.args else None
    if first is None or first.star:
        return False
    if first.keyword is not None and first.keyword.value != "model":
        return False
    value = first.value
    if not (isinstance(value, cst.Attribute) and value.attr.value == "model"
            and isinstance(value.value, cst.Name) and value.value.value == "self"):  # fmt: skip
        return False
    return all(a.keyword is not None and not a.star for a in call.args[1:])


def manager_factory(func: cst.FunctionDef, path_of: Callable[[cst.BaseExpression], str | None]) -> ManagerFactory | None:
    """A function whose every ``return`` is ``C()``, C a class its body defines (django-scopes'
    ``ScopedManager``): C's bases and method summaries, so that ``objects = F(...)`` on a model
    can be read as an instance of C. None for any other shape: C's body holds only methods
    (an attribute such as ``filter = error`` would be a method djstate does not read)."""
    if func.decorators or func.asynchronous:
        return None
    body = statements(func.body)
    local = {s.name.value: s for s in body if isinstance(s, cst.ClassDef)}
    if len(local) != 1:
        return None
    found = _Returns()
    func.visit(found)
    name, node = next(iter(local.items()))
    if not found.returns or any(
        not (isinstance(r, cst.Call) and not r.args and isinstance(r.func, cst.Name) and r.func.value == name)
        for r in found.returns
    ) or name in found.assigned or name in found.rebound:  # fmt: skip
        return None
    if node.decorators or node.keywords or node.type_parameters is not None:
        return None
    methods = [s for s in statements(node.body) if isinstance(s, cst.FunctionDef)]
    if any(not isinstance(s, cst.FunctionDef) and not _docstring(s) for s in statements(node.body)):
        return None
    params = func.params
    named = [*params.posonly_params, *params.params]
    star = params.star_kwarg.name.value if isinstance(params.star_kwarg, cst.Param) else None
    parameters = {p.name.value for p in [*named, *params.kwonly_params]} | ({star} if star else set())
    bases: list[tuple[str, ...]] = []
    for arg in node.bases:
        value = arg.value
        if arg.keyword is not None or arg.star:
            return None
        if isinstance(value, cst.Name) and value.value in parameters:
            if value.value not in {p.name.value for p in named} or value.value in found.assigned or value.value in found.rebound:
                return None
            bases.append(("param", value.value))
        elif (isinstance(value, cst.Attribute) and value.attr.value == "__class__" and isinstance(value.value, cst.Call)
              and (callee := path_of(value.value.func)) is not None):  # fmt: skip
            args = value.value.args
            if not args:
                bases.append(("factory", callee, ""))
            elif len(args) == 1 and args[0].star == "**" and isinstance(args[0].value, cst.Name) and args[0].value.value == star:
                bases.append(("factory", callee, star))
            else:
                return None
        elif (path := path_of(value)) is not None and not (isinstance(value, cst.Name) and value.value in found.assigned):
            bases.append(("ref", path))
        else:
            return None
    defaults = tuple((p.name.value, (path_of(p.default) or "") if p.default is not None else "") for p in named)
    keeping = {m.name.value: deps for m in methods if (deps := name_keeping(m, path_of)) is not None}
    for m in methods:
        if m.name.value == "__init__" and _init_only_super(m):
            keeping["__init__"] = ()  # sets nothing on the instance: yields what its bases yield
    passing = {m.name.value: passed for m in methods if (passed := names_passed(m, path_of)) is not None}
    return ManagerFactory(name, tuple(p.name.value for p in named), defaults, star, tuple(bases),
                          tuple(m.name.value for m in methods), keeping, passing)  # fmt: skip


def _docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], (cst.Expr, cst.Pass))
            and (isinstance(stmt.body[0], cst.Pass) or isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))))  # fmt: skip


def _init_only_super(func: cst.FunctionDef) -> bool:
    """An ``__init__`` whose body only calls ``super().__init__(...)`` (and has a docstring)."""
    if func.decorators:
        return False
    for stmt in statements(func.body):
        if _docstring(stmt):
            continue
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
            return False
        call = stmt.body[0].value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "__init__"
                and isinstance(call.func.value, cst.Call) and isinstance(call.func.value.func, cst.Name)
                and call.func.value.func.value == "super"):  # fmt: skip
            return False
    return True


def statements(node: Any) -> Any:
    """The statements of a block: an indented one's, a one-line suite's, or the statement itself."""
    return node.body if isinstance(node, cst.IndentedBlock) else [node] if not isinstance(node, cst.SimpleStatementSuite) else [cst.SimpleStatementLine(node.body)]
