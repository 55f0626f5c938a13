"""Classes read through their bases: a class's chain and MRO across the tree and the
virtualenv, what its metaclass's own code may change on it, whether it can never be a model,
and whether a class attribute builds a model field or a manager.

:func:`class_chain` is the plain walk (a class and its bases as far as the facts go) the
catalogue, the serializer emulation and the rules use to ask what a class defines.

:class:`ClassBases` is mixed into :class:`djstate.state.models.ModelsBuilder` (whose ``resolver``,
``load_models`` and ``modules`` it uses); the builder decides from these answers which classes
are models and how far each is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from djstate.facts.model import ClassFacts
from djstate.facts.values import Call, Opaque, Ref, is_known, render
from djstate.state.fields import django_field_name, shipped_fields
from djstate.state.thirdparty_descriptions import THIRD_PARTY_BASES
from djstate.state.model_state import MANAGERS, MIGRATION_MANAGERS
from djstate.state.paths import canonical_path, canonical_value

# what a metaclass's own code may change (djstate.parse.metaclasses), weakest first
NONE, OPTIONS, NAMES = _LEVELS = ("none", "options", "names")
PRIVATE_FIELDS = ("django.contrib.contenttypes.fields.GenericRelation", "django.contrib.contenttypes.fields.GenericForeignKey")
# metaclasses of the standard library that ModelBase (a subclass of type only) does not derive from
FOREIGN_METACLASSES = frozenset({"abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"})
MODEL_METACLASSES = frozenset({"django.db.models.base.ModelBase", "django.db.models.ModelBase"})
EXTRA_FIELDS = {"taggit.managers.TaggableManager"}


def member_names(facts: ClassFacts) -> set[str]:
    """What a class body defines: methods, attributes and nested classes."""
    return {m.split(":")[0] for m in facts.methods} | {a.name for a in facts.attributes} | set(facts.nested)


@dataclass
class ClassChain:
    """A class and its bases, as far as the tree goes."""

    classes: list[ClassFacts]  # the class and every base found in the tree
    outside: list[str]  # bases outside the tree (or that the caller stops at)
    opaque: bool  # some base is an expression djstate cannot name

    def members(self) -> set[str]:
        return set().union(*(member_names(c) for c in self.classes))


def class_chain(path: str, class_facts: Callable, resolve: Callable, stop: Callable[[str], bool] = lambda p: False) -> ClassChain:
    chain = ClassChain([], [], False)
    seen: set[str] = set()
    todo = [path]
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        found = None if stop(current) else class_facts(current)
        if found is None:
            chain.outside.append(current)
            continue
        chain.classes.append(found[0])
        for base in found[0].bases:
            base = resolve(base)
            if isinstance(base, Ref):
                todo.append(base.path)
            else:
                chain.opaque = True
    return chain


def _foreign_field(path: str) -> bool:
    """A field class of another package (``jsonfield.JSONField``, ``pkg.SomeField``): a model
    field whose kwargs djstate cannot verify. Serializer and form fields are not."""
    module, _, name = path.rpartition(".")
    parts = set(module.split("."))
    return (
        name.endswith("Field") and bool(module)
        and not parts & {"forms", "serializers", "rest_framework", "graphene", "marshmallow", "wtforms"}
    )  # fmt: skip


class ClassBases:
    """What a class's bases and metaclass say about it (mixed into ModelsBuilder, whose attributes it uses)."""

    def class_facts(self, path: str) -> tuple[ClassFacts, str] | None:
        found = self.resolver._module_prefix(path)
        if found is None or not 1 <= len(found[1]) <= 2:
            return None
        module, names = found
        facts = self.load_models(self.modules[module], module)
        body = facts.class_bodies.get(names[0]) if facts is not None else None
        if body is not None and len(names) == 2:  # a class nested in a class body (a model's own manager class)
            body = body.nested.get(names[1])
        return (body, module) if body is not None else None

    def _chain(self, path: str, depth: int = 0) -> list[str]:
        """The class and its bases, through the tree, as canonical paths."""
        out = [canonical_path(path)]
        found = self.class_facts(path)
        if found is None or depth > 10:
            return out
        for base in self._base_paths(found[0]):
            out += self._chain(base, depth + 1)
        return out

    def _base_paths(self, facts: ClassFacts) -> list[str]:
        """The paths of a class's bases that resolve to classes (``Manager.from_queryset(QS)``: Manager)."""
        paths = []
        for base in facts.bases:
            base = self.resolver.value(canonical_value(base))
            if isinstance(base, Call) and base.path.endswith(".from_queryset"):
                base = Ref(base.path[: -len(".from_queryset")])
            if isinstance(base, Ref):
                paths.append(base.path)
        return paths

    def _mro(self, path: str, depth: int = 0) -> list[str]:
        """The class's method resolution order (C3), as far as the tree and the virtualenv show it:
        an attribute is looked up in this order (nautobot's UserManager(BaseManager, auth's
        UserManager) takes use_in_migrations from auth's UserManager, not from Manager's base).
        Falls back to the depth-first chain where C3 has no answer."""
        found = self.class_facts(path)
        if found is None or depth > 10:
            return [canonical_path(path)]
        bases = self._base_paths(found[0])
        sequences = [self._mro(b, depth + 1) for b in bases] + [[canonical_path(b) for b in bases]]
        out = [canonical_path(path)]
        while any(sequences):
            sequences = [s for s in sequences if s]
            head = next((s[0] for s in sequences if not any(s[0] in t[1:] for t in sequences)), None)
            if head is None:  # no consistent order (Python would refuse the class)
                return list(dict.fromkeys(self._chain(path)))
            out.append(head)
            sequences = [s[1:] if s[0] == head else s for s in sequences]
        return out

    def _outside_bases(self, path: str) -> list[str]:
        """The bases of a project class that lie outside the tree (not Django's, not builtins);
        "?" for a base djstate cannot resolve (``class F(get_base())``)."""
        chain = self._chain(path)
        outside = [p for p in chain[1:] if not p.startswith(("django.", "builtins.")) and self.class_facts(p) is None]
        for p in chain:
            found = self.class_facts(p)
            if found is not None and any(
                not isinstance(self.resolver.value(canonical_value(b)), (Ref, Call)) for b in found[0].bases
            ):
                outside.append("?")
        return outside

    def _contributes(self, path: str) -> bool:
        """Whether a class of the tree (or a virtualenv) defines ``contribute_to_class``."""
        return any(
            any(m.split(":")[0] == "contribute_to_class" for m in found[0].methods)
            for p in self._chain(path) if (found := self.class_facts(p)) is not None
        )  # fmt: skip

    def _class_attribute(self, path: str, name: str) -> Any:
        """The value of class attribute ``name`` that ``path`` finds through its MRO, when the
        class defining it is read and binds it once as a plain value; None otherwise."""
        for base in self._mro(path):
            if base.startswith(("django.db.models.", "builtins.")):
                continue
            found = self.class_facts(base)
            if found is None:
                return None  # a base djstate cannot read may define it
            facts = found[0]
            if name in {m.split(":")[0] for m in facts.methods} or name in facts.nested:
                return None
            bound = [a for a in facts.attributes if a.name == name]
            if len(bound) > 1:
                return None
            if bound:
                value = self.resolver.value(canonical_value(bound[0].value))
                return value if is_known(value) and not isinstance(value, Opaque) else None
        return None

    def _never_model(self, path: str) -> bool:
        """Whether the class's metaclass (its own or a base's) is read through to a metaclass of
        the standard library that ModelBase does not derive from (josepy's JSONObjectWithFieldsMeta
        on abc.ABCMeta): Python refuses such a class beside models.Model (a metaclass conflict),
        so it is never a model, whatever its other bases are."""
        for cls in self._chain(path):
            found = self.class_facts(cls)
            declared = found[0].metaclass if found is not None else None
            metaclass = self.resolver.value(canonical_value(declared)) if declared is not None else None
            if isinstance(metaclass, Ref):
                chain = self._chain(metaclass.path)
                if not any(p in MODEL_METACLASSES for p in chain) and any(p in FOREIGN_METACLASSES for p in chain):
                    return True
        return False

    def _metaclass_effect(self, value: Any, holds: Any = None) -> tuple[str | None, str, str, tuple[str, ...], frozenset[str], frozenset[str], tuple]:
        """(its path, level, why, hooks, members, added): what the metaclass's own code may change
        on the class (djstate.parse.metaclasses: none, options of fields and Meta, or names), read
        from its classes in the tree or a virtualenv up to Django's ModelBase, the names it
        defines (the class's attributes too, for hasattr), the plain attributes its
        ``__new__`` puts in the class namespace, and the (field, option, class attribute) writes
        it makes (``field.help_text = cls._condition_help_text``), which each model applies."""
        value = self.resolver.value(canonical_value(value))
        if not isinstance(value, Ref):
            return render(value)[:80], NAMES, "a metaclass djstate cannot place", (), frozenset(), frozenset(), ()
        level, why, hooks, members = NONE, "", (), frozenset()
        added: set[str] = set()
        writes: list[tuple[str, str, str]] = []
        for base in self._chain(value.path):
            if base.startswith(("django.db.models.", "builtins.")):
                continue
            found = self.class_facts(base)
            if found is None:
                return value.path, NAMES, f"{base} is outside the tree", (), members, frozenset(), ()
            facts = found[0]
            names = {m.split(":")[0] for m in facts.methods}
            if names & {"__call__", "__prepare__", "__setattr__"}:
                return value.path, NAMES, f"{base} defines {sorted(names & {'__call__', '__prepare__', '__setattr__'})[0]}", (), members, frozenset(), ()
            members |= {n for n in names if not n.startswith("__")} | {a.name for a in facts.attributes}
            for method, effect in (("__new__", facts.new_effect), ("__init__", facts.init_effect)):
                if method not in names:
                    continue
                effect = effect or (NAMES, f"its {method} is not read (defined under a condition, or not (cls, name, bases, attrs))", ())
                steps = [(effect[0], effect[1])] + [(lvl, w) for g, lvl, w in (effect[4] if len(effect) > 4 else ())
                                                      if holds is None or holds(g) is not False]
                for step_level, step_why in steps:  # what runs for this class: guards false for it are left out
                    if _LEVELS.index(step_level) > _LEVELS.index(level):
                        level, why = step_level, f"{base}.{step_why}"
                hooks += tuple(h for h in effect[2] if h not in hooks)
                added |= set(effect[3] if len(effect) > 3 else ())  # plain attributes it puts in the namespace
                members |= set(effect[5] if len(effect) > 5 else ())  # plain attributes it sets on the class
                writes += [w for w in (effect[6] if len(effect) > 6 else ()) if w not in writes]
        return value.path, level, why, hooks, members | added, frozenset(added), tuple(writes)

    def _reads_only(self, path: str, hook: str) -> bool:
        """Whether the method ``hook`` a metaclass calls on the class ``path`` only reads the class:
        every class of its bases that defines it must say so (djstate.parse.metaclasses)."""
        defined = False
        for base in self._chain(path):
            if base.startswith("django.db.models."):
                continue
            found = self.class_facts(base)
            if found is None:
                return False  # a base djstate cannot read may define it
            facts = found[0]
            if hook in {m.split(":")[0] for m in facts.methods} | {a.name for a in facts.attributes}:
                if hook not in facts.class_readers or hook in {a.name for a in facts.attributes}:
                    return False  # every definition must only read: the MRO may pick any of them
                defined = True
        return defined

    def attribute_kind(self, value: Any) -> str | None:
        if isinstance(value, Call):
            if value.path.endswith(".as_manager") or ".from_queryset" in value.path:
                return "manager"
            if self.is_field_class(value.path):
                return "field"
            if self.is_manager_class(value.path):
                return "manager"
        return None

    def is_field_class(self, path: str) -> bool:
        chain = self._chain(path)
        shipped = shipped_fields()
        if any(
            p.startswith(PRIVATE_FIELDS) or shipped.get(p, {}).get("private") or p.startswith("django.forms.")
            for p in chain
        ):
            return False  # private fields (GenericRelation) are not in from_model; form fields are not model fields
        return any(
            django_field_name(p) or p in shipped or p in THIRD_PARTY_BASES or p in EXTRA_FIELDS
            or ".fields." in p and p.endswith("Field")
            for p in chain
        ) or any(_foreign_field(p) for p in self._outside_bases(path))  # fmt: skip

    def is_manager_class(self, path: str) -> bool:
        return any(
            p in MANAGERS or p in MIGRATION_MANAGERS or (p.startswith("django.") and p.endswith("Manager"))
            for p in self._chain(path)
        )
