"""Overrides of QuerySet methods that take names, read for which names still reach Django.

nautobot's querysets override ``filter``/``exclude`` to take one keyword of their own
(``composite_key=``) and ``values``/``order_by``/``annotate`` to check names before calling
``super()``; every other name is passed on unchanged and Django judges it as usual. An override
is summarised here only when that is certain from its body:

- every ``return`` is ``super().<same method>(...)`` given ``*args`` unchanged and ``**kwargs``
  (or a dict that keeps every key of it), maybe followed by methods that keep names and rows
  (``.select_related("user")``, django-spirit's ``filter``), and the body ends with such a ``return``;
- the keyword dict is only read (``get``, ``keys``, ``items``...), or ``pop``-ed with a literal
  key, or rebound to a dict that keeps its keys; the ``*args`` tuple is rebound only under
  ``if not args`` (the caller gave no positional name);
- statements are plain ones, ``if`` blocks and ``raise`` (no loops, ``try`` or ``with``).

The names the override consumes (its keyword-only parameters, the popped keys) are its
``handled`` names; the dict helpers the keyword dict goes through (``self.split(**kwargs)``,
``merge(a, kwargs)``) are dependencies the state layer checks with :func:`dict_keeping`.
"""

from __future__ import annotations

from typing import Any, Callable

import libcst as cst

from djstate.facts.queries import NAME_TAKING

_READS = {"get", "keys", "values", "items", "copy", "__contains__", "__getitem__"}


class _Use(cst.CSTVisitor):
    """Whether an expression only reads the dict ``name`` (popping literal keys is allowed)."""

    def __init__(self, name: str | None, handled: list[str]) -> None:
        self.name, self.handled, self.ok = name, handled, True
        self.pops: set[int] = set()

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.ok = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and _is(func.value, self.name) and func.attr.value == "pop":
            key = _literal(node.args[0].value) if node.args and not node.args[0].star else None
            if key is None:
                self.ok = False
            else:
                self.handled.append(key)
                self.pops.add(id(func))
        for arg in node.args:
            if not arg.star and _is(arg.value, self.name):
                self.ok = False  # the callee could change the dict

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if _is(node.value, self.name) and node.attr.value not in _READS and id(node) not in self.pops:
            self.ok = False


def _is(node: cst.BaseExpression, name: str | None) -> bool:
    return name is not None and isinstance(node, cst.Name) and node.value == name


def _literal(node: cst.BaseExpression) -> str | None:
    value = node.evaluated_value if isinstance(node, cst.SimpleString) else None
    return value if isinstance(value, str) else None


def _body(node: Any) -> list:
    return list(node.body) if isinstance(node, cst.IndentedBlock) else []


class _Flow:
    def __init__(self, name: str | None, path_of: Callable[[cst.BaseExpression], str | None]) -> None:
        self.name = name  # the dict whose keys must be kept
        self.path_of = path_of
        self.handled: list[str] = []
        self.deps: list[str] = []

    def reads(self, node: cst.CSTNode | None) -> bool:
        if node is None:
            return True
        use = _Use(self.name, self.handled)
        node.visit(use)
        return use.ok

    def keeps(self, node: cst.BaseExpression) -> bool:
        """Whether the expression gives a dict holding every key ``self.name`` holds."""
        if _is(node, self.name):
            return True
        if isinstance(node, cst.Dict):
            kept = [e for e in node.elements if isinstance(e, cst.StarredDictElement) and self.keeps(e.value)]
            rest = [e for e in node.elements if not any(e is k for k in kept)]
            return len(kept) == 1 and all(self.reads(e) for e in rest)
        if not isinstance(node, cst.Call):
            return False
        func = node.func
        if isinstance(func, cst.Attribute) and _is(func.value, self.name) and func.attr.value == "copy" and not node.args:
            return True
        if isinstance(func, cst.Attribute) and _is(func.value, "self"):
            callee = f"self.{func.attr.value}"
        else:
            callee = self.path_of(func) or ""
            if not callee or not self.reads(func):
                return False
        kept = [(i, a) for i, a in enumerate(node.args) if a.star != "*" and not a.keyword and self.keeps(a.value)]
        if len(kept) != 1 or not all(self.reads(a) for a in node.args if a is not kept[0][1]):
            return False
        index, arg = kept[0]
        if callee == "builtins.dict" and index == 0 and not arg.star:
            return True
        if any(a.star == "*" for a in node.args[:index]):
            return False  # its position is unknown
        self.deps.append(f"{callee}@{'**' if arg.star == '**' else index}")
        return True


def names_passed(func: cst.FunctionDef, path_of: Callable[[cst.BaseExpression], str | None]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(handled names, dict helpers) of a name-taking method that passes every other name to
    ``super()``'s; None for any other shape."""
    method = func.name.value
    params = func.params
    if func.decorators or func.asynchronous or params.posonly_params or [p.name.value for p in params.params] != ["self"]:
        return None
    star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    kwargs = params.star_kwarg.name.value if params.star_kwarg is not None else None
    flow = _Flow(kwargs, path_of)
    flow.handled += [p.name.value for p in params.kwonly_params]

    def super_call(node: cst.BaseExpression | None) -> bool:
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method):
            return False
        inner = node.func.value
        if not (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == "super" and not inner.args):
            return False
        given = [a for a in node.args if a.star == "*" and _is(a.value, star)]
        spread = [a for a in node.args if a.star == "**" and kwargs is not None and flow.keeps(a.value)]
        if (star is not None) != bool(given) or (kwargs is not None) != bool(spread):
            return False
        return all(flow.reads(a) for a in node.args if not any(a is b for b in [*given, *spread]))

    def block(statements: list, empty_args: bool) -> bool:
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                if not all(small(s, empty_args) for s in stmt.body):
                    return False
            elif isinstance(stmt, cst.If):
                guarded = empty_args or _implies_empty(stmt.test, star)
                if not flow.reads(stmt.test) or not block(_body(stmt.body), guarded):
                    return False
                orelse = stmt.orelse
                if isinstance(orelse, cst.If) and not block([orelse], empty_args):
                    return False
                if isinstance(orelse, cst.Else) and not block(_body(orelse.body), empty_args):
                    return False
            else:
                return False
        return True

    def small(node: cst.BaseSmallStatement, empty_args: bool) -> bool:
        if isinstance(node, cst.Pass):
            return True
        if isinstance(node, cst.Expr):
            return flow.reads(node.value)
        if isinstance(node, cst.Raise):
            return flow.reads(node.exc)
        if isinstance(node, cst.Return):
            value = node.value
            while not super_call(value) and _chained(value) and all(not a.star and flow.reads(a) for a in value.args):
                value = value.func.value  # `super().filter(*args, **kwargs).select_related("user")`
            return super_call(value)
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            target = node.targets[0].target.value
            if target == kwargs:
                return flow.keeps(node.value)
            return (target != star or empty_args) and target != "self" and flow.reads(node.value)
        return False

    body = _body(func.body)
    last = body[-1] if body else None
    ends = isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Return)
    if method not in NAME_TAKING or not ends or not block(body, False):
        return None
    return tuple(sorted(set(flow.handled))), tuple(flow.deps)


# methods that change neither the names a queryset takes nor what its rows are
_CHAINABLE = frozenset({"select_related", "prefetch_related", "order_by", "distinct", "all", "using"})


def _chained(node: cst.BaseExpression | None) -> bool:
    """``<queryset>.select_related(...)`` and the like (see _CHAINABLE)."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _CHAINABLE


def _implies_empty(test: cst.BaseExpression, star: str | None) -> bool:
    """``not args`` or ``not args and ...``: the caller gave no positional name."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _is(test.expression, star)
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _implies_empty(test.left, star) or _implies_empty(test.right, star)
    return False


def dict_keeping(func: cst.FunctionDef, path_of: Callable[[cst.BaseExpression], str | None],
                 method: bool) -> dict[str, tuple[str, ...]]:  # fmt: skip
    """For a function that returns a dict: its parameters ("0", "1"... by position, self left
    out; "**" for ``**kwargs``) whose every key the returned dict keeps, each with the helpers
    that depends on; "=names" holds its named parameters (a ``**`` spread loses those keys). A
    parameter the body changes, rebinds or hands to another call is not kept."""
    params = func.params
    if func.decorators or func.asynchronous or params.posonly_params:
        return {}
    positional = [p.name.value for p in params.params][1 if method else 0:]
    if method and (not params.params or params.params[0].name.value != "self"):
        return {}
    names = {str(i): n for i, n in enumerate(positional)}
    if params.star_kwarg is not None:
        names["**"] = params.star_kwarg.name.value
    found = _Statements()
    func.body.visit(found)
    if not found.returns:
        return {}
    out: dict[str, tuple[str, ...]] = {"=names": (*positional, *(p.name.value for p in params.kwonly_params))}
    for key, name in names.items():
        if name in found.bound:
            continue
        flow = _Flow(name, path_of)
        if all(flow.reads(s) for s in found.others) and all(r is not None and flow.keeps(r) for r in found.returns):
            if not flow.handled:  # a popped key is gone from the returned dict
                out[key] = tuple(flow.deps)
    return out


class _Statements(cst.CSTVisitor):
    """A function body's returned values, its other simple statements, and every name it binds."""

    def __init__(self) -> None:
        self.returns: list[cst.BaseExpression | None] = []
        self.others: list[cst.CSTNode] = []
        self.bound: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> bool:
        self.returns.append(node.value)
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.others += [s for s in node.body if not isinstance(s, cst.Return)]

    def visit_If(self, node: cst.If) -> None:
        self.others.append(node.test)

    def visit_While(self, node: cst.While) -> None:
        self.others.append(node.test)

    def visit_For(self, node: cst.For) -> None:
        self.others.append(node.iter)
        self.bound.update(_names(node.target))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound.update(_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound.update(_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound.update(_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.bound.update(_names(node.name))

    def visit_Del(self, node: cst.Del) -> None:
        self.bound.update(_names(node.target))
        if isinstance(node.target, cst.Subscript) and isinstance(node.target.value, cst.Name):
            self.bound.add(node.target.value.value)


def _names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
        return [target.value.value]  # `d[k] = v` changes d
    return []
