"""Migrations whose ``operations`` is the result of a function imported from another module.

The parsing layer records the call (``MigrationFile.operations_call``) and reads every
module's functions that return lists of Django's operations as templates
(``ModuleFacts.operation_functions``). Here the call is matched with its function, followed
through re-exports, and the template is filled with the call's arguments: the migration then
replays the first list, and the others count as import-time alternatives, as a literal
``[...] if cond else [...]`` does. A call that cannot be matched keeps ``operations`` computed.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from djstate.facts.model import MigrationFile
from djstate.facts.operation_lists import set_operations
from djstate.facts.values import Ref
from djstate.state.resolve import Resolver


def resolve_operation_calls(migrations: dict, resolver: Resolver) -> None:
    """Replace (in ``migrations``) each migration whose operations call is read with a copy
    holding the operations it may produce."""
    for key, migration in list(migrations.items()):
        if migration.operations_call is None or "operations" not in migration.opaque_attributes:
            continue
        alternatives = _alternatives(migration, resolver)
        if alternatives is None:
            continue
        resolved = copy.copy(migration)
        resolved.opaque_attributes = [a for a in migration.opaque_attributes if a != "operations"]
        resolved.conditional_operations = []
        set_operations(resolved, alternatives)
        migrations[key] = resolved


def _alternatives(migration: MigrationFile, resolver: Resolver) -> list | None:
    path, arguments, span = migration.operations_call  # type: ignore[misc]
    found = _function_module(path, resolver)
    if found is None or len(found[1]) != 1:
        return None
    module, (name,) = found
    facts = resolver.load(resolver.modules[module], module)
    if facts is None or name not in facts.operation_functions:
        return None
    params, template = facts.operation_functions[name]
    named = {}
    for key, value in arguments.items():
        if isinstance(key, int):
            if key >= len(params):
                return None
            key = params[key]
        named[key] = value
    out = []
    for result in template:
        ops = []
        for item in result:
            if isinstance(item, str):  # a parameter: the call's argument, an operation
                if named.get(item) is None:
                    return None
                ops.append(copy.deepcopy(named[item]))
            else:  # the function's own operation, located at the call
                ops.append(replace(copy.deepcopy(item), span=span))
        out.append(ops)
    return out


def _function_module(path: str, resolver: Resolver) -> tuple[str, list[str]] | None:
    """The tree module defining the function ``path`` names (followed through re-exports and,
    for a project run from a package folder, below that package), and the rest of the path."""
    target = resolver.resolve_path(path)
    return resolver._module_prefix(target.path) if isinstance(target, Ref) else None
