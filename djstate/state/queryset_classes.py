"""What a manager's classes do to the names of its queries.

A manager (or a queryset class it is built from) may add names to the rows (annotate, extra),
translate the names a query passes (an override of filter()), or hand rows of another class
(an iterable class of its own). :class:`ManagerClasses`, mixed into
:class:`~djstate.state.querysets.QueryJudge`, reads the in-tree and virtualenv classes behind a
manager value, bases after their class, and answers from the parse layer's summaries of their
methods (:mod:`djstate.parse.custom_querysets`: methods that return a chain of name-keeping methods on
self; :mod:`djstate.parse.query_overrides`: overrides that pass names on to ``super()``).
"""

from __future__ import annotations

from typing import Any

from djstate.facts.queries import NAME_TAKING, ManagerFactory
from djstate.facts.values import Call, Ref
from djstate.state.catalog import ModelInfo
from djstate.state.paths import canonical_path, canonical_value

# Django methods after which a query may use the same names as before (a custom method that
# returns a chain of these on self keeps them too)
KEEPS_NAMES = {"all", "filter", "exclude", "order_by", "distinct", "select_related", "prefetch_related", "only", "defer",
               "using", "none", "reverse", "select_for_update", "complex_filter", "get_queryset"}  # fmt: skip
# overrides of these are not judged whole yet: one that does not pass names to super() is ignored
GET_FAMILY = {"get", "get_or_create", "update_or_create"}


class ManagerClasses:
    """Needs ``catalog``, ``resolve_value``, ``name_keeping``, ``names_passing``, ``dict_keeping``,
    ``read_queries`` and the caches ``_manager_classes``, ``_creating``, ``_created``, ``_outside_read``."""

    def plain_manager(self, value: Any) -> bool:
        """A manager whose queryset adds no names: Django's own, or in-tree classes that override
        no name-taking method and whose get_queryset() (if any) returns a chain of name-keeping
        methods on super()'s queryset."""
        value = canonical_value(value)
        path = value.path if isinstance(value, (Call, Ref)) else None
        if path is None:
            return False
        if path.startswith("django.db.models.") and not path.endswith(".from_queryset"):
            return True  # (Manager.from_queryset(QS)() is QS's methods on Django's manager: QS decides)
        classes = self.manager_classes(value)
        if classes is None:
            return False
        for cls in classes:
            names = self.method_names(cls)
            if names & (NAME_TAKING - GET_FAMILY) and self.handled_names(classes) is None:
                return False
            if "get_queryset" in names and not self.keeps_names(classes, "get_queryset"):
                return False
        return True

    def manager_value(self, info: ModelInfo, name: str) -> Any:
        model_class = self.catalog.state.classes.get(info.key)
        managers = dict(model_class.managers) if model_class else {}
        if name == "_default_manager":
            return next(iter(managers.values()), None)
        return managers[name] if name in managers else self.factory_manager(info, name)

    def factory_manager(self, info: ModelInfo, name: str) -> Call | None:
        """``name = F(...)`` on the model class (or the first of its bases that binds the name),
        F a manager factory whose classes djstate follows: that call, else None."""
        model_class = self.catalog.state.classes.get(info.key)
        if model_class is None or name in dict(model_class.managers):
            return None
        seen: set[str] = set()
        todo = [model_class.path]
        while todo:
            path = todo.pop(0)
            found = self.catalog.builder.class_facts(path) if path not in seen else None
            seen.add(path)
            if found is None:
                continue
            facts = found[0]
            attr = next((a for a in reversed(facts.attributes) if a.name == name), None)
            if attr is not None or any(m.split(":")[0] == name for m in facts.methods):
                value = self.resolve_value(canonical_value(attr.value)) if attr is not None else None
                if isinstance(value, Call) and self.factory(value.path) is not None and self.manager_classes(value) is not None:
                    return value
                return None
            todo += [canonical_path(b.path) for b in (self.resolve_value(canonical_value(b)) for b in facts.bases) if isinstance(b, Ref)]
        return None

    def manager_classes_of(self, info: ModelInfo, name: str) -> list[str] | None:
        value = self.manager_value(info, name)
        return self.manager_classes(value) if value is not None else None

    def own_queryset(self, info: ModelInfo, name: str) -> bool:
        """Whether the manager's get_queryset() is the project's own (it may select or prefetch)."""
        value = self.manager_value(info, name)
        if value is None:
            return False  # Django's objects (or _base_manager)
        canonical = canonical_value(value)
        if isinstance(canonical, (Call, Ref)) and canonical.path.startswith("django.db.models.") and not canonical.path.endswith(".from_queryset"):
            return False
        classes = self.manager_classes(value)
        if classes is not None and isinstance(canonical, Call) and self.factory(canonical.path) is not None:
            return not self.filters_only(classes)
        return classes is None or any("get_queryset" in self.method_names(c) for c in classes)

    def filters_only(self, classes: list[str]) -> bool:
        """Whether every get_queryset() of these classes only filters what super()'s gives, or
        builds a queryset class that defines none (it selects and prefetches nothing)."""
        for cls in classes:
            if "get_queryset" not in self.method_names(cls):
                continue
            deps = self.name_keeping.get(cls, {}).get("get_queryset")
            if deps is None:
                return False
            for dep in deps:
                if dep.startswith("new:"):
                    created = self.manager_classes(Call(dep[len("new:"):]))
                    if created is None or any("get_queryset" in self.method_names(c) for c in created):
                        return False
                elif dep not in ("filter", "exclude", "all", "using", "super:get_queryset", "super:all"):
                    return False
        return True

    def manager_classes(self, value: Any) -> list[str] | None:
        """The in-tree classes behind a manager value, bases after their class (Django's own left
        out); None when one is outside the tree or not a plain class. Once per value: every
        chain on a model asks it of the same manager values."""
        if id(value) not in self._manager_classes:
            self._manager_classes[id(value)] = (value, self._find_manager_classes(value))
        found = self._manager_classes[id(value)][1]
        return None if found is None else list(found)

    def _find_manager_classes(self, value: Any) -> list[str] | None:
        value = canonical_value(value)
        if not isinstance(value, Call):
            return None
        path = value.path
        if self.factory(path) is not None:
            out = []
            return out if self.factory_classes(value, out, 0) else None
        if path.endswith(".as_manager"):
            roots = [Ref(path[: -len(".as_manager")])]
        elif path.endswith(".from_queryset"):
            roots = [Ref(path[: -len(".from_queryset")]), *value.args]
        else:
            roots = [Ref(path)]
        out: list[str] = []
        return out if all(self.class_tree(root, out, 0) for root in roots) else None

    def class_tree(self, value: Any, out: list[str], depth: int) -> bool:
        value = self.resolve_value(canonical_value(value))
        if isinstance(value, Call) and value.path.endswith(".from_queryset"):
            return self.class_tree(Ref(value.path[: -len(".from_queryset")]), out, depth) and all(
                self.class_tree(arg, out, depth) for arg in value.args)  # fmt: skip
        if not isinstance(value, Ref):
            return False
        path = canonical_path(value.path)
        if path.startswith("django.db.models.") or path in ("builtins.object", "typing.Generic"):
            return True
        found = self.catalog.builder.class_facts(path) if depth < 10 else None
        if found is None:
            return False  # a class outside the tree: unknown
        if path in out:
            return True
        facts = found[0]
        metaclass = self.resolve_value(canonical_value(facts.metaclass)) if facts.metaclass is not None else None
        if facts.conditional or facts.decorators or metaclass is not None and metaclass != Ref("abc.ABCMeta"):
            return False  # ABCMeta only checks abstract methods at instantiation: it adds no name
        out.append(path)
        return all(self.class_tree(base, out, depth + 1) for base in facts.bases)

    def factory(self, path: str) -> tuple[str, ManagerFactory] | None:
        """(module, summary) of a function that returns an instance of a class it defines."""
        value = self.resolve_value(Ref(path))  # a re-export (django_scopes.ScopedManager)
        path = canonical_path(value.path if isinstance(value, Ref) else path)
        module, _, name = path.rpartition(".")
        if path not in self._factories:
            file = self.catalog.builder.modules.get(module) if self.read_queries is not None else None
            queries = self.read_queries(module, file) if file else None
            found = queries.manager_factories.get(name) if queries is not None else None
            self._factories[path] = (module, found) if found is not None else None
        return self._factories[path]

    def factory_classes(self, value: Call, out: list[str], depth: int, spread: dict | None = None) -> bool:
        """The classes behind ``F(...)``, F a manager factory: its local class (named
        ``module.F.<locals>.C``), then its bases as the call's arguments bind them."""
        found = self.factory(value.path) if depth < 6 else None
        if found is None:
            return False
        module, factory = found
        local = f"{module}.{canonical_path(value.path).rpartition('.')[2]}.<locals>.{factory.cls}"
        self._local_classes[local] = factory
        self.name_keeping.setdefault(local, factory.name_keeping)
        self.names_passing.setdefault(local, factory.names_passing)
        kwargs = {**(spread or {}), **value.kwargs}
        if len(value.args) > len(factory.params) or any(k not in factory.params and factory.star_kwargs is None for k in kwargs):
            return False  # a TypeError at import time: not a manager djstate reads
        bound = dict(zip(factory.params, value.args))
        extra = {k: v for k, v in kwargs.items() if k not in factory.params}
        bound.update({k: v for k, v in kwargs.items() if k in factory.params})
        defaults = dict(factory.defaults)
        if local not in out:
            out.append(local)
        for base in factory.bases:
            if base[0] == "param":
                given = bound.get(base[1])
                if given is None and not defaults.get(base[1]):
                    return False
                if not self.class_tree(given if given is not None else Ref(defaults[base[1]]), out, depth + 1):
                    return False
            elif base[0] == "ref":
                if not self.class_tree(Ref(base[1]), out, depth + 1):
                    return False
            elif not self.factory_classes(Call(base[1]), out, depth + 1, extra if base[2] else None):
                return False
        return True

    def method_names(self, cls: str) -> set[str]:
        if cls in self._local_classes:
            return set(self._local_classes[cls].methods)
        found = self.catalog.builder.class_facts(cls)
        return {m.split(":")[0] for m in found[0].methods} if found else set()

    def handled_names(self, classes: list[str]) -> set[str] | None:
        """The names overrides of name-taking methods in these classes consume (Django judges the
        others); None when an override may translate or drop any name (parse.query_overrides)."""
        out: set[str] = set()
        for method in NAME_TAKING:
            found = self.passes(classes, method)
            if found is None and method in GET_FAMILY:
                continue  # as before: such an override (edx-enterprise's get() = filter(**kwargs).first()) is not read
            if found is None:
                return None
            out |= found
        return out

    def passes(self, classes: list[str], method: str, depth: int = 0) -> set[str] | None:
        defined = [c for c in classes if method in self.method_names(c)]
        if not defined:
            return set()  # Django's own
        owner = defined[0]
        self.summarise_outside(owner)
        summary = self.names_passing.get(owner, {}).get(method)
        if summary is None or depth > 12:
            return None
        handled, deps = summary
        out = set(handled)
        for dep in deps:
            found = self.dict_kept(classes, dep)
            if found is None:
                return None
            out |= found
        rest = self.passes(classes[classes.index(owner) + 1:], method, depth + 1)  # its super()
        return None if rest is None else out | rest

    def dict_kept(self, classes: list[str], dep: str, depth: int = 0) -> set[str] | None:
        """The keys a dict helper consumes ("callee@position" or "callee@**"); None when it may
        drop or translate any key."""
        callee, _, key = dep.rpartition("@")
        if callee.startswith("self."):
            owner = next((c for c in classes if callee[len("self."):] in self.method_names(c)), None)
            summary = self.dict_keeping.get(f"{owner}.{callee[len('self.'):]}") if owner else None
        else:
            value = self.resolve_value(Ref(callee))
            summary = self.dict_keeping.get(canonical_path(value.path)) if isinstance(value, Ref) else None
        if summary is None or key not in summary or depth > 8:
            return None
        out = set(summary.get("=names", ())) if key == "**" else set()  # a ** spread fills its named parameters
        for more in summary[key]:
            found = self.dict_kept(classes, more, depth + 1)
            if found is None:
                return None
            out |= found
        return out

    def summarise_outside(self, cls: str) -> None:
        """Read the query summaries of the module of a class outside the tree (a virtualenv's)
        into name_keeping / names_passing / dict_keeping, once per module: the tree's were read
        by build_queries."""
        found = self.catalog.builder.class_facts(cls) if self.read_queries is not None else None
        if found is None or found[1] in self._outside_read:
            return
        module = found[1]
        self._outside_read.add(module)
        file = self.catalog.builder.modules.get(module, "")
        if not file.startswith("/"):
            return  # a module of the tree
        queries = self.read_queries(module, file)
        if queries is None:
            return
        for target, summaries in ((self.name_keeping, queries.name_keeping), (self.names_passing, queries.names_passing)):
            for name, methods in summaries.items():
                target.setdefault(f"{module}.{name}", methods)
        for name, kept in queries.dict_keeping.items():
            self.dict_keeping.setdefault(f"{module}.{name}", kept)

    def keeps_names(self, classes: list[str], method: str, depth: int = 0, within: frozenset = frozenset()) -> bool:
        """Whether calling ``method`` on a queryset of these classes leaves the names as they were:
        Django's own name-keeping method, or the first in-tree definition returns a chain of such
        methods on self (parse.custom_querysets.name_keeping). A method met again while it is being
        judged (django-scopes' ``all()``: ``a = super().all(); a = a.all()``) adds nothing: the
        chain keeps names if its other methods do."""
        if depth > 12:
            return False
        defined = [c for c in classes if method in self.method_names(c)]
        if not defined:
            return method in KEEPS_NAMES
        owner = defined[0]
        if (owner, method) in within:
            return True
        within = within | {(owner, method)}
        self.summarise_outside(owner)
        deps = self.name_keeping.get(owner, {}).get(method)
        if deps is None:
            return False
        for dep in deps:
            if dep.startswith("super:"):
                rest = classes[classes.index(owner) + 1:]
                if not self.keeps_names(rest, dep[len("super:"):], depth + 1, within):
                    return False
            elif dep.startswith("new:"):  # `QS(self.model, ...)`: a queryset whose class adds no name
                if not self.plain_created(dep[len("new:"):], classes):
                    return False
            elif not self.keeps_names(classes, dep, depth + 1, within):
                return False
        return True

    def rows_of_model(self, classes: list[str]) -> bool:
        """Whether querysets of these classes yield Django's rows (instances of the model's
        class): every method they define returns a chain of Django's name-keeping methods on
        self, so none sets another iterable class (wagtail's specific(), polymorphic querysets)."""
        return all(self.keeps_names(classes, method) for cls in classes for method in self.method_names(cls))

    def plain_created(self, path: str, classes: list[str]) -> bool:
        """Whether a queryset class that a get_queryset() instantiates adds no name."""
        if path in classes:
            # one of the classes being judged (from_queryset(QS)'s get_queryset() builds QS, a
            # QuerySet method `QS(self.model)`): its whole class tree is among them, and every
            # caller judges all of them (plain_manager) or already has (a plain chain)
            return True
        if path in self._creating:
            return False  # a class that creates itself through another: not followed
        if path not in self._created:
            self._creating.add(path)
            try:
                self._created[path] = self.plain_manager(Call(path))
            finally:
                self._creating.discard(path)
        return self._created[path]
