"""A model's default manager, and whether a manager hides rows: what DJS507 needs.

Django picks the default manager (``Model._default_manager``, the one related managers and
the admin use) as ``Meta.default_manager_name`` or else the first manager in the order of
``Options.managers``: the class's own managers in declaration order, then its parents'
(``django/db/models/options.py``). ``Model._base_manager`` is ``Meta.base_manager_name``'s
manager or else a plain ``Manager()``: it never applies the default manager's filter.

Whether a manager hides rows is read from its class's ``get_queryset`` as the parse layer
summarised it (:mod:`djstate.parse.managers`), through its in-tree bases down to Django's own
manager classes. Anything else (a class outside the tree, a computed manager, several model
parents) is not judged: :meth:`ManagerRows.bypass` says why. A query through the only manager
djstate sees on a model whose parents it does not fully see records nothing: no manager it can
see has a filter to skip (wagtail's ``EventPage.objects`` would be 329 items of no use).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any, Callable

from djstate.facts.values import Call, Opaque, Ref, render
from djstate.state.paths import canonical_path, canonical_value

# Django's manager and queryset classes whose get_queryset returns every row
PLAIN = {"django.db.models.manager.Manager", "django.db.models.manager.BaseManager", "django.db.models.query.QuerySet",
         "django.db.models.Manager", "django.db.models.QuerySet", "builtins.object", "typing.Generic"}  # fmt: skip
EMPTY = {"django.db.models.manager.EmptyManager"}  # get_queryset() returns .none()
# classes outside the tree known to add no manager to Options.managers (HistoricalRecords
# sets a descriptor on the model once the class is prepared)
NOT_MANAGERS = {"simple_history.models.HistoricalRecords"}
PARENTS_UNKNOWN = "the model's managers come from parents djstate does not fully see"
_CALL = re.compile(r"^(?!(property|classmethod|staticmethod|cached_property)\()[\w.]+\(.*\)$", re.DOTALL)


@dataclass(frozen=True)
class Bypass:
    """A query through ``manager`` skips ``default``'s filter (``why`` is None), or cannot be
    judged (``why`` says what is unknown)."""

    manager: str
    default: str | None
    why: str | None = None
    through: str | None = None  # for _base_manager set by Meta.base_manager_name: that manager


class ManagerRows:
    def __init__(self, builder: Any, resolve_value: Callable[[Any], Any]) -> None:
        self.builder = builder
        self.resolve_value = resolve_value
        self._classes: dict[str, bool | None] = {}
        self._default_managers: dict[int, tuple[Any, tuple[str | None, str | None]]] = {}  # id -> (class, answer)

    # ---- a manager's rows ------------------------------------------------------------------

    def filters(self, value: Any) -> bool | None:
        """Whether the manager ``value`` (a model attribute's value) hides rows; None: unknown."""
        value = canonical_value(value)
        if not isinstance(value, Call):
            return None
        path = value.path
        if path.endswith(".as_manager"):  # QuerySet.as_manager(): Manager's get_queryset
            return self.queryset_class_plain(path[: -len(".as_manager")])
        if path.endswith(".from_queryset"):  # Manager.from_queryset(QS)() reads as this call
            manager = self.class_filters(path[: -len(".from_queryset")])
            if manager is not False:
                return manager
            return self.queryset_arguments_plain(value.args)
        return self.class_filters(path)

    def class_filters(self, path: str, depth: int = 0) -> bool | None:
        path = canonical_path(path)
        if path in self._classes:
            return self._classes[path]
        self._classes[path] = None  # cycles in bases end here
        self._classes[path] = result = self._class_filters(path, depth)
        return result

    def _class_filters(self, path: str, depth: int) -> bool | None:
        if path in EMPTY:
            return True
        if path in PLAIN:
            return False
        found = self.builder.class_facts(path) if depth < 10 else None
        if found is None:
            return None  # outside the tree: its get_queryset is unknown
        facts = found[0]
        if facts.conditional or any(a.name == "get_queryset" for a in facts.attributes):
            return None
        if facts.queryset_rows == "filters":
            return True
        if facts.queryset_rows not in (None, "keeps"):
            return None
        # its own get_queryset (if any) returns super()'s rows: the bases decide. Django's
        # Manager.get_queryset does not call super(), so a base after it is never reached
        plain_before = False
        result: bool | None = False
        for base in facts.bases:
            base = self.resolve_value(canonical_value(base))
            if isinstance(base, Call) and base.path.endswith(".from_queryset"):
                base = Ref(base.path[: -len(".from_queryset")])
            if not isinstance(base, Ref):
                return None
            filters = self.class_filters(base.path, depth + 1)
            if filters is None:
                return None
            if filters and plain_before:
                return None  # `class M(models.Manager, FilterMixin)`: the mixin's method is shadowed
            plain_before = plain_before or canonical_path(base.path) in PLAIN - {"builtins.object", "typing.Generic"}
            result = result or filters
        return result

    def queryset_class_plain(self, path: str) -> bool | None:
        """A QuerySet class has no get_queryset: in the tree or Django's, it keeps every row."""
        path = canonical_path(path)
        return False if path in PLAIN or self.builder.class_facts(path) is not None else None

    def queryset_arguments_plain(self, args: tuple) -> bool | None:
        for arg in args:
            arg = self.resolve_value(arg)
            if not isinstance(arg, Ref) or self.queryset_class_plain(arg.path) is None:
                return None
        return False

    # ---- default and base managers ---------------------------------------------------------

    def default_manager(self, model_class: Any) -> tuple[str | None, str | None]:
        """(name of the default manager, None) or (None, why it is unknown); ("objects", None)
        when no class in the hierarchy declares one."""
        key = id(model_class)  # asked for each chain on the model: once per class
        if key not in self._default_managers:
            self._default_managers[key] = (model_class, self._default_manager(model_class))
        return self._default_managers[key][1]

    def _default_manager(self, model_class: Any) -> tuple[str | None, str | None]:
        named = model_class.meta.get("default_manager_name")
        if named is not None:
            return (named, None) if isinstance(named, str) else (None, "Meta.default_manager_name is computed")
        if not self.parents_known(model_class) and not _own_meta(model_class):
            return None, PARENTS_UNKNOWN  # an outside parent's Meta may name it
        name, why = self.first_declared(model_class)
        if name is not None or why is not None:
            return name, why
        mro = self.model_mro(model_class) if self.parents_known(model_class) else None
        if mro is None:
            return None, PARENTS_UNKNOWN  # its parents' managers come next
        # Options.default_manager: the first parent's Meta.default_manager_name, else the first
        # manager of Options.managers (sorted by MRO depth, then declaration)
        named = mro[1].meta.get("default_manager_name") if len(mro) > 1 else None
        if named is not None:
            return (named, None) if isinstance(named, str) else (None, "Meta.default_manager_name is computed")
        for parent in mro[1:]:
            name, why = self.first_declared(parent)
            if name is not None or why is not None:
                return name, why
        return ("objects", None) if not model_class.managers else (None, PARENTS_UNKNOWN)

    def first_declared(self, model_class: Any) -> tuple[str | None, str | None]:
        """The first manager the class body declares; (None, why) when an attribute before it
        may be a manager djstate cannot see; (None, None) when it declares none."""
        managers = dict(model_class.managers)
        for attribute in model_class.facts.attributes:
            if attribute.name in managers:
                return attribute.name, None
            value = self.resolve_value(canonical_value(attribute.value))
            if isinstance(value, Opaque) and (value.source == attribute.name or _CALL.match(value.source) and _may_be_manager_text(
                    value.source.split("(")[0])) or isinstance(value, Call) and self.may_be_manager(value.path):  # fmt: skip
                return None, f"{attribute.name} = {render(value)[:60]} may be a manager djstate cannot see"
        return None, None

    def model_mro(self, model_class: Any, depth: int = 0) -> list | None:
        """The model classes of the class's MRO, in order (C3 over its model parents)."""
        parents = self.model_parents(model_class)
        if parents is None or depth > 10:
            return None
        sequences = []
        for parent in parents:
            mro = self.model_mro(parent, depth + 1)
            if mro is None:
                return None
            sequences.append(mro)
        merged = _c3_merge([*sequences, list(parents)])
        return None if merged is None else [model_class, *merged]

    def may_be_manager(self, path: str) -> bool:
        """A call whose class djstate did not take for a field or a manager: a class outside the
        tree (not named like a field) or a function may return a manager."""
        if self.builder.attribute_kind(Call(path, (), {})) is not None or path.startswith(("django.", "builtins.")):
            return False
        if canonical_path(path) in NOT_MANAGERS:
            return False
        return _may_be_manager_text(path) and self.builder.class_facts(path) is None

    def base_manager_name(self, model_class: Any) -> tuple[str | None, str | None]:
        """Meta.base_manager_name (or the first parent's), None when unset; (None, why) when unknown."""
        named = model_class.meta.get("base_manager_name")
        if named is None and not self.parents_known(model_class) and not _own_meta(model_class):
            return None, PARENTS_UNKNOWN
        if named is None:
            parents = self.model_parents(model_class)
            if parents is None:
                return None, "its parents are not all known"
            named = parents[0].meta.get("base_manager_name") if parents else None
        if named is None or isinstance(named, str):
            return named, None
        return None, "Meta.base_manager_name is computed"

    def parents_known(self, model_class: Any, depth: int = 0) -> bool:
        """Every base is Django's (Model, an abstract model of django.contrib: no Meta option
        that names managers) or an in-tree class whose own bases are known the same way, and
        no metaclass code of its own may change the class."""
        if model_class.why is not None and model_class.why[0] == "runtime-attribute":
            return False
        for base in model_class.bases:
            if not isinstance(base, Ref):
                return False
            path = canonical_path(base.path)
            if path.startswith(("django.", "builtins.")):
                continue
            if self.builder.class_facts(path) is None or depth > 10:
                return False  # outside the tree: it may be a model with managers and a Meta
            parent = self.builder.model_class(path)
            if parent is not None and not self.parents_known(parent, depth + 1):
                return False
        return True

    def model_parents(self, model_class: Any) -> list | None:
        parents = []
        for base in model_class.bases:
            if not isinstance(base, Ref):
                return None
            parent = self.builder.model_class(base.path)
            if parent is not None and parent.path != model_class.path:
                parents.append(parent)
        return parents

    # ---- the judgement -------------------------------------------------------------------

    def bypass(self, model_class: Any, name: str) -> Bypass | None:
        """Whether ``Model.<name>`` skips the default manager's filter: a :class:`Bypass`
        (``why`` set when it cannot be judged), or None when it does not."""
        managers = dict(model_class.managers)
        if name != "_base_manager" and name not in managers:
            return None  # _default_manager, or not a manager
        through = None
        if name == "_base_manager":
            through, why = self.base_manager_name(model_class)
            if why:
                return Bypass(name, None, why)
        default, why = self.default_manager(model_class)
        if default is None and why == PARENTS_UNKNOWN and name != "_base_manager" and len(managers) == 1:
            return None  # the only manager djstate sees: no visible manager whose filter it could skip
        if default is None:
            return Bypass(name, None, why)
        if default == (through or name) or default == "objects" and default not in managers:
            return None  # the default manager itself, or Django's own `objects`
        if default not in managers:
            return Bypass(name, default, f"the default manager '{default}' is not one djstate sees")
        default_filters = self.filters(managers[default])
        if default_filters is False:
            return None
        if default_filters is None:
            return Bypass(name, default, f"whether the default manager '{default}' filters rows is unknown")
        if through is not None and through not in managers:
            return Bypass(name, default, f"Meta.base_manager_name '{through}' is not a manager djstate sees")
        filters = self.filters(managers[through or name]) if (through or name) in managers else False
        if filters is None:
            return Bypass(name, default, f"whether '{through or name}' filters rows is unknown")
        return None if filters else Bypass(name, default, None, through)


def _own_meta(model_class: Any) -> bool:
    """The class has a Meta of its own that inherits none: no parent's Meta option applies."""
    meta = model_class.facts.nested.get("Meta")
    return meta is not None and not meta.bases


def _may_be_manager_text(callee: str) -> bool:
    """A callee named like a field class (EncryptedCharField & co: field classes djstate has no
    model of), from the standard library (threading.local), or a function whose name does not
    say manager (get_cms_setting('TEMPLATES')) does not make a manager."""
    last = callee.rsplit(".", 1)[-1]
    if last[:1].islower() and "manager" not in last.lower():
        return False
    return not last.endswith("Field") and callee.split(".")[0] not in sys.stdlib_module_names


def _c3_merge(sequences: list[list]) -> list | None:
    """Python's C3 merge of MRO sequences (classes compared by path); None when inconsistent."""
    sequences = [list(s) for s in sequences if s]
    out: list = []
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head.path in {c.path for c in other[1:]} for other in sequences):
                break
        else:
            return None
        out.append(head)
        sequences = [[c for c in s if c.path != head.path] for s in sequences]
        sequences = [s for s in sequences if s]
    return out
