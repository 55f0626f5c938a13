"""Module-level functions used as class decorators, and whether they keep a class's names.

``@extras_features("graphql")`` (nautobot) runs code on a model class after ModelBase built it.
A decorator that only looks at the class, stores it in a container and returns it unchanged
leaves every name of the model as Django built it: DRF's ``hasattr(model, name)`` answers as it
would without the decorator. :func:`class_decorator` reads a function of one of two shapes:

- plain: ``def register(cls): ...; return cls``;
- factory: ``def features(*names): def wrapper(cls): ...; return cls; return wrapper``,

and says whether the function it applies to the class keeps the class's names, or why not.
Whatever it does not recognise counts as changing them. Storing the class in a list or a dict
(``registry[k].append(cls)``) does not change it; code that later reads the container and sets
attributes is a ``setattr`` of the tree like any other (``ModelCatalog.maybe_runtime_attribute``).
"""

from __future__ import annotations

import libcst as cst

from djstate.parse.metaclasses import _chain, _code, _Flow, _looks_only, _names_in, _positional, _TargetsWritten

PLAIN, FACTORY = "plain", "factory"
# methods that store their argument in the container they are called on
_STORING = {"append", "appendleft", "add", "insert", "setdefault"}
# what a class says about itself as a string: reading it (and string methods of it) gives no alias
_STRING_ATTRIBUTES = {"__name__", "__module__", "__qualname__", "label", "label_lower", "app_label",
                      "model_name", "object_name"}  # fmt: skip
_STRING_METHODS = {"split", "rsplit", "lower", "upper", "title", "strip", "replace", "format", "startswith",
                   "endswith", "partition", "rpartition"}  # fmt: skip


def class_decorator(func: cst.FunctionDef) -> tuple[str, str] | None:
    """(kind, why) of a function of a class decorator's shape: ``why`` is "" when what it runs
    on the class keeps the class's names; None when the function has neither shape."""
    if func.asynchronous is not None or not isinstance(func.body, cst.IndentedBlock):
        return None
    body = [s for s in func.body.body if not _docstring(s)]
    last = body[-1] if body else None
    returned = _returned_name(last)
    params = _positional(func)
    if returned is None:
        return None
    if params and returned == params[0] and not _star_only(func):
        return PLAIN, _applied_keeps_names(func)
    inner = next((s for s in body[:-1] if isinstance(s, cst.FunctionDef) and s.name.value == returned), None)
    if inner is None:
        return None
    others = [s for s in body[:-1] if s is not inner]
    if any(_mentions(s, returned) for s in others):
        return FACTORY, f"{func.name.value} changes {returned} before returning it"
    return FACTORY, _applied_keeps_names(inner)


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


def _applied_keeps_names(func: cst.FunctionDef) -> str:
    """"" when the function applied to the class (its first parameter) keeps the class's names:
    it reads the class, stores it in containers and returns it; else what it does instead."""
    params = _positional(func)
    if not params:
        return f"{func.name.value} takes no class"
    klass = params[0]
    why: list[str] = []

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
            note(f"{func.name.value} defines a lambda")
            return False

        def visit_Call(self, node: cst.Call) -> None:
            callee = node.func
            root, parts = _chain(callee) if isinstance(callee, cst.Attribute) else (None, [])
            if root == klass:
                if not (parts[-1:] and parts[-1] in _STRING_METHODS and parts[-2:-1] and parts[-2] in _STRING_ATTRIBUTES):
                    note(f"{func.name.value} calls {_code(callee)}")
                return
            passed = any(klass in _names_in(a.value, into_calls=False) for a in node.args)
            if not passed or _looks_only(callee):
                return
            storing = isinstance(callee, cst.Attribute) and callee.attr.value in _STORING
            if not (storing and all(_bare(a.value, klass) or klass not in _names_in(a.value) for a in node.args)):
                note(f"{func.name.value} passes {klass} to {_code(callee)}")

        def written(self, target: cst.BaseExpression) -> None:
            if _chain(target)[0] == klass:
                note(f"{func.name.value} sets {_code(target)}")

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
    return why[0] if why else ""


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


def extract_class_decorators(module: cst.Module) -> dict[str, tuple[str, str]]:
    """Each top-level function of a class decorator's shape: name -> (kind, why)."""
    found: dict[str, tuple[str, str]] = {}
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and not stmt.decorators:
            effect = class_decorator(stmt)
            if effect is not None:
                found[stmt.name.value] = effect
    return found
