"""Whether a method writes the class it is given, and the reading of names in a function body
that this and the metaclass and class-decorator readers share.

A method ``__new__`` calls on the class it built (a hook such as rules'
``preprocess_rules_permissions``) may be overridden by a model, so the models state asks of each
model's own method :func:`writes_class`: does it do more with its first parameter than read
attributes and call Options' read methods? Answering that, and following what a metaclass's
``__new__``/``__init__`` (djstate.parse.metaclasses) or a class decorator
(djstate.parse.class_decorators) does with the class, rests on the same reading of a function
body: its positional parameters, the names an expression reads, every binding (``_Flow``), every
target written (``_TargetsWritten``), and the callees that only look at their arguments.
"""

from __future__ import annotations

import libcst as cst

from djstate.parse.metaclass_guards import _chain

_READS = {"get", "keys", "items", "values", "copy", "get_field", "get_fields"}  # methods that only read
_LOOKING = {"isinstance", "issubclass", "getattr", "hasattr", "type", "id", "repr", "str", "len", "bool"}
_STRING_READS = {"format", "join"}  # "{}.{}".format(cls._meta.app_label, ...): builds a string
_ADDING = {"setattr", "delattr"}


def _positional(func: cst.FunctionDef) -> list[str]:
    return [p.name.value for p in (*func.params.posonly_params, *func.params.params)]


def _code(node: cst.CSTNode | None) -> str:
    return "None" if node is None else " ".join(cst.Module([]).code_for_node(node).split())[:60]


def _names_in(node: cst.CSTNode, into_calls: bool = True) -> set[str]:
    """Names an expression reads (not those inside nested calls' results when ``into_calls`` is off)."""
    found: set[str] = set()

    class Visitor(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

        def visit_Call(self, call: cst.Call) -> bool:
            return into_calls

    node.visit(Visitor())
    return found


def _bound(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _bound(e.value)]
    return []


class _Flow(cst.CSTVisitor):
    """Every (targets, value) binding of the function, for the two groups' closure."""

    def __init__(self) -> None:
        self.bindings: list[tuple[list[str], cst.CSTNode]] = []

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.bindings.append((_bound(target.target), node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bindings.append((_bound(node.target), node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bindings.append((_bound(node.target), node.value))

    def visit_For(self, node: cst.For) -> None:
        self.bindings.append((_bound(node.target), node.iter))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.bindings.append((_bound(node.target), node.iter))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self.bindings.append((_bound(node.asname.name), node.item))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bindings.append((_bound(node.target), node.value))


def _flow(func: cst.FunctionDef) -> _Flow:
    flow = _Flow()
    func.visit(flow)
    return flow


class _TargetsWritten(cst.CSTVisitor):
    """Calls ``written`` with every target an assignment (plain, augmented, annotated) or a
    ``del`` writes, tuples and lists unpacked."""

    def written(self, target: cst.BaseExpression) -> None:
        raise NotImplementedError

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
        else:
            self.written(target)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)


def _looks_only(func: cst.BaseExpression) -> bool:
    """A callee that only looks at its arguments: ``isinstance``, ``getattr``, a string's format."""
    if isinstance(func, cst.Name):
        return func.value in _LOOKING
    return (
        isinstance(func, cst.Attribute) and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
        and func.attr.value in _STRING_READS
    )  # fmt: skip


def writes_class(func: cst.FunctionDef) -> bool:
    """Whether a method called on the new class (a classmethod) may change the class's names:
    it does more with its first parameter than read attributes (``cls._meta.app_label``) and
    call Options' read methods."""
    params = _positional(func)
    if not params:
        return True
    first = params[0]
    writes = False

    class Visitor(_TargetsWritten):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal writes
            root, parts = _chain(node.func) if isinstance(node.func, cst.Attribute) else (None, [])
            if root == first and not (parts[:1] == ["_meta"] and parts[-1] in _READS):
                writes = True  # cls.other(), cls._meta.add_field(): not followed
            if isinstance(node.func, cst.Name) and node.func.value in _ADDING:
                writes = True
            looking = _looks_only(node.func)
            if not looking and any(first in _names_in(a.value, into_calls=False) for a in node.args):
                writes = True  # register(cls): anything may follow

        def written(self, target: cst.BaseExpression) -> None:
            nonlocal writes
            if _chain(target)[0] == first:
                writes = True

        def visit_Return(self, node: cst.Return) -> None:
            nonlocal writes
            value = node.value
            elements = [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else [value]
            if any(e is not None and _chain(e)[0] == first for e in elements):
                writes = True  # returns the class (or its _meta) to code djstate does not follow

    func.visit(Visitor())
    flow = _Flow()
    func.visit(flow)
    if any(first in _names_in(value) for _, value in flow.bindings):
        writes = True  # meta = cls._meta: an alias djstate does not follow
    return writes
