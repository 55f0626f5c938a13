"""What a ``Migration`` class's methods change on ``self`` when Django builds or applies it.

``def __init__(self, ...): self.dependencies = [...]`` or ``def apply(...): self.operations =
self.operations + self.pg_only_operations`` are runtime choices. These read which attributes a
method changes and, for a few shapes, what the change can be; the expressions themselves are
read by the caller (djstate.parse.migrations), given here as functions.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from djstate.facts.model import Dependency, Operation
from djstate.facts.operations import STATE_FREE

ReadAlternatives = Callable[[cst.BaseExpression], "list[list[Operation]] | None"]
ReadOperations = Callable[[cst.BaseExpression], "list[Operation] | None"]
ReadDependencies = Callable[[cst.BaseExpression], "list[Dependency] | None"]


def state_free_assignments(func: cst.FunctionDef, alternatives_of: ReadAlternatives) -> bool:
    """Whether every change the method makes to ``self.operations`` is an assignment of a list
    of operations that leave the state alone (RunSQL/RunPython without state_operations), so
    whichever runs, the replayed state is the same."""
    assigned: list = []
    other = []

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                t = target.target
                if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == "self":
                    (assigned if t.attr.value == "operations" and len(node.targets) == 1 else other).append(node.value)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            other.append(node)

        def visit_Call(self, node: cst.Call) -> None:
            func_ = node.func
            if isinstance(func_, cst.Attribute) and isinstance(func_.value, cst.Attribute):
                inner = func_.value
                if isinstance(inner.value, cst.Name) and inner.value.value == "self" and inner.attr.value == "operations":
                    other.append(node)  # self.operations.append(...)

    func.visit(Visitor())
    if other or not assigned:
        return False
    for value in assigned:
        alternatives = alternatives_of(value)
        if alternatives is None or any(
            not op.known or op.kind not in STATE_FREE or op.nested for ops in alternatives for op in ops
        ):
            return False
    return True


def appended_operations(func: cst.FunctionDef, operations_of: ReadOperations) -> list[Operation] | None:
    """The operations a method may add to ``self.operations`` when every change it makes is an
    addition (``self.operations = self.operations + X``, ``self.operations += X``) of a literal
    list or of a class attribute bound to one (``self.pg_only_operations``); None otherwise.
    What the class declares still runs: the additions are the only import-time choice."""
    added: list[cst.BaseExpression] = []
    changes = 0

    def is_operations(node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self" \
            and node.attr.value == "operations"

    class Visitor(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            nonlocal changes
            if any(is_operations(t.target) for t in node.targets):
                changes += 1
                value = node.value
                if len(node.targets) == 1 and isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add) \
                        and is_operations(value.left):
                    added.append(value.right)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal changes
            if is_operations(node.target):
                changes += 1
                if isinstance(node.operator, cst.AddAssign):
                    added.append(node.value)

    func.visit(Visitor())
    if changes != len(added) or self_attributes(func) != {"operations"} or _mutates_operations(func):
        return None
    out: list[Operation] = []
    for node in added:
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            node = node.attr  # a class attribute: the bound names include the class body's
        ops = operations_of(node)
        if ops is None:
            return None
        out += ops
    return out


def _mutates_operations(func: cst.FunctionDef) -> bool:
    """``self.operations.append(...)`` and other method calls on the list."""
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            f = node.func
            if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Attribute) and f.value.attr.value == "operations" \
                    and isinstance(f.value.value, cst.Name) and f.value.value.value == "self":
                found = True

    func.visit(Visitor())
    return found


def init_dependencies(func: cst.FunctionDef, dependencies_of: ReadDependencies) -> list[Dependency] | None:
    """The literal part of dependencies an ``__init__`` computes: after ``super().__init__(...)``
    (which copies the class's), one plain ``self.dependencies = [...]``, then only additions
    (``self.dependencies.insert/append/extend(...)``, ``+=``) that djstate cannot know
    (simplejwt's 0011_linearizes_history adds a migration it finds with os.listdir)."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else []
    smalls = [s.body[0] if isinstance(s, cst.SimpleStatementLine) and len(s.body) == 1 else s for s in body]
    supers = [i for i, s in enumerate(smalls) if isinstance(s, cst.Expr) and isinstance(s.value, cst.Call)
              and isinstance(s.value.func, cst.Attribute) and s.value.func.attr.value == "__init__"
              and isinstance(s.value.func.value, cst.Call) and isinstance(s.value.func.value.func, cst.Name)
              and s.value.func.value.func.value == "super"]  # fmt: skip
    assigns = [i for i, s in enumerate(smalls) if isinstance(s, cst.Assign) and len(s.targets) == 1
               and _on_self(s.targets[0].target) == "dependencies"]  # fmt: skip
    if len(supers) != 1 or len(assigns) != 1 or assigns[0] < supers[0]:
        return None
    plain = 0

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            nonlocal plain
            plain += _on_self(target.target) == "dependencies"

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            nonlocal plain
            plain += _on_self(node.target) == "dependencies" and not isinstance(node.operator, cst.AddAssign)

        def visit_Call(self, node: cst.Call) -> None:
            nonlocal plain
            f = node.func
            if isinstance(f, cst.Attribute) and _on_self(f.value) == "dependencies":
                plain += f.attr.value not in ("insert", "append", "extend")

    func.visit(Visitor())
    if plain != 1:  # another assignment, or a removal: what remains is unknown
        return None
    return dependencies_of(smalls[assigns[0]].value)


def _on_self(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def self_attributes(func: cst.FunctionDef) -> set[str]:
    """Attributes a method assigns or changes on ``self`` (``self.x = ``, ``self.x += ``,
    ``self.x.insert(...)``)."""
    names: set[str] = set()
    on_self = _on_self

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target: cst.AssignTarget) -> None:
            name = on_self(target.target)
            if name:
                names.add(name)

        def visit_AugAssign(self, aug: cst.AugAssign) -> None:
            name = on_self(aug.target)
            if name:
                names.add(name)

        def visit_Call(self, call: cst.Call) -> None:
            if isinstance(call.func, cst.Attribute):
                name = on_self(call.func.value)
                if name:
                    names.add(name)

    func.visit(Visitor())
    return names
