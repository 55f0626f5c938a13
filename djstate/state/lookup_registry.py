"""The lookups a project registers on field classes (``CharField.register_lookup(Empty)``), by
the class they are registered on, with the name each registers under. Where a registration's
class or name cannot be read, the suffixes of the fields it may reach are left unjudged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from djstate.facts.queries import QueryFacts
from djstate.facts.values import Ref

MAX_DEPTH = 12
_NO_NAME = ""  # a class that sets no lookup_name (a mixin, Django's Lookup)


@dataclass
class RegisteredLookups:
    names: dict[str, set[str]] = field(default_factory=dict)  # registered-on class path -> names
    unreadable: set[str] = field(default_factory=set)  # classes given a lookup whose name djstate cannot read
    anywhere: bool = False  # a registration on a class djstate cannot name: no suffix is judged

    def on(self, field_class: str, mro: tuple[str, ...] | list[str] = ()) -> set[str] | None:
        """The names registered on a field class or its ancestors (``mro``: every dotted name
        of them); None when one of them may hold a name djstate cannot read."""
        reached = {field_class, *mro}
        if self.anywhere or reached & self.unreadable:
            return None
        return {name for path in reached for name in self.names.get(path, ())}


def registered_lookups(queries: dict[str, QueryFacts], resolve: Callable[[Any], Any],
                       django_names: dict[str, str]) -> RegisteredLookups:  # fmt: skip
    """``queries``: the tree's modules (dotted name) and their query facts; ``resolve``: the
    resolver's ``value``; ``django_names``: Django's Lookup and Transform classes by dotted name."""
    found = RegisteredLookups()

    def path_of(path: str | None) -> str | None:
        value = resolve(Ref(path)) if path else None
        return value.path if isinstance(value, Ref) else None

    def lookup_name(path: str | None, depth: int = 0) -> str | None:
        """The class's lookup_name; _NO_NAME when it sets none; None when it cannot be read."""
        if path is None or depth > MAX_DEPTH:
            return None
        if path in django_names:
            return django_names[path]
        module, _, name = path.rpartition(".")
        if module not in queries:
            return _NO_NAME if path.startswith("django.") else None  # Django's Lookup; a class outside the tree
        cls = queries[module].lookup_classes.get(name)
        if cls is None or not cls.readable:
            return None
        if cls.name is not None:
            return cls.name
        for base in cls.bases:  # the first base that sets one, as the MRO of plain mixins finds it
            inherited = lookup_name(path_of(base), depth + 1) if base else None
            if inherited != _NO_NAME:
                return inherited
        return _NO_NAME

    for facts in queries.values():
        for registration in facts.lookup_registrations:
            target = path_of(registration.target)
            if target is None:
                found.anywhere = True
                continue
            name = registration.name
            if name is None and not registration.name_unreadable:
                name = lookup_name(path_of(registration.lookup))
            if not name:  # unreadable, or a class without a lookup_name (Django would raise)
                found.unreadable.add(target)
            else:
                found.names.setdefault(target, set()).add(name)
    return found
