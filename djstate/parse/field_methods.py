"""A field class's ``__init__`` and ``deconstruct`` as plain steps, for classes of the tree.

Projects write their own field classes (``class CounterCacheField(BigIntegerField)``) whose
``__init__`` fills kwargs in before calling Django's and whose ``deconstruct`` drops or adds
some. Most follow a few shapes; this module turns a method body into statements of a small
language that :mod:`djstate.state.custom_fields` replays, or says which statement it cannot
follow (``FieldMethod.why``). Expressions are tuples tagged by their first item:

- ``("const", value)``: a value read from source (a literal, Ref, Call or Opaque);
- ``("local", name)``, ``("self", attr)``, ``("attr", expr, name)``;
- ``("dict", ((key, value) | (None, expr), ...))``, ``("list", exprs)``, ``("tuple", exprs)``;
- ``("method", local, name, args, kwargs)``: ``pop``/``get``/``setdefault``/``update``/``copy``
  of a local dict;
- ``("super_deconstruct",)``, ``("index", expr, index)``, ``("not", expr)``,
  ``("compare", op, left, right)``, ``("bool", "and"|"or", left, right)``,
  ``("isinstance", expr, type names)``;
- ``("settings", name, default)``: ``getattr(settings, name, default)``;
  ``("settings_ref", value, name)``: ``SettingsReference(value, name)``;
- ``("call", path, args, kwargs)``: a call of a resolved name (a class builds its instance);
- ``("opaque", source)``: a value djstate cannot know (never a side effect).

Statements: ``("assign", targets, expr)`` with targets ``("local", n)``, ``("self", a)``,
``("item", local, key)`` or ``("unpack", names)``; ``("del", local, key)``; ``("expr", expr)``;
``("if", test, body, orelse)``; ``("for", name, iterable, body)``; ``("super_init", args, kwargs)``
with ``(expr, starred)`` args and ``(key or None, expr)`` kwargs; ``("return", expr)``;
``("raise",)``.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import FieldMethod, FieldMethods
from djstate.facts.values import Opaque, Ref
from djstate.parse.expressions import ExpressionReader, Scope, _flatten, source_of

METHODS = ("__init__", "deconstruct")
DICT_METHODS = {"pop", "get", "setdefault", "update", "copy"}
SETTINGS = "django.conf.settings"
SETTINGS_REFERENCE = ("django.conf.SettingsReference", "django.conf.settings.SettingsReference")
_COMPARE = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.Is: "is", cst.IsNot: "is not", cst.In: "in", cst.NotIn: "not in",
}  # fmt: skip


class Unsupported(Exception):
    """A statement or expression djstate does not replay."""


def extract_field_methods(module: cst.Module, scope: Scope) -> dict[str, FieldMethods]:
    """Field methods and literal class attributes of each top-level class that has any."""
    reader = ExpressionReader(scope)
    out: dict[str, FieldMethods] = {}
    for stmt, conditional in _flatten(module.body):
        if not isinstance(stmt, cst.ClassDef) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        methods: dict[str, FieldMethod] = {}
        attributes: dict[str, Any] = {}
        for item in stmt.body.body:
            if isinstance(item, cst.FunctionDef) and item.name.value in METHODS:
                methods[item.name.value] = _method(item, reader)
            elif isinstance(item, cst.SimpleStatementLine):
                for small in item.body:
                    for name, value in _class_assignment(small, reader):
                        attributes[name] = value
            elif not isinstance(item, (cst.FunctionDef, cst.ClassDef)):
                for name in _assigned_in(item):
                    attributes[name] = Opaque(name)  # set under an if/for: unknown
                for name in _defined_in(item) & set(METHODS):
                    methods[name] = FieldMethod(why=f"{name} is defined under an if/try")
        if methods or attributes:
            out[stmt.name.value] = FieldMethods(
                methods.get("__init__"), methods.get("deconstruct"), attributes, conditional
            )
    return out


def _class_assignment(small: cst.CSTNode, reader: ExpressionReader) -> list[tuple[str, Any]]:
    if isinstance(small, cst.Assign):
        targets, value = [t.target for t in small.targets], small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        targets, value = [small.target], small.value
    else:
        return []
    names = [t.value for t in targets if isinstance(t, cst.Name)]
    if not names:
        return []
    read = reader.read(value)
    kept = read if _plain(read) else Opaque(source_of(value)[:80])
    return [(name, kept) for name in names]


def _plain(value: Any, depth: int = 0) -> bool:
    """Literals and short sequences of literals: what a deconstruct may read from the class."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)) and depth == 0 and len(value) <= 50:
        return all(_plain(v, 1) for v in value)
    return False


def _assigned_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, t: cst.AssignTarget) -> None:
            if isinstance(t.target, cst.Name):
                names.add(t.target.value)

        def visit_FunctionDef(self, f: cst.FunctionDef) -> bool:
            return False

    node.visit(Visitor())
    return names


def _defined_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, f: cst.FunctionDef) -> bool:
            names.add(f.name.value)
            return False

    node.visit(Visitor())
    return names


def _method(func: cst.FunctionDef, reader: ExpressionReader) -> FieldMethod:
    params = func.params
    positional = [*params.posonly_params, *params.params]
    if not positional or func.decorators:
        return FieldMethod(why=f"{func.name.value} is not a plain method")
    names = tuple(p.name.value for p in positional[1:])
    kwonly = tuple(p.name.value for p in params.kwonly_params)
    star_args = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    star_kwargs = params.star_kwarg.name.value if params.star_kwarg is not None else None
    converter = _Converter(reader, {*names, *kwonly, *(n for n in (star_args, star_kwargs) if n)})
    try:
        defaults = tuple(
            (p.name.value, converter.expr(p.default)) for p in [*positional[1:], *params.kwonly_params]
            if p.default is not None
        )  # fmt: skip
        body = converter.block(func.body)
    except Unsupported as error:
        return FieldMethod(names, (), kwonly, star_args, star_kwargs, (), str(error))
    return FieldMethod(names, defaults, kwonly, star_args, star_kwargs, body)


class _Converter:
    def __init__(self, reader: ExpressionReader, local: set[str]) -> None:
        self.reader = reader
        self.local = set(local)

    # --- statements ---------------------------------------------------------------------------

    def block(self, body: Any) -> tuple:
        statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
        out: list = []
        for index, stmt in enumerate(statements):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    out += self.small(small, first=index == 0)
            elif isinstance(stmt, cst.If):
                out.append(self.if_(stmt))
            elif isinstance(stmt, cst.For) and isinstance(stmt.target, cst.Name) and stmt.orelse is None:
                iterable = self.expr(stmt.iter)
                self.local.add(stmt.target.value)
                out.append(("for", stmt.target.value, iterable, self.block(stmt.body)))
            else:
                raise Unsupported(f"a {type(stmt).__name__} statement: {source_of(stmt)[:60]}")
        return tuple(out)

    def if_(self, stmt: cst.If) -> tuple:
        test = self.expr(stmt.test)
        body = self.block(stmt.body)
        orelse: tuple = ()
        if isinstance(stmt.orelse, cst.If):
            orelse = (self.if_(stmt.orelse),)
        elif isinstance(stmt.orelse, cst.Else):
            orelse = self.block(stmt.orelse.body)
        return ("if", test, body, orelse)

    def small(self, small: cst.CSTNode, first: bool) -> list:
        if isinstance(small, cst.Pass):
            return []
        if isinstance(small, cst.Expr):
            value = small.value
            if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
                return []  # a docstring (or a bare string)
            if isinstance(value, cst.Call) and _is_super_call(value, "__init__"):
                return [self.super_init(value)]
            expr = self.expr(value)
            if expr[0] != "method":
                raise Unsupported(f"a call with effects djstate cannot follow: {source_of(small)[:60]}")
            return [("expr", expr)]
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            if isinstance(small, cst.AnnAssign) and small.value is None:
                return []
            value = self.expr(small.value)
            raw = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            return [("assign", tuple(self.target(t) for t in raw), value)]
        if isinstance(small, cst.Del):
            target = small.target
            if isinstance(target, cst.Subscript) and self._local_name(target.value):
                return [("del", target.value.value, self._index(target))]
            raise Unsupported(f"del of {source_of(target)[:40]}")
        if isinstance(small, cst.Return):
            return [("return", self.expr(small.value) if small.value is not None else ("const", None))]
        if isinstance(small, cst.Raise):
            return [("raise",)]
        raise Unsupported(f"a {type(small).__name__} statement: {source_of(small)[:60]}")

    def target(self, node: cst.BaseExpression) -> tuple:
        if isinstance(node, cst.Name):
            self.local.add(node.value)
            return ("local", node.value)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return ("self", node.attr.value)
        if isinstance(node, cst.Subscript) and self._local_name(node.value):
            return ("item", node.value.value, self._index(node))
        if isinstance(node, (cst.Tuple, cst.List)) and all(isinstance(e.value, cst.Name) for e in node.elements):
            names = tuple(e.value.value for e in node.elements)  # type: ignore[union-attr]
            self.local.update(names)
            return ("unpack", names)
        raise Unsupported(f"an assignment to {source_of(node)[:40]}")

    def super_init(self, call: cst.Call) -> tuple:
        args: list = []
        kwargs: list = []
        for arg in call.args:
            if arg.star == "**":
                kwargs.append((None, self.expr(arg.value)))
            elif arg.keyword is not None:
                kwargs.append((arg.keyword.value, self.expr(arg.value)))
            else:
                args.append((self.expr(arg.value), arg.star == "*"))
        return ("super_init", tuple(args), tuple(kwargs))

    # --- expressions --------------------------------------------------------------------------

    def _local_name(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name) and node.value in self.local

    def _index(self, node: cst.Subscript) -> tuple:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            raise Unsupported(f"a slice: {source_of(node)[:40]}")
        return self.expr(node.slice[0].slice.value)

    def expr(self, node: cst.BaseExpression) -> tuple:
        if isinstance(node, cst.Name):
            if node.value in self.local:
                return ("local", node.value)
            if node.value == "self":
                raise Unsupported("self used as a value")
            return ("const", self.reader.read(node))
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                return ("self", node.attr.value)
            if self._local_name(node.value):
                return ("attr", ("local", node.value.value), node.attr.value)  # type: ignore[union-attr]
            return ("const", self.reader.read(node))
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.Subscript):
            return ("index", self.expr(node.value), self._index(node))
        if isinstance(node, cst.Dict):
            items: list = []
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    items.append((None, self.expr(element.value)))
                else:
                    items.append((self.expr(element.key), self.expr(element.value)))
            return ("dict", tuple(items))
        if isinstance(node, (cst.List, cst.Tuple)):
            if any(isinstance(e, cst.StarredElement) for e in node.elements):
                return ("opaque", source_of(node)[:80])
            kind = "list" if isinstance(node, cst.List) else "tuple"
            return (kind, tuple(self.expr(e.value) for e in node.elements))
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return ("not", self.expr(node.expression))
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            comparison = node.comparisons[0]
            op = _COMPARE.get(type(comparison.operator))
            if op is not None:
                return ("compare", op, self.expr(node.left), self.expr(comparison.comparator))
        if isinstance(node, cst.BooleanOperation):
            op = "and" if isinstance(node.operator, cst.And) else "or"
            return ("bool", op, self.expr(node.left), self.expr(node.right))
        if _has_call(node):
            raise Unsupported(f"an expression with a call: {source_of(node)[:60]}")  # maybe a side effect
        if self._mentions_local(node) or "self" in _names(node):
            return ("opaque", source_of(node)[:80])
        return ("const", self.reader.read(node))

    def call(self, node: cst.Call) -> tuple:
        func = node.func
        if _is_super_call(node, "deconstruct") and not node.args:
            return ("super_deconstruct",)
        if _is_super_call(node, "__init__"):
            raise Unsupported("super().__init__ used as a value")
        if isinstance(func, cst.Attribute) and self._local_name(func.value) and func.attr.value in DICT_METHODS:
            if any(a.star or a.keyword is not None for a in node.args):
                raise Unsupported(f"a {func.attr.value} call with keywords: {source_of(node)[:60]}")
            args = tuple(self.expr(a.value) for a in node.args)
            return ("method", func.value.value, func.attr.value, args, ())  # type: ignore[union-attr]
        if isinstance(func, cst.Name) and func.value == "getattr" and func.value not in self.local:
            if len(node.args) in (2, 3) and not any(a.star or a.keyword for a in node.args):
                owner = self.reader.read(node.args[0].value)
                if isinstance(owner, Ref) and owner.path == SETTINGS:
                    default = self.expr(node.args[2].value) if len(node.args) == 3 else None
                    return ("settings", self.expr(node.args[1].value), default)
        if isinstance(func, cst.Name) and func.value == "isinstance" and len(node.args) == 2:
            kinds = self.reader.read(node.args[1].value)
            kinds = kinds if isinstance(kinds, tuple) else (kinds,)
            names = tuple(k.path for k in kinds if isinstance(k, Ref))
            if len(names) == len(kinds):
                return ("isinstance", self.expr(node.args[0].value), names)
        if any(_bare_self(a.value) for a in node.args) or self._mentions_self(func):
            raise Unsupported(f"a call given self: {source_of(node)[:60]}")  # it may change the field
        target = self.reader.read(func) if not self._mentions_local(func) else None
        if isinstance(target, Ref):
            if target.path in SETTINGS_REFERENCE and len(node.args) == 2:
                return ("settings_ref", self.expr(node.args[0].value), self.expr(node.args[1].value))
            args: list = []
            kwargs: list = []
            for arg in node.args:
                if arg.star:
                    raise Unsupported(f"a call with *args: {source_of(node)[:60]}")
                if isinstance(arg.value, cst.Name) and arg.value.value in self.local:
                    raise Unsupported(f"a local passed to a call: {source_of(node)[:60]}")  # it may change it
                if arg.keyword is not None:
                    kwargs.append((arg.keyword.value, self.expr(arg.value)))
                else:
                    args.append(self.expr(arg.value))
            return ("call", target.path, tuple(args), tuple(kwargs))
        raise Unsupported(f"a call djstate cannot follow: {source_of(node)[:60]}")

    def _mentions_local(self, node: cst.CSTNode) -> bool:
        return bool(_names(node) & self.local)

    def _mentions_self(self, node: cst.CSTNode) -> bool:
        return "self" in _names(node)


def _names(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            names.add(n.value)

        def visit_Attribute(self, a: cst.Attribute) -> bool:
            a.value.visit(self)  # the attribute's own name is not a variable
            return False

    node.visit(Visitor())
    return names


def _bare_self(node: cst.CSTNode) -> bool:
    """``self`` itself passed on (not ``self.attr`` read) somewhere in the expression."""
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, a: cst.Attribute) -> bool:
            if isinstance(a.value, cst.Name) and a.value.value == "self":
                return False  # self.attr: a read
            return True

        def visit_Name(self, n: cst.Name) -> None:
            if n.value == "self":
                found.append(n)

    node.visit(Visitor())
    return bool(found)


def _has_call(node: cst.CSTNode) -> bool:
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, c: cst.Call) -> bool:
            found.append(c)
            return False

    node.visit(Visitor())
    return bool(found)


def _is_super_call(node: cst.Call, method: str) -> bool:
    """``super().method(...)`` (also ``super(Cls, self).method(...)``)."""
    func = node.func
    return (
        isinstance(func, cst.Attribute) and func.attr.value == method
        and isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name)
        and func.value.func.value == "super"
    )  # fmt: skip
