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


# dir(django.db.models.QuerySet) without private names, Django 4.2 to 6.1
DJANGO_QUERYSET_NAMES = frozenset({
    "aaggregate", "abulk_create", "abulk_update", "acontains", "acount", "acreate", "adelete", "aearliest", "aexists",
    "aexplain", "afirst", "aget", "aget_or_create", "aggregate", "ain_bulk", "aiterator", "alast", "alatest", "alias",
    "all", "annotate", "as_manager", "aupdate", "aupdate_or_create", "bulk_create", "bulk_update", "complex_filter",
    "contains", "count", "create", "dates", "datetimes", "db", "defer", "delete", "difference", "distinct",
    "earliest", "exclude", "exists", "explain", "extra", "fetch_mode", "filter", "first", "get", "get_or_create",
    "in_bulk", "intersection", "iterator", "last", "latest", "none", "only", "order_by", "ordered",
    "prefetch_related", "query", "raw", "resolve_expression", "reverse", "select_for_update", "select_related",
    "totally_ordered", "union", "update", "update_or_create", "using", "values", "values_list", "model",
})  # fmt: skip
# Django methods that return a queryset of the same class (its custom methods stay callable)
SAME_QUERYSET = {"all", "filter", "exclude", "order_by", "distinct", "select_related", "prefetch_related", "annotate",
                 "alias", "reverse", "none", "using", "only", "defer", "select_for_update", "extra", "values",
                 "values_list"}  # fmt: skip
DJANGO_MANAGERS = {"django.db.models.Manager", "django.db.models.manager.Manager"}


def missing_method(judge: Any, info: Any, chain: Any, call: Any) -> str | None:
    """Why ``call`` of a ``Model.<manager>...`` chain raises AttributeError (the message's middle
    part), or None when the object has, or may have, that method: the first call is looked up on
    the manager, a later one after only Django's queryset-returning methods on its QuerySet.
    ``judge`` is the QueryJudge."""
    if chain.root != "manager":
        return None
    index = next((i for i, c in enumerate(chain.calls) if c is call), None)
    if index == 0:
        return missing_manager_method(judge, info, chain.attribute, call.method)
    if index is not None and all(c.method in SAME_QUERYSET for c in chain.calls[:index]):
        return missing_queryset_method(judge, info, chain.attribute, call.method)
    return None


def _model_managers(judge: Any, info: Any) -> tuple[Any, dict] | None:
    model_class = judge.catalog.state.classes.get(info.key)
    if model_class is None or not info.known or not model_class.known:
        return None
    return model_class, dict(model_class.managers)


def _default_objects(judge: Any, model_class: Any, managers: dict, attribute: str) -> bool:
    """Django's `objects = models.Manager()`, or none at all (a manager djstate does not
    recognise is declared: `objects = ScopedManager(...)` would be a member)."""
    return attribute == "objects" and not managers and attribute not in judge.catalog.model_methods(model_class.path)


def missing_manager_method(judge: Any, info: Any, attribute: str, method: str) -> str | None:
    """Why ``Model.<attribute>.<method>`` raises AttributeError, or None."""
    if method.startswith("__") or method in DJANGO_MANAGER_NAMES:
        return None
    found = _model_managers(judge, info)
    if found is None:
        return None
    model_class, managers = found
    if attribute in managers:
        if _keyword_queryset(judge, managers[attribute]):
            return None
        classes = judge.manager_classes(managers[attribute])
    elif _default_objects(judge, model_class, managers, attribute):
        classes = []
    else:
        return None
    names = _names(judge, classes)
    if names is None or method in names or _given_at_runtime(judge.catalog, classes, method):
        return None
    return f"manager '{attribute}' ({_shown(classes, 'Manager')}) has no method '{method}'{_hint(method, names | DJANGO_MANAGER_NAMES)}"


def missing_queryset_method(judge: Any, info: Any, attribute: str, method: str) -> str | None:
    """Why ``Model.<attribute>.filter(...).<method>`` raises AttributeError, or None. The QuerySet
    class is known for ``QS.as_manager()`` and for Django's Manager or an in-tree subclass that
    changes nothing of its queryset (no get_queryset, _queryset_class or from_queryset)."""
    if method.startswith("_") or method in DJANGO_QUERYSET_NAMES:
        return None
    found = _model_managers(judge, info)
    if found is None:
        return None
    model_class, managers = found
    if attribute in managers:
        value = judge.resolve_value(canonical_value(managers[attribute]))
        if not isinstance(value, Call) or value.args or value.kwargs:
            return None
        if value.path.endswith(".as_manager"):
            classes = judge.manager_classes(value)  # the QuerySet class and its in-tree bases
            if classes is None:
                return None  # a QuerySet class djstate cannot follow
        elif value.path in DJANGO_MANAGERS:
            classes = []
        else:
            manager_classes = judge.manager_classes(value)
            if manager_classes is None or not _plain_queryset(judge, manager_classes):
                return None
            classes = []
    elif _default_objects(judge, model_class, managers, attribute):
        classes = []
    else:
        return None
    names = _names(judge, classes)
    if names is None or method in names or _given_at_runtime(judge.catalog, classes, method):
        return None
    return (f"the QuerySet of manager '{attribute}' ({_shown(classes, 'QuerySet')}) has no method "
            f"'{method}'{_hint(method, names | DJANGO_QUERYSET_NAMES)}")  # fmt: skip


def _plain_queryset(judge: Any, manager_classes: list[str]) -> bool:
    """Whether a manager made of these in-tree classes gives Django's own QuerySet."""
    for cls in manager_classes:
        found = judge.catalog.builder.class_facts(cls)
        if found is None:
            return False
        facts = found[0]
        defined = set(facts.methods) | {a.name for a in facts.attributes} | set(facts.instance_attributes)
        if defined & {"get_queryset", "_queryset_class", "*"} or defined & DYNAMIC_LOOKUP:
            return False
        for base in facts.bases:
            value = judge.resolve_value(canonical_value(base))
            if isinstance(value, Call):  # Manager.from_queryset(QS), or any other computed base
                return False
    return True


def _names(judge: Any, classes: list[str]) -> set[str] | None:
    """Every name the classes define (None when one may define names djstate cannot see)."""
    names: set[str] = set()
    for cls in classes:
        found = judge.catalog.builder.class_facts(cls)
        if found is None:
            return None
        facts = found[0]
        if any(_keyword_queryset(judge, base) for base in facts.bases):
            return None
        defined = set(facts.methods) | {a.name for a in facts.attributes} | set(facts.nested) | set(facts.instance_attributes)
        if "*" in defined or defined & DYNAMIC_LOOKUP:
            return None
        names |= {n.split(":")[0] for n in defined}
    return names


def _shown(classes: list[str], django: str) -> str:
    return ", ".join(c.rsplit(".", 1)[-1] for c in classes) if classes else f"Django's {django}"


def _hint(method: str, names: set[str]) -> str:
    close = difflib.get_close_matches(method, sorted(n for n in names if not n.startswith("_")), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
