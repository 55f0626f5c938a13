"""Class bodies as plain facts: attributes in order, methods, nested classes (``Meta``)."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import ClassAttr, ClassFacts
from djstate.facts.values import Call, Opaque, Ref, is_known
from djstate.parse.class_writes import writes_class
from djstate.parse.expressions import ExpressionReader, LocalNamesReader, Scope, _flatten, _method_name, _span, runtime_statements, source_of
from djstate.parse.managers import queryset_rows
from djstate.parse.metaclasses import init_effect, new_effect
from djstate.parse.view_methods import SERIALIZER_GETTERS, returned_classes

# the helpers that build a class with a metaclass in Python 2 and 3 alike
WITH_METACLASS = frozenset({"six.with_metaclass", "django.utils.six.with_metaclass", "future.utils.with_metaclass"})


def extract_classes(module: cst.Module, scope: Scope, positions: Any) -> dict[str, ClassFacts]:
    reader = ExpressionReader(scope)
    classes: dict[str, ClassFacts] = {}
    guards = _registration_guards(module, reader)
    for stmt, conditional in _flatten(module.body):
        if isinstance(stmt, cst.ClassDef):
            facts = _class(stmt, reader, positions)
            facts.conditional = conditional
            facts.unless_registered = guards.get(id(stmt)) if conditional else None
            classes[stmt.name.value] = facts
    return classes


def _registration_guards(module: cst.Module, reader: ExpressionReader) -> dict[int, tuple[str, str, str]]:
    """Classes under a top-level ``if not is_model_registered("app", "Name"):`` with no ``else``
    (django-oscar's forkable apps), by node id: (the guard's path, app label, model name)."""
    out: dict[int, tuple[str, str, str]] = {}
    for stmt in module.body:
        if not (isinstance(stmt, cst.If) and stmt.orelse is None and isinstance(stmt.test, cst.UnaryOperation)
                and isinstance(stmt.test.operator, cst.Not)):  # fmt: skip
            continue
        guard = reader.read(stmt.test.expression)
        if not (isinstance(guard, Call) and isinstance(guard.path, str) and guard.path.endswith(".is_model_registered")
                and len(guard.args) == 2 and all(isinstance(a, str) for a in guard.args) and not guard.kwargs):  # fmt: skip
            continue
        for inner in stmt.body.body:
            if isinstance(inner, cst.ClassDef):
                out[id(inner)] = (guard.path, guard.args[0], guard.args[1])
    return out


def _class(node: cst.ClassDef, reader: ExpressionReader, positions: Any) -> ClassFacts:
    # `Base[T]` subclasses Base at runtime (generic aliases resolve through __mro_entries__)
    bases = [reader.read(base.value.value if isinstance(base.value, cst.Subscript) else base.value) for base in node.bases]
    metaclass = next((reader.read(k.value) for k in node.keywords if k.keyword and k.keyword.value == "metaclass"), None)
    for i, base in enumerate(bases):
        if isinstance(base, Call) and base.path in WITH_METACLASS and base.args and not base.kwargs and metaclass is None:
            # six.with_metaclass(M, *bases): the class is built as `class X(*bases, metaclass=M)`
            # (django-polymorphic 2.0's PolymorphicModel, shuup's translatable models)
            metaclass = base.args[0]
            bases[i : i + 1] = base.args[1:]
            break
    facts = ClassFacts(
        name=node.name.value,
        bases=tuple(bases),
        span=_span(positions, node),
        decorators=tuple(reader.read(d.decorator) for d in node.decorators),
        metaclass=metaclass,
    )
    methods = []
    readers: set[str] = set()
    local: dict[str, Any] = {}
    for stmt in runtime_statements(node.body.body) if isinstance(node.body, cst.IndentedBlock) else []:
        if isinstance(stmt, cst.FunctionDef):
            methods.append(_method_name(stmt))
            if stmt.name.value == "get_queryset":
                facts.queryset_rows = queryset_rows(stmt)
            elif stmt.name.value == "__new__":
                facts.new_effect = new_effect(stmt)
            elif stmt.name.value == "__init__" and len(stmt.params.params) >= 4:  # a metaclass's (cls, name, bases, attrs)
                facts.init_effect = init_effect(stmt)
            elif any(isinstance(d.decorator, cst.Name) and d.decorator.value == "classmethod" for d in stmt.decorators):
                if not writes_class(stmt):
                    readers.add(stmt.name.value)
            elif stmt.name.value in SERIALIZER_GETTERS:
                facts.returned_classes[stmt.name.value] = returned_classes(stmt, reader)
            facts.method_spans[stmt.name.value] = _span(positions, stmt)
            params = stmt.params
            positional = len(params.posonly_params) + len(params.params) - 1
            facts.method_arity[stmt.name.value] = -1 if isinstance(params.star_arg, cst.Param) else positional
        elif isinstance(stmt, cst.ClassDef):
            facts.nested[stmt.name.value] = _class(stmt, reader, positions)
            if reader.scope.module:  # later attributes may say `choices=Format.choices`
                local[stmt.name.value] = Ref(f"{reader.scope.module}.{node.name.value}.{stmt.name.value}")
        elif not isinstance(stmt, cst.SimpleStatementLine):
            # `if settings.X: field = ...` or `for ...: constraints.append(...)`: whatever the
            # block assigns or mentions is decided at import time
            methods.extend(_functions_in(stmt))  # `if X: def get_y(self): ...` still defines get_y
            alternatives = _alternatives(stmt, LocalNamesReader(reader, local))
            for name in _names_in(stmt):
                if name in local or name in _assigned(stmt):
                    if name in alternatives:
                        before = (local[name],) if name in local else ()
                        facts.alternatives[name] = (*before, *alternatives[name])
                    else:
                        facts.alternatives.pop(name, None)
                    local[name] = Opaque(name)
                    facts.attributes = [a for a in facts.attributes if a.name != name]
                    facts.attributes.append(ClassAttr(name, local[name], _span(positions, stmt)))
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets: list = []
                value = None
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                    # `import json` in a class body makes `json` a class attribute
                    methods.extend(_bound_name(alias) for alias in small.names)
                mutated = _mutation(small, local)
                if mutated is not None:  # `indexes += [...]`, `indexes.append(...)` after the assignment
                    name = mutated
                    local[name] = _mutated_value(small, local[name], LocalNamesReader(reader, local))
                    facts.attributes = [
                        ClassAttr(a.name, local[name], a.span) if a.name == name else a for a in facts.attributes
                    ]
                    continue
                if isinstance(small, cst.Assign):
                    targets, value = [t.target for t in small.targets], small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets, value = [small.target], small.value
                if value is None:
                    continue
                read = LocalNamesReader(reader, local).read(value)
                for target in targets:
                    if isinstance(target, (cst.Tuple, cst.List)):  # `code, slug = "a", "b"`
                        for element in target.elements:
                            if isinstance(element.value, cst.Name):
                                name = element.value.value
                                local[name] = Opaque(f"unpacked {name}")
                                facts.attributes.append(ClassAttr(name, local[name], _span(positions, stmt)))
                    if isinstance(target, cst.Name):
                        local[target.value] = read
                        facts.attributes.append(ClassAttr(target.value, read, _span(positions, stmt), _item_spans(value, positions)))
    facts.methods = tuple(methods)
    facts.class_readers = frozenset(readers)
    if facts.queryset_rows is None and "get_queryset" in methods:  # defined under an `if`
        facts.queryset_rows = "unknown"
    facts.instance_attributes = frozenset(_self_attributes(node))
    facts.self_references = frozenset(_self_references(node))
    return facts


_ADDING_METHODS = ("append", "extend")
_MUTATING_METHODS = ("append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "update", "add")


def _mutation(small: cst.CSTNode, local: dict[str, Any]) -> str | None:
    """The class-body name a statement changes in place, if any."""
    if isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
        return small.target.value if small.target.value in local else None
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _MUTATING_METHODS:
            return func.value.value if func.value.value in local else None
    return None


def _mutated_value(small: cst.CSTNode, before: Any, reader: ExpressionReader) -> Any:
    """What the name holds after ``+=``, ``.append(x)`` or ``.extend(xs)``; other changes are unknown."""
    added: Any = Opaque(source_of(small))
    if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign):
        added = reader.read(small.value)
    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
        if method in _ADDING_METHODS and len(call.args) == 1 and not call.args[0].star and call.args[0].keyword is None:
            added = reader.read(call.args[0].value)
            added = [added] if method == "append" else added
    if isinstance(added, Opaque) or not is_known(before) or not is_known(added):
        return Opaque(source_of(small))
    if isinstance(before, list) and isinstance(added, (list, tuple)):
        return before + list(added)  # list += any iterable
    if isinstance(before, tuple) and isinstance(added, tuple) and isinstance(small, cst.AugAssign):
        return before + added
    return Call("operator.add", (before, added), {})



def _names_in(node: cst.CSTNode) -> list[str]:
    """The names a block mentions, in source order (a set's order follows the hash seed, and the
    attributes built from it are cached facts)."""
    names: dict[str, None] = {}

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            names.setdefault(n.value)

    node.visit(Visitor())
    return list(names)


def _alternatives(node: cst.CSTNode, reader: Any) -> dict[str, tuple]:
    """The values a block binds to each name with plain ``name = value`` statements (not in
    nested functions or classes); a name bound any other way too is left out."""
    values: dict[str, list] = {}
    other: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
            other.add(n.name.value)
            return False

        def visit_ClassDef(self, n: cst.ClassDef) -> bool:
            other.add(n.name.value)
            return False

        def visit_Assign(self, n: cst.Assign) -> None:
            for t in n.targets:
                if isinstance(t.target, cst.Name) and len(n.targets) == 1:
                    values.setdefault(t.target.value, []).append(reader.read(n.value))
                else:
                    other.update(_names_in(t.target))

        def visit_AnnAssign(self, n: cst.AnnAssign) -> None:
            other.update(_names_in(n.target))

        def visit_AugAssign(self, n: cst.AugAssign) -> None:
            other.update(_names_in(n.target))

        def visit_For(self, n: cst.For) -> None:
            other.update(_names_in(n.target))

        def visit_AsName(self, n: cst.AsName) -> None:
            other.update(_names_in(n.name))

        def visit_NamedExpr(self, n: cst.NamedExpr) -> None:
            other.update(_names_in(n.target))

        def visit_Del(self, n: cst.Del) -> None:
            other.update(_names_in(n.target))

    node.visit(Visitor())
    return {name: tuple(v) for name, v in values.items() if name not in other}


def _assigned(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, t: cst.AssignTarget) -> None:
            if isinstance(t.target, cst.Name):
                names.add(t.target.value)

        def visit_AugAssign(self, t: cst.AugAssign) -> None:
            if isinstance(t.target, cst.Name):
                names.add(t.target.value)

    node.visit(Visitor())
    return names


def _item_spans(value: cst.BaseExpression, positions: Any) -> tuple:
    if isinstance(value, (cst.List, cst.Tuple)):
        return tuple(_span(positions, e.value) for e in value.elements)
    if isinstance(value, cst.Dict):
        return tuple(_span(positions, e.key) for e in value.elements if isinstance(e, cst.DictElement))
    return ()


def _self_references(node: cst.ClassDef) -> set[str]:
    """Names the class's methods read from ``self`` (``self.validate_x(v)``, ``f = self.x``,
    ``getattr(self, "x")``); "*" for ``getattr(self, name)`` with a computed name."""
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_ClassDef(self, inner: cst.ClassDef) -> bool:
            return inner is node

        def visit_Attribute(self, attr: cst.Attribute) -> None:
            if isinstance(attr.value, cst.Name) and attr.value.value == "self":
                names.add(attr.attr.value)

        def visit_Call(self, call: cst.Call) -> None:
            if isinstance(call.func, cst.Name) and call.func.value == "getattr" and len(call.args) >= 2:
                first, second = call.args[0].value, call.args[1].value
                if isinstance(first, cst.Name) and first.value == "self":
                    literal = second.evaluated_value if isinstance(second, cst.SimpleString) else None
                    names.add(literal if isinstance(literal, str) else "*")

    node.visit(Visitor())
    return names


def _self_attributes(node: cst.ClassDef) -> set[str]:
    """Attributes methods set on instances: ``self.stats = ...``; "*" for ``setattr(self, ...)``."""
    names: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_ClassDef(self, inner: cst.ClassDef) -> bool:
            return inner is node

        def visit_Attribute(self, attr: cst.Attribute) -> None:
            pass

        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            _add(target.target)

        def visit_AnnAssign(self, assign: cst.AnnAssign) -> None:
            _add(assign.target)

        def visit_Call(self, call: cst.Call) -> None:
            if isinstance(call.func, cst.Name) and call.func.value == "setattr" and call.args:
                first = call.args[0].value
                if isinstance(first, cst.Name) and first.value == "self":
                    names.add("*")

    def _add(target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            names.add(target.attr.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                _add(element.value)

    node.visit(Visitor())
    return names


def _functions_in(block: cst.CSTNode) -> list[str]:
    """Functions a compound statement of a class body defines (not those nested in them)."""
    names: list[str] = []

    class Visitor(cst.CSTVisitor):
        def visit_FunctionDef(self, func: cst.FunctionDef) -> bool:
            names.append(func.name.value)
            return False

        def visit_ClassDef(self, cls: cst.ClassDef) -> bool:
            names.append(cls.name.value)
            return False

    block.visit(Visitor())
    return names


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    node = alias.name
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""
