"""The test of an ``if`` in a metaclass's ``__new__`` as a predicate over the class it builds.

A metaclass may change a class only when a test holds for it: a Meta given only to a model
that is not abstract and has no concrete model among its bases. :func:`predicate` reads such a
test in a small vocabulary (the body's Meta, its ``abstract``, each base being a model and
abstract); djstate.state.guards decides it for each class. What it does not read is ``("?",)``,
which the state counts as holding.
"""

from __future__ import annotations

import libcst as cst


def _chain(node: cst.BaseExpression) -> tuple[str | None, list[str]]:
    """``a.b[0].c`` -> ("a", ["b", "c"]): the name a target or callee starts at."""
    parts: list[str] = []
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
        node = node.value
    return (node.value if isinstance(node, cst.Name) else None), parts[::-1]


def _code(node: cst.CSTNode) -> str:
    """The source of an expression on one line."""
    return " ".join(cst.Module([]).code_for_node(node).split())


class GuardContext:
    """What a guard's names stand for: predicates of earlier bindings, names of the body's Meta."""

    def __init__(self, namespace: str, bases: str) -> None:
        self.namespace, self.bases = namespace, bases
        self.predicates: dict[str, tuple] = {}
        self.meta_alias: set[str] = set()
        self.base: str | None = None  # the loop variable of any(... for base in bases)


_MODEL_BASE = {"ModelBase", "base.ModelBase", "models.base.ModelBase", "django.db.models.base.ModelBase"}


def predicate(node: cst.BaseExpression, context: GuardContext) -> tuple:
    """A test as a predicate over the new class: ``("own_meta",)`` the body has a Meta,
    ``("own_abstract",)`` its Meta.abstract, ``("any_base", p)`` some base satisfies ``p``
    (``("base_model",)`` an instance of ModelBase, ``("base_abstract",)`` its _meta.abstract),
    ``not``/``and``/``or``, ``("const", b)``, ``("?",)`` for what djstate does not read."""
    if isinstance(node, cst.Name):
        if node.value in ("True", "False"):
            return ("const", node.value == "True")
        if node.value in context.meta_alias:
            return ("own_meta",)
        return context.predicates.get(node.value, ("?",))
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return ("not", predicate(node.expression, context))
    if isinstance(node, cst.BooleanOperation):
        op = "and" if isinstance(node.operator, cst.And) else "or"
        return (op, predicate(node.left, context), predicate(node.right, context))
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
        comparison = node.comparisons[0]
        right = comparison.comparator
        if isinstance(node.left, cst.Name) and node.left.value in context.meta_alias and isinstance(right, cst.Name) and right.value == "None":
            if isinstance(comparison.operator, cst.Is):
                return ("not", ("own_meta",))
            if isinstance(comparison.operator, cst.IsNot):
                return ("own_meta",)
        return ("?",)
    if isinstance(node, cst.Attribute):
        root, parts = _chain(node)
        if context.base is not None and root == context.base and parts == ["_meta", "abstract"]:
            return ("base_abstract",)
        return ("?",)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        args = [a.value for a in node.args if not a.star and a.keyword is None]
        if len(args) != len(node.args):
            return ("?",)
        if node.func.value == "getattr" and len(args) == 3 and isinstance(args[0], cst.Name) and args[0].value in context.meta_alias:
            key, default = args[1], args[2]
            if isinstance(key, cst.SimpleString) and key.evaluated_value == "abstract" and isinstance(default, cst.Name) and default.value in ("False", "None"):
                return ("own_abstract",)
        if node.func.value == "isinstance" and len(args) == 2 and isinstance(args[0], cst.Name) and args[0].value == context.base:
            if _code(args[1]) in _MODEL_BASE:
                return ("base_model",)
        if node.func.value == "any" and len(args) == 1 and isinstance(args[0], cst.GeneratorExp) and context.base is None:
            generator = args[0]
            loop = generator.for_in
            if (loop.inner_for_in is None and not loop.ifs and isinstance(loop.target, cst.Name)
                    and isinstance(loop.iter, cst.Name) and loop.iter.value == context.bases and loop.asynchronous is None):
                context.base = loop.target.value
                try:
                    return ("any_base", predicate(generator.elt, context))
                finally:
                    context.base = None
    return ("?",)
