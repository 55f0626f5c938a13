"""Canonical paths: the path Django writes into a migration for an imported name.

The table is generated from Django by ``tools/gen_django_paths.py``; djstate never imports
Django to use it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from djstate.facts.values import Call, Ref


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    text = resources.files("djstate.data").joinpath("django_paths.json").read_text()
    return json.loads(text)["paths"]


@lru_cache(maxsize=65536)
def canonical_path(path: str) -> str:
    """Map an alias (``django.db.models.CASCADE``) to Django's written path."""
    table = _table()
    if path in table:
        return table[path]
    head, _, tail = path.rpartition(".")
    while head:
        if head in table:
            return f"{table[head]}.{path[len(head) + 1:]}"
        head, _, _ = head.rpartition(".")
    return path


def canonical_value(value: Any) -> Any:
    """Canonicalise every path inside a value."""
    if isinstance(value, Ref):
        return Ref(canonical_path(value.path))
    if isinstance(value, Call):
        return Call(
            canonical_path(value.path),
            tuple(canonical_value(a) for a in value.args),
            {k: canonical_value(v) for k, v in value.kwargs.items()},
        )
    if isinstance(value, list):
        return [canonical_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(canonical_value(v) for v in value)
    if isinstance(value, dict):
        return {canonical_value(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return frozenset(canonical_value(v) for v in value)
    return value
