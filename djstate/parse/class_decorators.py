"""Module-level functions used as class decorators, and whether they keep a class's names.

``@extras_features("graphql")`` (nautobot) runs code on a model class after ModelBase built it.
A decorator that only looks at the class, stores it in a container and returns it unchanged
leaves every name of the model as Django built it: DRF's ``hasattr(model, name)`` answers as it
would without the decorator. :func:`class_decorator` reads a function of one of two shapes:

- plain: ``def register(cls): ...; return cls``;
- factory: ``def features(*names): def wrapper(cls): ...; return cls; return wrapper``,

and says whether the function it applies to the class keeps the class's names, or why not, and
which names it sets on the class: ``cls.__unicode__ = ...`` (six's ``python_2_unicode_compatible``)
or ``setattr(cls, "badge", ...)`` with a literal name adds that attribute and nothing else (a class
attribute set after ModelBase ran is no field: ``_meta`` and so queries never see it; DRF's
``hasattr`` does). Whatever it does not recognise counts as changing them. Storing the class in a list or a dict
(``registry[k].append(cls)``) does not change it; code that later reads the container and sets
attributes is a ``setattr`` of the tree like any other (``ModelCatalog.maybe_runtime_attribute``).
"""

from __future__ import annotations

import libcst as cst

from djstate.parse.class_writes import _code, _Flow, _looks_only, _names_in, _positional, _TargetsWritten
from djstate.parse.metaclass_guards import _chain

PLAIN, FACTORY = "plain", "factory"
# methods that store their argument in the container they are called on
_STORING = {"append", "appendleft", "add", "insert", "setdefault"}
# what a class says about itself as a string: reading it (and string methods of it) gives no alias
_STRING_ATTRIBUTES = {"__name__", "__module__", "__qualname__", "label", "label_lower", "app_label",
                      "model_name", "object_name"}  # fmt: skip
_STRING_METHODS = {"split", "rsplit", "lower", "upper", "title", "strip", "replace", "format", "startswith",
                   "endswith", "partition", "rpartition"}  # fmt: skip


def class_decorator(func: cst.FunctionDef) -> tuple[str, str, tuple[str, ...]] | None:
    """(kind, why, added) of a function of a class decorator's shape: ``why`` is "" when what it
    runs on the class keeps the class's names but for the attributes ``added`` (sorted), which it
    sets; None when the function has neither shape."""
    if func.asynchronous is not None or not isinstance(func.body, cst.IndentedBlock):
        return None
    body = [s for s in func.body.body if not _docstring(s)]
    last = body[-1] if body else None
    returned = _returned_name(last)
    params = _positional(func)
    if returned is None:
        return None
    if params and returned == params[0] and not _star_only(func):
        return (PLAIN, *_applied_keeps_names(func))
    inner = next((s for s in body[:-1] if isinstance(s, cst.FunctionDef) and s.name.value == returned), None)
    if inner is None:
        return None
    others = [s for s in body[:-1] if s is not inner]
    if any(_mentions(s, returned) for s in others):
        return FACTORY, f"{func.name.value} changes {returned} before returning it", ()
    return (FACTORY, *_applied_keeps_names(inner))


def _docstring(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )  # fmt: skip


def _returned_name(stmt: cst.CSTNode | None) -> str | None:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Return):
        value = stmt.body[0].value
        return value.value if isinstance(value, cst.Name) else None
    return None


def _star_only(func: cst.FunctionDef) -> bool:
    return not func.params.params and not func.params.posonly_params


def _mentions(node: cst.CSTNode, name: str) -> bool:
    return name in _names_in(node)


def _applied_keeps_names(func: cst.FunctionDef) -> tuple[str, tuple[str, ...]]:
    """("", added) when the function applied to the class (its first parameter) keeps the
    class's names but for the attributes ``added`` it sets by a literal name: it reads the
    class, stores it in containers, sets those attributes and returns it; else (what it does
    instead, ())."""
    params = _positional(func)
    if not params:
        return f"{func.name.value} takes no class", ()
    klass = params[0]
    why: list[str] = []
    added: set[str] = set()
    set_values: list[cst.BaseExpression] = []  # what `cls.x = value` stores: a lambda there is not run

    def note(reason: str) -> None:
        if not why:
            why.append(reason)

    class Visitor(_TargetsWritten):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            if node is not func:
                note(f"{func.name.value} defines a function")
            return node is func

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            note(f"{func.name.value} defines a class")
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            if not any(node is v for v in set_values):
                note(f"{func.name.value} defines a lambda")
            return False

        def visit_Assign(self, node: cst.Assign) -> None:
            if all(_set_name(t.target, klass) is not None for t in node.targets):
                set_values.append(node.value)

        def visit_Call(self, node: cst.Call) -> None:
            callee = node.func
            root, parts = _chain(callee) if isinstance(callee, cst.Attribute) else (None, [])
            literal = _setattr_name(node, klass)
            if literal is not None:
                added.add(literal)
                return
            if root == klass:
                if not (parts[-1:] and parts[-1] in _STRING_METHODS and parts[-2:-1] and parts[-2] in _STRING_ATTRIBUTES):
                    note(f"{func.name.value} calls {_code(callee)}")
                return
            passed = any(klass in _names_in(a.value, into_calls=False) and not _strings_only(a.value, klass) for a in node.args)
            if not passed or _looks_only(callee):
                return
            storing = isinstance(callee, cst.Attribute) and callee.attr.value in _STORING
            if not (storing and all(_bare(a.value, klass) or klass not in _names_in(a.value) for a in node.args)):
                note(f"{func.name.value} passes {klass} to {_code(callee)}")

        def written(self, target: cst.BaseExpression) -> None:
            name = _set_name(target, klass)
            if name is not None and not self.deleting:
                added.add(name)
            elif _chain(target)[0] == klass:
                note(f"{func.name.value} sets {_code(target)}")

        deleting = False

        def visit_Del(self, node: cst.Del) -> None:
            self.deleting = True
            super().visit_Del(node)
            self.deleting = False

        def visit_Return(self, node: cst.Return) -> None:
            if not (isinstance(node.value, cst.Name) and node.value.value == klass):
                note(f"{func.name.value} returns {_code(node.value)}")

    func.visit(Visitor())
    flow = _Flow()
    func.visit(flow)
    for targets, value in flow.bindings:
        if klass in targets:
            note(f"{func.name.value} rebinds {klass}")
        elif targets and klass in _names_in(value) and not _string_of(value, klass):
            note(f"{func.name.value} binds {_code(value)}")  # an alias djstate does not follow
    return (why[0], ()) if why else ("", tuple(sorted(added)))


def _set_name(target: cst.BaseExpression, klass: str) -> str | None:
    """``cls.badge`` as an assignment target: "badge" (an attribute of the class itself)."""
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == klass:
        return target.attr.value
    return None


def _setattr_name(call: cst.Call, klass: str) -> str | None:
    """``setattr(cls, "badge", value)``: "badge", when the value does not mention the class."""
    if not (isinstance(call.func, cst.Name) and call.func.value == "setattr" and len(call.args) == 3):
        return None
    target, name, value = (a.value for a in call.args)
    if not (_bare(target, klass) and isinstance(name, cst.SimpleString) and isinstance(name.evaluated_value, str)):
        return None
    if any(a.keyword is not None or a.star for a in call.args) or klass in _names_in(value):
        return None
    return name.evaluated_value


def _strings_only(node: cst.BaseExpression, klass: str) -> bool:
    """Every mention of the class in ``node`` reads a string it gives (``cls.__name__``)."""
    other: list[cst.Name] = []

    class Mentions(cst.CSTVisitor):
        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            return not _string_of(attribute, klass)

        def visit_Name(self, name: cst.Name) -> None:
            if name.value == klass:
                other.append(name)

    node.visit(Mentions())
    return not other


def _bare(node: cst.BaseExpression, klass: str) -> bool:
    return isinstance(node, cst.Name) and node.value == klass


def _string_of(value: cst.BaseExpression, klass: str) -> bool:
    """``cls._meta.label_lower.split(".")``, ``cls.__name__``: a string the class gives, not the class."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in _STRING_METHODS:
        if any(klass in _names_in(a.value) for a in value.args):
            return False
        value = value.func.value
    root, parts = _chain(value) if isinstance(value, cst.Attribute) else (None, [])
    return root == klass and bool(parts) and parts[-1] in _STRING_ATTRIBUTES and all(
        p in ("_meta",) or p in _STRING_ATTRIBUTES for p in parts
    )


def extract_class_decorators(module: cst.Module) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Each top-level function of a class decorator's shape: name -> (kind, why, added)."""
    found: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and not stmt.decorators:
            effect = class_decorator(stmt)
            if effect is not None:
                found[stmt.name.value] = effect
    return found
