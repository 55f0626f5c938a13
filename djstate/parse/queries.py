"""Querysets in a module's source, as plain facts (:mod:`djstate.facts.queries`).

Statements are read in order, per function, with what each local name holds: an instance of a
model (a parameter annotated with a model class, ``get_object_or_404(Book, ...)``, ``.get()``,
``.first()``, the variable of a ``for`` or comprehension over a queryset) or a queryset. Every
``Name.<attribute>.<method>(...)`` chain whose root is a capitalised module-level name is kept:
whether that name is a model is for the state layer to say. Nothing is evaluated.

The methods of the module's own QuerySet and Manager classes are summarised by
:mod:`djstate.parse.custom_querysets`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import Span
from djstate.facts.queries import (
    QUERYSET_METHODS, AttributeUse, ModelSource, QueryCall, QueryChain, QueryFacts, QueryName, ViewQueryset,
)
from djstate.facts.values import Call, Ref
from djstate.parse.custom_querysets import manager_factory, name_keeping, statements
from djstate.parse.expressions import ExpressionReader, Scope, _span, string_literal
from djstate.parse.function_body import target_names
from djstate.parse.lookup_registrations import read_lookup_registrations
from djstate.parse.query_overrides import dict_keeping, names_passed
from djstate.parse.serializer_methods import has_meta_model, read_method_reads

# methods whose keyword arguments are lookups
FILTER_METHODS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "aget", "aget_or_create",
                  "aupdate_or_create", "filter_or_404"}  # fmt: skip
NOT_LOOKUPS = {"defaults", "create_defaults"}
# methods whose positional strings are field paths
FIELD_METHODS = {"values", "values_list", "order_by", "only", "defer", "distinct", "latest", "earliest"}
SINGLE_OBJECT = {"get", "first", "last", "latest", "earliest", "create", "aget", "afirst", "alast", "acreate"}
# keyword arguments of these methods that are options, not names
OPTIONS = {"values_list": {"flat", "named"}}
# expression classes whose positional strings Django reads as field names (F(name)):
# all positions, or the first only (the others are literals such as Trunc's kind)
ALL_POSITIONS = {"F", "Concat", "Coalesce", "Greatest", "Least", "SearchVector"}
DJANGO_EXPRESSIONS = ("django.db.models.", "django.contrib.postgres.aggregates.", "django.contrib.postgres.search.")
NOT_NAMES = {"Value", "RawSQL", "OuterRef", "Subquery", "Exists", "Prefetch", "Q", "When", "Case", "ExpressionWrapper",
             "FilteredRelation", "Window", "OrderBy", "Func"}  # fmt: skip


LOCAL = ("local",)  # a local name that holds nothing djstate follows (it shadows module names)


class _Env:
    """What local names hold: ("instance", ModelSource, loop) or ("queryset", chain index)."""

    def __init__(self, parent: _Env | None = None) -> None:
        self.values: dict[str, tuple] = dict(parent.values) if parent else {}

    def get(self, name: str) -> tuple | None:
        return self.values.get(name)

    def merge(self, branches: list[_Env]) -> None:
        """After branches (if/else, loop or not, try/except): a name they leave holding
        different things holds nothing djstate follows."""
        for name in set().union(*(b.values for b in branches)):
            held = {b.values.get(name) for b in branches}
            self.values[name] = held.pop() if len(held) == 1 else LOCAL


class QueryReader:
    def __init__(self, scope: Scope, positions: Any) -> None:
        self.scope = scope
        self.reader = ExpressionReader(scope)
        self.positions = positions
        self.facts = QueryFacts()
        self.where: list[str] = []
        self.functions = 0  # functions among `where` (a class outside any is read as a class)
        self.loop_body: set[int] = set()  # loops whose body is being read
        self.returns: list[tuple[int | None, Span]] = []  # of the function being read
        self.view_queryset: int | None = None  # the class's `queryset = ...` chain: what self.get_object() returns

    def span(self, node: cst.CSTNode) -> Span:
        return _span(self.positions, node)

    # ---- statements -----------------------------------------------------------------

    def block(self, body: Any, env: _Env) -> None:
        for stmt in body:
            self.statement(stmt, env)

    def statement(self, stmt: cst.CSTNode, env: _Env) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, env)
        elif isinstance(stmt, cst.FunctionDef):
            self.function(stmt, env)
        elif isinstance(stmt, cst.ClassDef):
            self.klass(stmt)
        elif isinstance(stmt, (cst.For,)):
            chain = self.expression(stmt.iter, env)
            inner = _Env(env)
            self.bind_loop(stmt.target, chain, inner)
            self.loop_body.add(chain) if chain is not None else None
            self.block(statements(stmt.body), inner)
            self.loop_body.discard(chain)
            branches = [inner, _Env(env)]
            if stmt.orelse is not None:
                self.block(statements(stmt.orelse.body), branches[1])
            env.merge(branches)
        elif isinstance(stmt, cst.If):
            self.expression(stmt.test, env)
            branches = [_Env(env), _Env(env)]
            self.block(statements(stmt.body), branches[0])
            if stmt.orelse is not None:
                if isinstance(stmt.orelse, cst.If):
                    self.statement(stmt.orelse, branches[1])
                else:
                    self.block(statements(stmt.orelse.body), branches[1])
            env.merge(branches)
        elif isinstance(stmt, cst.While):
            self.expression(stmt.test, env)
            branches = [_Env(env), _Env(env)]
            self.block(statements(stmt.body), branches[0])
            env.merge(branches)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                self.expression(item.item, env)
            if not any(_expects_error(item.item) for item in stmt.items):  # a test asserting the error
                self.block(statements(stmt.body), env)
        elif isinstance(stmt, cst.Try):
            branches = [_Env(env)]
            self.block(statements(stmt.body), branches[0])
            for handler in stmt.handlers:
                branches.append(_Env(env))
                self.block(statements(handler.body), branches[-1])
            env.merge(branches)
            for extra in (stmt.orelse, stmt.finalbody):
                if extra is not None:
                    self.block(statements(extra.body), env)

    def small(self, small: cst.CSTNode, env: _Env) -> None:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            if small.value is None:
                return
            chain = self.expression(small.value, env)
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for target in targets:
                if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
                    held = env.get(target.value.value)
                    if held is not None and held[0] == "instance":  # `thread.starting_email = ...`
                        self.facts.uses.append(AttributeUse(held[1], (target.attr.value,), self.span(target.attr), None,
                                                            held[2], held[2] in self.loop_body, written=True))  # fmt: skip
                if isinstance(target, cst.Name):
                    held = self.held(small.value, chain, env)
                    if held is None and not self.where:
                        env.values.pop(target.value, None)  # a module constant: the Scope reads it
                    else:
                        env.values[target.value] = held or LOCAL
        elif isinstance(small, cst.Return):
            chain = self.expression(small.value, env) if small.value is not None else None
            self.returns.append((chain, self.span(small.value) if small.value is not None else Span()))
        elif isinstance(small, (cst.Expr, cst.AugAssign)):
            self.expression(small.value, env)
        elif isinstance(small, cst.Assert):  # `assert Book.objects.filter(...).exists()` in tests
            self.expression(small.test, env)
        elif isinstance(small, cst.Raise) and small.exc is not None:
            self.expression(small.exc, env)

    def held(self, value: cst.BaseExpression, chain: int | None, env: _Env) -> tuple | None:
        """What a name assigned ``value`` holds."""
        if chain is not None:
            last = self.facts.chains[chain].calls[-1].method if self.facts.chains[chain].calls else "all"
            if last in SINGLE_OBJECT:
                return ("instance", ModelSource(chain=chain), None)
            if last in QUERYSET_METHODS and not self.values_rows(chain):
                return ("queryset", chain)
            return None
        if (isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute)
                and isinstance(value.func.value, cst.Name) and value.func.value.value == "self"
                and value.func.attr.value == "get_object" and self.view_queryset is not None):  # fmt: skip
            return ("instance", ModelSource(chain=self.view_queryset), None)  # a DRF view's object
        if isinstance(value, cst.Call) and value.args:
            func = self.reader.path_of(value.func) or ""
            if func.endswith("get_object_or_404") and isinstance(value.args[0].value, cst.Name):
                model = self.model_path(value.args[0].value)
                if model:
                    return ("instance", ModelSource(path=model), None)
        if isinstance(value, cst.Name):
            return env.get(value.value)
        return None

    def values_rows(self, chain: int) -> bool:
        return any(c.method in ("values", "values_list") for c in self.facts.chains[chain].calls)

    def bind_loop(self, target: cst.BaseExpression, chain: int | None, env: _Env) -> None:
        for name in target_names(target):
            env.values[name] = LOCAL
        if chain is not None and isinstance(target, cst.Name) and not self.values_rows(chain):
            env.values[target.value] = ("instance", ModelSource(chain=chain), chain)

    def function(self, func: cst.FunctionDef, outer: _Env) -> list[tuple[int | None, Span]]:
        env = _Env(outer)
        params = func.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            env.values[param.name.value] = LOCAL
            if param.annotation is not None:
                model = self.model_path(_annotation_target(param.annotation.annotation))
                if model:
                    env.values[param.name.value] = ("instance", ModelSource(path=model), None)
        self.where.append(func.name.value)
        self.functions += 1
        outer_returns, self.returns = self.returns, []
        self.block(statements(func.body), env)
        self.functions -= 1
        self.where.pop()
        returns, self.returns = self.returns, outer_returns
        return returns

    def klass(self, node: cst.ClassDef) -> None:
        if not self.where and node.bases and has_meta_model(node):  # a ModelSerializer's method fields
            reads = read_method_reads(node, self.positions)
            if reads:
                self.facts.object_reads[node.name.value] = reads
        if not self.functions and len(self.where) <= 1 and node.bases:
            # a module-level class, or one nested in one (a model's own manager class): its
            # methods may be a QuerySet's
            kept = {s.name.value: deps for s in statements(node.body)
                    if isinstance(s, cst.FunctionDef) and (deps := name_keeping(s, self.reader.path_of)) is not None}  # fmt: skip
            if kept:
                self.facts.name_keeping[".".join([*self.where, node.name.value])] = kept
        self.where.append(node.name.value)
        outer_queryset, self.view_queryset = self.view_queryset, None
        env = _Env()
        queryset = serializer = None
        queryset_span = None
        for stmt in statements(node.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                        name = small.targets[0].target.value
                        chain = self.expression(small.value, env)
                        if name == "queryset" and chain is not None:
                            queryset, queryset_span = chain, self.span(small.value)
                            self.view_queryset = chain
                        elif name == "serializer_class":
                            serializer = self.reader.path_of(small.value)
                    else:
                        self.small(small, env)
            elif isinstance(stmt, cst.FunctionDef) and stmt.name.value == "get_queryset":
                returns = self.function(stmt, env)
                # one `return <queryset>`; anything else (super().get_queryset()...) is unknown
                chain = returns[0][0] if len(returns) == 1 else None
                queryset, queryset_span = (chain, returns[0][1]) if chain is not None else (None, None)
            else:
                self.statement(stmt, env)
        if queryset is not None and (queryset_span is not None):
            bases = tuple(self.reader.path_of(b.value) or "" for b in node.bases)
            methods = tuple(s.name.value for s in statements(node.body) if isinstance(s, cst.FunctionDef))
            self.facts.views.append(ViewQueryset(node.name.value, queryset, serializer, queryset_span, bases, methods))
        self.where.pop()
        self.view_queryset = outer_queryset

    # ---- expressions ----------------------------------------------------------------

    def expression(self, node: cst.BaseExpression, env: _Env) -> int | None:
        """Record the chains and attribute uses inside ``node``; the chain ``node`` is, if any."""
        if isinstance(node, (cst.Call, cst.Attribute)):
            return self.chain(node, env)  # a chain, or its parts looked into
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            self.comprehension(node, env)
            return None
        if isinstance(node, cst.Lambda):
            return None
        for child in node.children:
            self.child(child, env)
        return None

    def child(self, node: cst.CSTNode, env: _Env) -> None:
        if isinstance(node, cst.BaseExpression):
            self.expression(node, env)
        else:
            for child in node.children:
                self.child(child, env)

    def comprehension(self, node: Any, env: _Env) -> None:
        inner = _Env(env)
        clause = node.for_in
        loops = []
        while clause is not None:
            chain = self.expression(clause.iter, inner)
            self.bind_loop(clause.target, chain, inner)
            if chain is not None:
                loops.append(chain)
                self.loop_body.add(chain)
            for condition in clause.ifs:
                self.expression(condition.test, inner)
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            self.expression(node.key, inner)
            self.expression(node.value, inner)
        else:
            self.expression(node.elt, inner)
        for chain in loops:
            self.loop_body.discard(chain)

    def chain(self, node: cst.BaseExpression, env: _Env) -> int | None:
        """``Model.manager.m(...)...``, ``obj.rel.m(...)...``, ``qs.m(...)``: record it."""
        segments: list[tuple[str, str, cst.CSTNode]] = []  # (kind, name, node), outermost first
        current: cst.BaseExpression = node
        while True:
            if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
                segments.append(("call", current.func.attr.value, current))
                current = current.func.value
            elif isinstance(current, cst.Attribute):
                segments.append(("attr", current.attr.value, current))
                current = current.value
            else:
                break
        segments.reverse()
        if not isinstance(current, cst.Name) or not segments:
            self.generic(node, env)
            return None
        held = env.get(current.value)
        if held is not None and held[0] == "instance":
            return self.instance_chain(current, held, segments, env)
        if held is not None and held[0] == "queryset":
            if segments[0][0] != "call":
                self.generic(node, env)
                return None
            chain = QueryChain("queryset", "", ModelSource(chain=held[1]), self.span(current), scope=".".join(self.where))
            return self.calls(chain, segments, env)
        if (current.value not in env.values and not current.value[:1].isupper() and len(segments) >= 3
                and segments[0][0] == "attr" and segments[0][1][:1].isupper() and segments[1][0] == "attr"
                and segments[2][0] == "call"):  # fmt: skip
            model = self.model_path(segments[0][2])  # `models.ApiKey.objects.filter(...)`: a module's class
            if model is not None:
                chain = QueryChain("manager", segments[1][1], ModelSource(path=model), self.span(segments[1][2].attr),
                                   scope=".".join(self.where))  # fmt: skip
                return self.calls(chain, segments[2:], env)
        if current.value in env.values or not current.value[:1].isupper():
            self.generic(node, env)
            return None
        if len(segments) < 2 or segments[0][0] != "attr" or segments[1][0] != "call":
            self.generic(node, env)
            return None
        model = self.model_path(current)
        if model is None:
            self.generic(node, env)
            return None
        chain = QueryChain("manager", segments[0][1], ModelSource(path=model), self.span(segments[0][2].attr),
                           scope=".".join(self.where))  # fmt: skip
        return self.calls(chain, segments[1:], env)

    def instance_chain(self, name: cst.Name, held: tuple, segments: list, env: _Env) -> int | None:
        attributes = []
        for kind, attribute, _ in segments:
            if kind != "attr":
                break
            attributes.append(attribute)
        rest = segments[len(attributes):]
        called = rest[0][1] if rest else None
        if attributes:
            loop = held[2]
            self.facts.uses.append(AttributeUse(
                held[1], tuple(attributes), self.span(segments[0][2].attr), called,
                loop, loop is not None and loop in self.loop_body,
            ))  # fmt: skip
        elif rest:  # obj.method(...)
            called = None
        if len(attributes) == 1 and rest and rest[0][1] in QUERYSET_METHODS:
            chain = QueryChain("related", attributes[0], held[1], self.span(segments[0][2].attr), scope=".".join(self.where))
            return self.calls(chain, rest, env)
        for _, _, segment in rest:
            if isinstance(segment, cst.Call):
                for arg in segment.args:
                    self.expression(arg.value, env)
        return None

    def generic(self, node: cst.BaseExpression, env: _Env) -> None:
        """Look inside an expression that is no chain: calls' arguments, the object called."""
        if isinstance(node, cst.Call):
            self.expression(node.func, env)
            for arg in node.args:
                self.expression(arg.value, env)
        elif isinstance(node, cst.Attribute):
            self.expression(node.value, env)
        else:
            for child in node.children:
                self.child(child, env)

    def calls(self, chain: QueryChain, segments: list, env: _Env) -> int:
        index = len(self.facts.chains)
        self.facts.chains.append(chain)
        for kind, method, node in segments:
            if kind != "call":
                break  # an attribute of a queryset (`.query`, `.model`): the chain ends
            call = QueryCall(method, self.span(node.func.attr))
            self.arguments(call, node, env)
            chain.calls.append(call)
        return index

    def arguments(self, call: QueryCall, node: cst.Call, env: _Env) -> None:
        method = call.method
        introduces: list[str] = []
        for arg in node.args:
            if arg.star == "**":
                literal = arg.value
                if isinstance(literal, cst.Dict) and all(
                    isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) for e in literal.elements
                ):
                    for element in literal.elements:
                        key = element.key.evaluated_value
                        if method in FILTER_METHODS and isinstance(key, str) and key not in NOT_LOOKUPS:
                            call.names.append(QueryName(key, "filter", self.span(element.key)))
                        elif method in ("annotate", "alias", "values", "aggregate") and isinstance(key, str):
                            introduces.append(key)
                        self.expression(element.value, env)
                else:
                    call.complete = False
                    if method not in FILTER_METHODS:  # filter(**kwargs) adds no name; annotate(**kwargs) may
                        introduces.append("*")
                    self.expression(arg.value, env)
            elif arg.star == "*":
                call.complete = False
                self.expression(arg.value, env)
            elif arg.keyword is not None:
                key = arg.keyword.value
                if method in FILTER_METHODS and key not in NOT_LOOKUPS:
                    call.names.append(QueryName(key, "filter", self.span(arg.keyword)))
                elif method in ("annotate", "alias", "values"):
                    introduces.append(key)
                self.expression_names(arg.value, call, env)
            else:
                value = arg.value
                string = string_literal(value)
                if string is not None:
                    role = {"select_related": "select", "prefetch_related": "prefetch"}.get(method)
                    if role is None and method in FIELD_METHODS:
                        role = "field"
                    if role is not None:
                        call.names.append(QueryName(string, role, self.span(value)))
                elif method == "prefetch_related" and isinstance(value, cst.Call) and self.expression_class(value) == "Prefetch":
                    self.prefetch(value, call, env)
                else:
                    if method in ("annotate", "aggregate") and isinstance(value, cst.Call):
                        introduces.append(self.default_alias(value))  # annotate(Count("x")) adds x__count
                    if method in ("filter", "exclude", "get", "select_related", "prefetch_related", "only", "defer") and not isinstance(value, cst.Call):
                        call.complete = False  # a name or variable: its names are unknown
                    self.expression_names(value, call, env)
        if method == "extra":
            introduces.append("*")
        call.introduces = tuple(introduces)

    def default_alias(self, node: cst.Call) -> str:
        """An aggregate's ``default_alias``: ``<field>__<class name, lower case>``; "*" otherwise."""
        name = self.expression_class(node)
        first = node.args[0] if node.args else None
        string = string_literal(first.value) if first is not None and first.keyword is None else None
        return f"{string}__{name.lower()}" if name and string else "*"

    def prefetch(self, node: cst.Call, call: QueryCall, env: _Env) -> None:
        first = node.args[0] if node.args else None
        if first is not None and first.keyword is None and first.star == "":
            string = string_literal(first.value)
            if string is not None:
                call.names.append(QueryName(string, "prefetch", self.span(first.value)))
            else:
                call.complete = False
        for arg in node.args[1:]:
            self.expression(arg.value, env)

    def expression_class(self, node: cst.Call) -> str | None:
        path = self.reader.path_of(node.func) or ""
        if path.startswith(DJANGO_EXPRESSIONS):
            return path.rsplit(".", 1)[-1]
        return None

    def expression_names(self, node: cst.BaseExpression, call: QueryCall, env: _Env) -> None:
        """Field names inside an expression argument: F("a"), Count("b"), Q(c=1), When(d=2)."""
        if isinstance(node, cst.Call):
            name = self.expression_class(node)
            if name is not None:
                if name in ("Q", "When"):
                    for arg in node.args:
                        if arg.keyword is not None and arg.star == "" and arg.keyword.value not in ("then",):
                            call.names.append(QueryName(arg.keyword.value, "filter", self.span(arg.keyword)))
                        elif arg.star == "**":
                            call.complete = False
                        self.expression_names(arg.value, call, env)
                    return
                if name not in NOT_NAMES:
                    for position, arg in enumerate(node.args):
                        string = string_literal(arg.value) if arg.keyword is None and arg.star == "" else None
                        if string == "*":  # Count("*")
                            continue
                        if string is not None and (position == 0 or name in ALL_POSITIONS):
                            call.names.append(QueryName(string, "field", self.span(arg.value)))
                        elif arg.keyword is not None and arg.keyword.value == "filter":
                            self.expression_names(arg.value, call, env)
                        else:
                            self.expression_names(arg.value, call, env)
                    return
                if name in ("Case", "ExpressionWrapper", "Window", "OrderBy", "Func"):
                    for arg in node.args:
                        self.expression_names(arg.value, call, env)
                    return
            # `F("a").desc()`, `Lower("a").asc()`
            if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Call) and node.func.attr.value in ("asc", "desc"):
                self.expression_names(node.func.value, call, env)
                return
        if isinstance(node, cst.BinaryOperation):
            self.expression_names(node.left, call, env)
            self.expression_names(node.right, call, env)
            return
        if isinstance(node, cst.UnaryOperation):
            self.expression_names(node.expression, call, env)
            return
        self.expression(node, env)

    def model_path(self, node: cst.BaseExpression | None) -> str | None:
        """The dotted path a capitalised name (or dotted name) resolves to; ``label:app.Model``
        for a module-level ``Product = get_model("catalogue", "Product")`` (oscar's loading,
        ``apps.get_model``)."""
        if node is None:
            return None
        value = self.reader.read(node)
        if isinstance(value, Call) and value.path.rsplit(".", 1)[-1] == "get_model" and not value.kwargs:
            args = [a for a in value.args if isinstance(a, str)]
            if len(args) == len(value.args) == 2:
                return f"label:{args[0]}.{args[1]}"
            if len(args) == len(value.args) == 1 and args[0].count(".") == 1:
                return f"label:{args[0]}"
            return None
        path = value.path if isinstance(value, Ref) else None
        return path if path and path.rsplit(".", 1)[-1][:1].isupper() else None


def _expects_error(node: cst.BaseExpression) -> bool:
    """``self.assertRaises(...)``, ``pytest.raises(...)``, ``assertRaisesMessage``, ``assertNumQueries``."""
    func = node.func if isinstance(node, cst.Call) else None
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return "raises" in name.lower() or "Raises" in name


def _annotation_target(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """``Book`` of ``Book``, ``"Book"`` is skipped; ``Optional[Book]`` is not an instance for certain."""
    return node if isinstance(node, (cst.Name, cst.Attribute)) else None


def extract_queries(module: cst.Module, scope: Scope, positions: Any) -> QueryFacts:
    reader = QueryReader(scope, positions)
    reader.block(module.body, _Env())
    source = module.code
    reader.facts.registers_lookups = "register_lookup" in source
    path_of = reader.reader.path_of
    if reader.facts.registers_lookups or "lookup_name" in source:
        registered, classes = read_lookup_registrations(module, path_of, scope.module)
        reader.facts.lookup_registrations, reader.facts.lookup_classes = registered, classes
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and (factory := manager_factory(stmt, path_of)) is not None:
            reader.facts.manager_factories[stmt.name.value] = factory
        if isinstance(stmt, cst.FunctionDef) and len(keeps := dict_keeping(stmt, path_of, method=False)) > 1:
            reader.facts.dict_keeping[stmt.name.value] = keeps
        elif isinstance(stmt, cst.ClassDef):
            nested = [(f"{stmt.name.value}.{c.name.value}", c) for c in statements(stmt.body) if isinstance(c, cst.ClassDef)]
            for name, klass in [(stmt.name.value, stmt), *nested]:
                for func in statements(klass.body):
                    if not isinstance(func, cst.FunctionDef):
                        continue
                    if (passed := names_passed(func, path_of)) is not None:
                        reader.facts.names_passing.setdefault(name, {})[func.name.value] = passed
                    if len(keeps := dict_keeping(func, path_of, method=True)) > 1:
                        reader.facts.dict_keeping[f"{name}.{func.name.value}"] = keeps
    return reader.facts
