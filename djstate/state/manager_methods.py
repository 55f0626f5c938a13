"""Whether a manager certainly has no method of a name (DJS503's second case).

``Book.in_print.published()`` where ``in_print = InPrintManager()`` and ``InPrintManager`` is a
plain ``models.Manager`` subclass: Django raises ``AttributeError`` on the attribute, before any
query. djstate says so only where it is certain: the model is known whole, the manager is
Django's own or built from classes that are all in the tree (``as_manager()`` and
``from_queryset()`` of such classes included), none of them defines ``__getattr__`` or sets
attributes it cannot name, no code gives one of those classes the name at runtime
(``InPrintManager.published = ...``), and the name is not one of Django's manager attributes.
"""

from __future__ import annotations

import difflib
from typing import Any

from djstate.facts.values import Call
from djstate.state.paths import canonical_value

# dir(django.db.models.Manager) without dunders, Django 4.2 to 6.1 (fetch_mode: 6.1), and the
# attributes Manager.__init__ / contribute_to_class set on the instance
DJANGO_MANAGER_NAMES = frozenset({
    "_get_queryset_methods", "_insert", "_queryset_class", "_set_creation_counter", "_update", "aaggregate",
    "abulk_create", "abulk_update", "acontains", "acount", "acreate", "aearliest", "aexists", "aexplain", "afirst",
    "aget", "aget_or_create", "aggregate", "ain_bulk", "aiterator", "alast", "alatest", "alias", "all", "annotate",
    "aupdate", "aupdate_or_create", "auto_created", "bulk_create", "bulk_update", "check", "complex_filter",
    "contains", "contribute_to_class", "count", "create", "creation_counter", "dates", "datetimes", "db",
    "db_manager", "deconstruct", "defer", "difference", "distinct", "earliest", "exclude", "exists", "explain",
    "extra", "fetch_mode", "filter", "first", "from_queryset", "get", "get_or_create", "get_queryset", "in_bulk",
    "intersection", "iterator", "last", "latest", "none", "only", "order_by", "prefetch_related", "raw", "reverse",
    "select_for_update", "select_related", "union", "update", "update_or_create", "use_in_migrations", "using",
    "values", "values_list",
    "model", "name", "_db", "_hints", "_constructor_args",
})  # fmt: skip
DYNAMIC_LOOKUP = {"__getattr__", "__getattribute__"}


def missing_manager_method(judge: Any, info: Any, attribute: str, method: str) -> str | None:
    """Why ``Model.<attribute>.<method>`` raises AttributeError (the message's middle part), or
    None when the manager has, or may have, that method. ``judge`` is the QueryJudge."""
    if method.startswith("__") or method in DJANGO_MANAGER_NAMES:
        return None
    catalog = judge.catalog
    model_class = catalog.state.classes.get(info.key)
    if model_class is None or not info.known or not model_class.known:
        return None
    managers = dict(model_class.managers)
    if attribute in managers:
        classes = judge.manager_classes(managers[attribute])
    elif attribute == "objects" and not managers and attribute not in catalog.model_methods(model_class.path):
        # Django's `objects = models.Manager()`, or none at all (a manager djstate does not
        # recognise is declared: `objects = ScopedManager(...)` would be a member)
        classes = []
    else:
        return None
    if classes is None:
        return None  # a class outside the tree, or a value djstate cannot follow
    if attribute in managers and _keyword_queryset(judge, managers[attribute]):
        return None
    names: set[str] = set(DJANGO_MANAGER_NAMES)
    for cls in classes:
        found = catalog.builder.class_facts(cls)
        if found is None:
            return None
        facts = found[0]
        if any(_keyword_queryset(judge, base) for base in facts.bases):
            return None
        defined = set(facts.methods) | {a.name for a in facts.attributes} | set(facts.nested) | set(facts.instance_attributes)
        if "*" in defined or defined & DYNAMIC_LOOKUP:
            return None
        names |= {n.split(":")[0] for n in defined}
    if method in names or _given_at_runtime(catalog, classes, method):
        return None
    shown = ", ".join(c.rsplit(".", 1)[-1] for c in classes) if classes else "Django's Manager"
    close = difflib.get_close_matches(method, sorted(n for n in names if not n.startswith("_")), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"manager '{attribute}' ({shown}) has no method '{method}'{hint}"


def _keyword_queryset(judge: Any, value: Any) -> bool:
    """``Manager.from_queryset(queryset_class=QS)``: the QuerySet given by keyword, whose methods
    the manager has (the class list djstate builds follows positional arguments only)."""
    value = judge.resolve_value(canonical_value(value))
    return isinstance(value, Call) and value.path.endswith(".from_queryset") and bool(value.kwargs)


def _given_at_runtime(catalog: Any, classes: list[str], method: str) -> bool:
    """Whether code may set the name on one of the manager's classes (``X.name = ...``,
    ``setattr(X, ...)``, ``add_to_class``): an owner djstate cannot name counts as any class."""
    if method in catalog.runtime_names:
        return True
    owners_of = catalog.class_attribute_owners
    if owners_of is None:
        return method in catalog.class_attributes or "*" in catalog.class_attributes
    owners = owners_of.get(method, set()) | owners_of.get("*", set())
    if not owners:
        return method in catalog.class_attributes
    lineage = {c.rsplit(".", 1)[-1] for c in classes} | {"Manager", "BaseManager", "QuerySet"}
    return "" in owners or not catalog.class_names or any(o in lineage or o.lower() not in catalog.class_names for o in owners)
