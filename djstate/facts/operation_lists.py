"""Lists of migration operations chosen at import time: which one the state replays, and
whether the others would change it differently (plain data, no libcst)."""

from __future__ import annotations

from djstate.facts.model import MigrationFile, Operation
from djstate.facts.operations import STATE_FREE


def set_operations(facts: MigrationFile, alternatives: list[list[Operation]]) -> None:
    """Apply the first alternative; remember what the alternatives do not all run (unless every
    alternative changes Django's state the same way: a backend's own SQL)."""
    facts.operations = alternatives[0]
    effects = [state_effect(ops) for ops in alternatives]
    if len(alternatives) > 1 and effects[0] is not None and all(e == effects[0] for e in effects):
        return
    if len(alternatives) > 1:
        for ops in alternatives:
            for op in ops:
                # an operation every alternative runs (`operations += [...]` under an `if` keeps
                # the list before it) is not a choice: only the others are unknown
                if all(any(op is other for other in alternative) for alternative in alternatives):
                    continue
                if not any(op is seen for seen in facts.conditional_operations):
                    op.conditional = True
                    facts.conditional_operations.append(op)


def state_effect(ops: list[Operation]) -> list | None:
    """What a list of Django's operations does to the migration state, as comparable text:
    ``SeparateDatabaseAndState``/``RunSQL`` count by their state_operations, ``RunPython`` and
    plain ``RunSQL`` not at all. None when an operation is not Django's or not read."""
    out: list = []
    for op in ops:
        if not op.known or "." in op.kind:
            return None  # a custom operation may change the state in its own code
        if op.kind in ("SeparateDatabaseAndState", "RunSQL"):
            inner = state_effect(op.nested)
            if inner is None:
                return None
            out += inner
        elif op.kind not in STATE_FREE:
            out.append((op.kind, repr(sorted((k, repr(v)) for k, v in op.args.items() if k not in ("database_operations", "hints", "elidable")))))
    return out
