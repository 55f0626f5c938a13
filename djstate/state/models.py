"""The models state: what ``ModelState.from_model`` gives for each model, built from source.

Model classes are found by following their bases (through the project's modules) to
``django.db.models.Model``. Abstract parents lend their fields and Meta, concrete parents
add a ``<parent>_ptr`` link, Meta options are read as declared, and every field goes
through the same deconstruct rules as the migrations' fields. A model whose shape depends
on something djstate cannot see (a base class outside the tree, a field class it has no
model of) is marked unverified rather than guessed.

Following a class through its bases and metaclass is :mod:`djstate.state.class_bases`; judging a
class attribute from its source alone is :mod:`djstate.state.class_attributes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from djstate.facts.model import UNREAD_OPTION, ClassFacts, ModuleFacts
from djstate.facts.values import Call, Opaque, Ref, is_known, render
from djstate.isolate import InternalError, isolated
from djstate.state.class_attributes import (
    _SINGLE_CALL, _builtin_descriptor, _capitalised, _contributed_names, _model_meta, _plain_value_call, _splice_only,
)
from djstate.state.class_bases import NAMES, NONE, OPTIONS, ClassBases
from djstate.state.guards import guard_holds
from djstate.state.model_state import MODEL, ModelStateBuilder
from djstate.state.custom_fields import CustomFields
from djstate.state.objects import normalise_object
from djstate.state.paths import canonical_path, canonical_value
from djstate.state.project import ModelState
from djstate.state.resolve import Resolver
from djstate.state.sequences import fold, is_sum
from djstate.state.thirdparty import (
    base_class_parts, changed_options, contribution, described_for_installed, renamed_by_child,
)

DJANGO_ABSTRACT_MODELS = {
    "django.contrib.auth.models.AbstractUser",
    "django.contrib.auth.base_user.AbstractBaseUser",
    "django.contrib.auth.models.AbstractBaseUser",
    "django.contrib.auth.models.PermissionsMixin",
    "django.contrib.sessions.base_session.AbstractBaseSession",
}


@dataclass
class ModelClass:
    """A model class with what its subclasses inherit from it."""

    path: str
    app: str
    facts: ClassFacts
    file: str
    abstract: bool
    meta: dict[str, Any]
    fields: list[tuple[str, Any, Any]]  # (name, value, span) in definition order, inherited first
    managers: list[tuple[str, Any]]  # Options.managers order: own first, then the parents'
    bases: list  # resolved base values
    known: bool = True
    fields_known: bool = True  # False: some attribute may be a field djstate cannot see
    # False: such an attribute may be a relation (whose reverse accessor lands on another model)
    relations_known: bool = True
    # (reason, detail) when not known (djstate.unverified), or the first maybe-field when only fields_known is False
    why: tuple[str, str] | None = None
    # False: code may give the class names djstate does not see; True while only options of
    # its fields are unknown (a metaclass that sets a field's db_collation)
    names_known: bool = True
    hooks: tuple[str, ...] = ()  # methods its metaclass calls on each new class
    metaclass_names: frozenset[str] = frozenset()  # its metaclass's members: hasattr(cls) finds them
    # plain attributes its metaclass's __new__ puts in each class's namespace (pulpcore's
    # `attrs["_pulp_model_map"] = {}`): a field of that name would be replaced
    namespace_added: frozenset[str] = frozenset()
    default_manager: Any = None  # Meta.default_manager_name, its own or its first parent's
    metaclass: Any = None  # its metaclass, its own or a parent's (None: ModelBase)
    # known and why before its own metaclass run: what a concrete child inherits (its run is its own)
    known_before_metaclass: bool = True
    why_before_metaclass: tuple[str, str] | None = None


# where Django's relation fields live (ForeignKey, OneToOneField, ManyToManyField, ForeignObject)
RELATION_MODULES = ("django.db.models.fields.related.", "django.db.models.ForeignKey", "django.db.models.OneToOneField",
                    "django.db.models.ManyToManyField", "django.db.models.ForeignObject")  # fmt: skip


@dataclass
class ModelsState:
    models: dict[tuple[str, str], ModelState] = field(default_factory=dict)
    classes: dict[tuple[str, str], ModelClass] = field(default_factory=dict)
    unverified_models: set[tuple[str, str]] = field(default_factory=set)
    unverified: int = 0
    why: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # unverified model -> reason
    # models whose only unknown is `abstract` computed from settings (DRF's Token): concrete when
    # their app is installed, which its migrations creating them shows
    abstract_from_settings: set[tuple[str, str]] = field(default_factory=set)
    # every class name (lowercased) seen in each app's modules: a migration model whose class
    # exists but was not recognised as a model is not reported as deleted
    class_names: dict[str, set[str]] = field(default_factory=dict)
    # models that may have fields djstate cannot see: added/removed fields are not judged
    partial_models: set[tuple[str, str]] = field(default_factory=set)
    # of those, the ones whose unseen attributes are no relations (`if postgres: x = GeneratedField(...)
    # else: x = TextField()`): they give no other model a reverse accessor djstate does not see
    partial_without_relations: set[tuple[str, str]] = field(default_factory=set)
    # unverified models whose names are all known (only a metaclass's options changes are not)
    names_known: set[tuple[str, str]] = field(default_factory=set)
    # models a described class attribute creates (parler's <Model>Translation) -> its package
    generated: dict[tuple[str, str], str] = field(default_factory=dict)

    def is_uncertain(self, app: str, model: str) -> bool:
        return (app, model.lower()) in self.unverified_models


class ModelsBuilder(ModelStateBuilder, ClassBases):
    def __init__(
        self,
        resolver: Resolver,
        load_models: Callable[[str, str], ModuleFacts | None],
        modules: dict[str, str],
        app_of_module: Callable[[str], str | None],
        default_auto_field: Callable[[str], str],
        resolve_setting: Callable[[str], str | None],
    ) -> None:
        self.resolver = resolver
        self.load_models = load_models
        self.modules = modules
        self.app_of_module = app_of_module
        self.default_auto_field = default_auto_field
        self.resolve_setting = resolve_setting
        self.state = ModelsState()
        self._classes: dict[str, ModelClass | None] = {}
        # (app label, name) -> every class path of that name in the app's modules, and the
        # class judged as defined under is_model_registered (djstate.parse.classes)
        self._class_sites: dict[tuple[str, str], set[str]] = {}
        self._registration_guarded: dict[tuple[str, str], str] = {}
        self.unknown: set[str] = set()
        self.internal_errors: list[InternalError] = []  # classes skipped by an unforeseen shape
        self.custom_fields = CustomFields(resolver, lambda v: normalise_object(resolver.value(canonical_value(v))))
        self.module_facts = resolver.load  # any module's names (imports), for what registers a model
        self._reachable: dict[str, tuple[set[str], list[str]]] = {}  # package -> (found, still to read)
        self._importers: set[str] | None = None
        # field values naming a swappable model by its default (swapper.get_model_name): settings,
        # or an AppConfig module's setattr(settings, ...), may swap it (held to keep ids valid)
        self._settings_chosen: dict[int, tuple[Any, list[str]]] = {}  # id -> (value, defaults it names)

    # --- classes ------------------------------------------------------------------------------

    def model_class(self, path: str) -> ModelClass | None:
        """The model defined at ``path`` (resolved), or None when it is not a model."""
        if path in self._classes:
            return self._classes[path]
        self._classes[path] = None  # cycles in bases end here
        found = self.class_facts(path)
        if found is not None and found[0].metaclass is not None and self.modules.get(found[1], "").startswith("/") and (
            described_for_installed(canonical_path(path), found[1], self.modules[found[1]])
        ):  # fmt: skip
            found = None  # a virtualenv's copy of a version its description holds for: its metaclass is described
        if found is None:
            described = base_class_parts(canonical_path(path))  # a described third-party base
            self._classes[path] = ModelClass(**described) if described is not None else None
            return self._classes[path]
        facts, module = found
        bases = [self.resolver.value(canonical_value(b)) for b in facts.bases]
        parents: list[ModelClass] = []
        is_model = False
        known = True
        why: tuple[str, str] | None = None  # the first reason the class is not fully known
        options_only = True  # every reason it is not known leaves its names as they are
        hooks: tuple[str, ...] = ()
        metaclass_names: frozenset[str] = frozenset()
        namespace_added: frozenset[str] = frozenset()
        for base in bases:
            if not isinstance(base, Ref):
                known = options_only = False
                why = why or ("base-outside-tree", f"base {render(base)[:80]}")
                continue
            if canonical_path(base.path) == MODEL:
                is_model = True
                continue
            parent = self.model_class(base.path)
            if parent is not None:
                is_model = True
                parents.append(parent)
                if parent.abstract or parent.metaclass is None:
                    known, why = known and parent.known, why or parent.why
                else:  # a concrete parent's own metaclass run changed only that parent: this class's is judged below
                    known, why = known and parent.known_before_metaclass, why or parent.why_before_metaclass
                options_only = options_only and (parent.known or parent.names_known)
                hooks += tuple(h for h in parent.hooks if h not in hooks)
                metaclass_names |= parent.metaclass_names
                namespace_added |= parent.namespace_added
                if renamed_by_child(canonical_path(base.path), facts):  # MPTTMeta renames mptt's fields
                    known = options_only = False
                    why = why or ("base-outside-tree", f"{facts.name} renames fields of {base.path}")
            elif base.path in self.unknown or (
                self.class_facts(base.path) is None and not base.path.startswith("builtins.")
            ):
                known = options_only = False  # a base outside the tree (or unfollowable) may add fields
                why = why or ("base-outside-tree", f"base {base.path}")
        known_before_metaclass, why_before_metaclass = known, why
        metaclass = facts.metaclass if facts.metaclass is not None else next((p.metaclass for p in parents if p.metaclass is not None), None)
        if metaclass is not None:  # its own or inherited: it runs for this class too (guards decided for it)
            holds = partial(self._guard_holds, facts, bases)
            changed_by, level, detail, own_hooks, members, added, writes = self._metaclass_effect(metaclass, holds)
            hooks += tuple(h for h in own_hooks if h not in hooks)
            metaclass_names |= members
            namespace_added |= added
        else:
            changed_by, level, detail, writes = None, NONE, "", ()
        writer = next((h for h in hooks if not self._reads_only(path, h)), None)
        if writer is not None:  # a method the metaclass calls on this class may change it
            changed_by, level, detail = changed_by or "of a base", NAMES, f"it calls {writer}(), which may change the class"
        if level != NONE:  # ModelBase.__new__ overridden: the class's fields may be changed at runtime
            known = False
            options_only = options_only and level == OPTIONS
            why = why or ("runtime-attribute", f"metaclass {changed_by} may change its fields: {detail}")
        if not is_model and not known and not self._never_model(path):
            self.unknown.add(path)  # its bases cannot be followed: it may well be a model
        if not is_model:
            external = [b for b in bases if isinstance(b, Ref) and self.class_facts(b.path) is None]
            if any(canonical_path(b.path) in DJANGO_ABSTRACT_MODELS for b in external):
                pass  # AbstractUser & co: a model whose inherited fields djstate does not see
            elif not external or all(b.path.startswith(("django.", "builtins.")) for b in external):
                return None  # a QuerySet, a Manager, a mixin
            elif "models" not in module.split(".") or not (
                _model_meta(facts.nested.get("Meta"))
                or any(
                    self.attribute_kind(self.resolver.value(canonical_value(a.value))) == "field"
                    for a in facts.attributes
                )
            ):
                return None  # no model field or model Meta: a form, a serializer, a plain mixin
        own_meta = facts.nested.get("Meta")
        meta: dict[str, Any] = {}
        if own_meta is None:  # ModelBase: getattr(new_class, "Meta"), which only abstract models keep
            inherited = self._inherited_meta(parents)
            if inherited is not None:
                meta = {**inherited.meta, "abstract": False}
        else:
            for meta_base in own_meta.bases:  # class Meta(Parent.Meta)
                for parent in parents:
                    if isinstance(meta_base, Ref) and meta_base.path.endswith(f"{parent.facts.name}.Meta"):
                        meta.update({**parent.meta, "abstract": False} if parent.abstract else {})
            meta.update({a.name: self._meta_value(canonical_value(a.value)) for a in own_meta.attributes})
        app = meta.get("app_label") if isinstance(meta.get("app_label"), str) else self.app_of_module(module)
        fields: list[tuple[str, Any, Any]] = []
        managers: list[tuple[str, Any]] = []
        for parent in parents:
            if parent.abstract:
                fields += [f for f in parent.fields if f[0] not in {x[0] for x in fields}]
            # managers are inherited from every parent, abstract or concrete (a proxy of auth.Group
            # has GroupManager); fields only from abstract ones
            managers += [m for m in parent.managers if m[0] not in {x[0] for x in managers}]
        own_managers: list[tuple[str, Any]] = []
        own_names = set()
        fields_known = all(p.fields_known for p in parents)
        relations_known = all(p.relations_known for p in parents)
        for attr in facts.attributes:
            chosen_before = len(self.resolver.settings_choices)
            value = self.resolver.value(canonical_value(attr.value))
            kind = self.attribute_kind(value)
            if kind == "field":
                if len(self.resolver.settings_choices) > chosen_before:
                    self._settings_chosen[id(value)] = (value, self.resolver.settings_choices[chosen_before:])
                fields = [f for f in fields if f[0] != attr.name]
                fields.append((attr.name, value, attr.span))
                own_names.add(attr.name)
            elif kind == "manager":
                own_managers = [m for m in own_managers if m[0] != attr.name] + [(attr.name, value)]
            elif isinstance(value, Opaque) and _builtin_descriptor(value.source, facts, module):
                pass  # property(getter): a class attribute, never a field (ModelBase only adds fields)
            elif isinstance(value, Opaque) and _splice_only(value.source):
                pass  # `(*Node._cached_attributes, "x")`: a tuple or list display, never a field
            elif isinstance(value, Opaque) and _plain_value_call(value.source):
                pass  # `collections.defaultdict(set)`, `re.compile(...)`: never a Django field
            elif isinstance(value, Opaque) and (value.source == attr.name or _SINGLE_CALL.match(value.source)):
                # set under an `if` (allauth's `if SITES_ENABLED: sites = ...`), or built by a call
                # djstate cannot follow: maybe a field (whose contribute_to_class may add more), so
                # the fields djstate reads are still compared, a field only in migrations is not
                fields_known = False
                relations_known = relations_known and value.source == attr.name and self._no_relation(facts.alternatives.get(attr.name))
                why = why or ("conditional" if value.source == attr.name else "maybe-field", f"{attr.name} = {value.source[:80]}")
            elif isinstance(value, Call) and (contributed := contribution(value, attr.name, facts.name)) is not None:
                metaclass_names |= contributed.names  # its contribute_to_class's names (thirdparty.json)
                if app and meta.get("abstract") is not True:
                    self.state.generated.update({(app, m.lower()): contributed.package for m in contributed.models})
            elif isinstance(value, Call) and self.class_facts(value.path) is None and _capitalised(value.path):
                if not value.path.startswith("django."):
                    fields_known = relations_known = False  # an instance of a class outside the tree: maybe a field
            elif isinstance(value, Call) and _capitalised(value.path) and self._outside_bases(value.path):
                fields_known = relations_known = False  # a project class built on classes outside the tree: maybe a field
            elif (
                isinstance(value, Call) and _capitalised(value.path) and not value.path.startswith("django.")
                and self._contributes(value.path)
            ):  # fmt: skip
                added = _contributed_names(value)
                if added is None:
                    fields_known = relations_known = False  # ModelBase calls its contribute_to_class: it may add names (parler's TranslatedFields)
                else:
                    metaclass_names |= added  # names it gives the class beside its own (hasattr finds them)
        # ModelBase copies an abstract parent's field only when the class body does not bind
        # that name itself (`metadata = None`, a property `id`): such a field is removed
        shadowing = {a.name for a in facts.attributes} | {m.split(":")[0] for m in facts.methods}
        # Options.managers sorts by MRO depth: the class's own managers come before its parents'
        managers = own_managers + [m for m in managers if m[0] not in {x[0] for x in own_managers}]
        default_manager = meta.get("default_manager_name")
        if default_manager is None and not own_managers and parents:
            default_manager = parents[0].meta.get("default_manager_name")  # Options.default_manager
        fields = [f for f in fields if f[0] in own_names or f[0] not in shadowing]
        concrete = self._concrete_ancestors(parents) if writes else []
        for field_name, option, attribute in writes:  # `field.help_text = cls._help` of the metaclass
            at = next((i for i, f in enumerate(fields) if f[0] == field_name), None)
            unread = attribute == UNREAD_OPTION  # a value djstate does not read: that kwarg is unknown
            value = Opaque(f"{option} set by metaclass {changed_by}") if unread else self._class_attribute(path, attribute)
            if concrete and at is None:  # a proxy or MTI child: get_field finds a concrete ancestor's field
                for ancestor in concrete:  # the write lands there: that model is judged only if it changes nothing
                    if unread or not isinstance(value, str) or self._class_attribute(ancestor.path, attribute) != value:
                        key = (ancestor.app, ancestor.facts.name.lower())
                        self.state.unverified_models.add(key)
                        self.state.names_known.add(key)
                        self.state.why[key] = ("runtime-attribute", f"the metaclass of its subclass {facts.name} sets "
                                               f"{field_name}.{option} from {attribute}")  # fmt: skip
                continue
            if at is None and unread:
                continue  # get_field finds no such field on this class (LtreeModel itself): nothing changes
            if at is None or not (isinstance(value, str) or unread) or not isinstance(fields[at][1], Call):  # a text, as written
                known = False  # names stay: it sets an option of a field
                why = why or ("runtime-attribute", f"metaclass {changed_by} sets {field_name}.{option} to {attribute}, not read")
                continue
            name, call, span = fields[at]
            fields[at] = (name, Call(call.path, call.args, {**call.kwargs, option: value}), span)
        changed = [o for p in self._chain(path) for o in changed_options(p) if o in meta]
        if changed and meta.get("abstract") is not True and meta.get("proxy") is not True:
            known = False  # a described base's metaclass adds to this option too (mptt's tree index)
            why = why or ("runtime-attribute", f"its metaclass may add to Meta.{changed[0]}")
        replaced = sorted(namespace_added & ({f[0] for f in fields} | shadowing))
        if replaced:  # the metaclass's namespace item replaces what the body or a parent gives
            known = options_only = False
            why = why or ("runtime-attribute", f"its metaclass sets {replaced[0]} in the class namespace")
        model = ModelClass(
            path=path, app=app or "", facts=facts, file=self.modules[module], abstract=meta.get("abstract") is True,
            meta=meta, fields=fields, managers=managers, default_manager=default_manager, bases=bases,
            known=known and is_model,
            fields_known=fields_known, relations_known=relations_known, why=why, hooks=hooks, metaclass_names=metaclass_names, namespace_added=namespace_added,
            names_known=is_model and (known or options_only), metaclass=metaclass,
            known_before_metaclass=known_before_metaclass and is_model, why_before_metaclass=why_before_metaclass,
        )  # fmt: skip
        self._classes[path] = model
        return model

    def _no_relation(self, alternatives: tuple | None) -> bool:
        """Whether none of the values a class attribute may have is a relation field: each is a
        plain literal, or a field class of Django's or the tree's, read to its end, that is no
        relation."""
        if alternatives is None:
            return False
        for value in alternatives:
            value = self.resolver.value(canonical_value(value))
            if isinstance(value, Call):
                chain = self._chain(value.path)
                if (
                    self.attribute_kind(value) != "field" or self._outside_bases(value.path)
                    or any(p.startswith(RELATION_MODULES) for p in chain)
                ):  # fmt: skip
                    return False
            elif isinstance(value, (Ref, Opaque)) or not is_known(value):
                return False
        return True

    def _inherited_meta(self, parents: list[ModelClass]) -> ModelClass | None:
        """The abstract model whose ``Meta`` a model without its own finds by attribute lookup.

        ModelBase pops ``Meta`` from a concrete class and puts it back on an abstract one, so the
        lookup passes over concrete parents to their abstract bases (django-comments-xtd's
        XtdComment(Comment) gets CommentAbstractModel's ordering and permissions). Parents in
        order, each concrete one followed by its own parents: the MRO of a single-inheritance chain."""
        seen: set[str] = set()

        def first(classes: list[ModelClass]) -> ModelClass | None:
            for cls in classes:
                if cls.path in seen:
                    continue
                seen.add(cls.path)
                if cls.abstract:
                    return cls
                grand = [g for b in cls.bases if isinstance(b, Ref) and (g := self.model_class(b.path)) is not None]
                found = first(grand)
                if found is not None:
                    return found
            return None

        return first(parents)

    def _guard_holds(self, facts: ClassFacts, bases: list, guard: tuple) -> bool | None:
        """Whether a guard of the metaclass's code (djstate.parse.metaclasses) holds for this class."""
        own_meta = facts.nested.get("Meta")
        own_abstract: bool | None = None if own_meta is None or own_meta.bases else False
        for attr in own_meta.attributes if own_meta is not None else ():
            if attr.name == "abstract":
                value = self._meta_value(canonical_value(attr.value))
                own_abstract = value if isinstance(value, bool) else None
        kinds: list[tuple[bool | None, bool | None]] = []
        for base in bases:
            if not isinstance(base, Ref) or base.path in self.unknown:
                kinds.append((None, None))
            elif canonical_path(base.path) == MODEL:
                kinds.append((True, None))
            elif (parent := self.model_class(base.path)) is not None:
                abstract = parent.meta.get("abstract", False)
                kinds.append((True, abstract if isinstance(abstract, bool) else None))
            else:
                kinds.append((False, None) if self.class_facts(base.path) is not None else (None, None))
        return guard_holds(guard, own_meta is not None, own_abstract, kinds)

    def _concrete_ancestors(self, parents: list[ModelClass]) -> list[ModelClass]:
        """The concrete models among a class's parents and their parents."""
        out: list[ModelClass] = []
        todo, seen = list(parents), set()
        while todo:
            parent = todo.pop()
            if parent.path in seen:
                continue
            seen.add(parent.path)
            if not parent.abstract:
                out.append(parent)
            todo += [g for b in parent.bases if isinstance(b, Ref) and (g := self.model_class(b.path)) is not None]
        return out

    def _meta_value(self, value: Any) -> Any:
        """A Meta attribute's value: ``Base.Meta.indexes`` is the (inherited) option of that
        model, and sums of sequences (``[*Base.Meta.indexes, X]``, ``a + b``) are added up."""
        if is_sum(value):
            return fold(value, self._meta_value)
        if isinstance(value, Ref) and ".Meta." in value.path:
            owner, _, name = value.path.rpartition(".Meta.")
            resolved = self.resolver.resolve_path(owner)
            parent = self.model_class(resolved.path) if isinstance(resolved, Ref) else None
            if parent is not None and name in parent.meta:
                return parent.meta[name]
            return Opaque(value.path)
        return self.resolver.value(value)

    # --- models -------------------------------------------------------------------------------

    def add_module(self, module: str) -> None:
        facts = self.load_models(self.modules[module], module)
        if facts is None:
            return
        app_label = self.app_of_module(module)
        for name, body in facts.class_bodies.items():
            if app_label:
                self.state.class_names.setdefault(app_label, set()).add(name.lower())
                self._class_sites.setdefault((app_label, name.lower()), set()).add(f"{module}.{name}")
                guarded = self._registration_guarded.get((app_label, name.lower()))
                if guarded is not None and guarded != f"{module}.{name}":  # which one registers first is not read
                    self.state.unverified_models.add((app_label, name.lower()))
                    self.state.why[(app_label, name.lower())] = (
                        "conditional", f"{guarded} is defined unless is_model_registered finds {module}.{name} first")
            unit = f"model {app_label}.{name}" if app_label else f"class {module}.{name}"
            with isolated(self.internal_errors, unit, self.modules[module], body.span.line) as outcome:
                self._add_model(module, name)
            if outcome.failed:  # unverified: not judged, and its app's deletions neither
                model = self._classes.get(f"{module}.{name}")
                key = (model.app if model and model.app else app_label or "", name.lower())
                if key in self.state.classes and self.state.classes[key].path == f"{module}.{name}":
                    del self.state.classes[key]
                    self.state.models.pop(key, None)
                self.state.unverified_models.add(key)
                self.state.why[key] = ("internal-error", unit)
                if model is None:
                    self.unknown.add(f"{module}.{name}")  # a subclass cannot know its fields

    def _defined_unless_registered(self, model: ModelClass, key: tuple[str, str]) -> bool:
        """``if not is_model_registered("app", "Name"): class Name(...)``: Django registers a
        model when its class is built, so the class is defined unless another model class of
        that app label and name came first. Held true while the tree has no other class of the
        name (add_module checks the classes read after it)."""
        guard = model.facts.unless_registered
        if guard is None or (guard[1], guard[2].lower()) != key:
            return False
        if self._class_sites.get(key, set()) - {model.path}:
            return False
        self._registration_guarded[key] = model.path
        return True

    def _add_model(self, module: str, name: str) -> None:
        model = self.model_class(f"{module}.{name}")
        if model is None or model.abstract or not model.app:
            return
        key = (model.app, name.lower())
        if key in self.state.models:
            return
        self.state.classes[key] = model
        self.state.models[key] = self.model_state(model)
        unimported = self._unimported(module)
        if unimported and model.known:
            self.state.unverified_models.add(key)
            self.state.why[key] = ("runtime-attribute", f"no module of the tree imports {module} (Django registers its "
                                   f"models only when some code does, e.g. {unimported})")
            return
        computed = [k for k in ("abstract", "proxy", "managed") if not isinstance(model.meta.get(k, False), bool)]
        if not model.fields_known:
            self.state.partial_models.add(key)
            if model.relations_known:
                self.state.partial_without_relations.add(key)
        if not model.known:
            self.state.unverified_models.add(key)
            self.state.why[key] = model.why or ("maybe-field", "")
            if model.names_known:
                self.state.names_known.add(key)
        elif model.facts.conditional and not self._defined_unless_registered(model, key):
            self.state.unverified_models.add(key)
            self.state.why[key] = ("conditional", f"class {name} is defined under an if/try")
        elif computed == ["abstract"]:
            self.state.abstract_from_settings.add(key)
        elif computed:
            self.state.unverified_models.add(key)
            self.state.why[key] = ("settings-value", f"Meta.{', Meta.'.join(computed)} computed at import time")

    def _unimported(self, module: str) -> str | None:
        """For a module inside an app's ``models`` package that the package never imports,
        directly or through its modules: the package's name (None when it is imported)."""
        parts = module.split(".")
        if "models" not in parts[:-1]:
            return None
        root = ".".join(parts[: parts.index("models") + 1])
        if root not in self.modules:
            return None
        # the walk stops once the module is found and resumes for the next one: following every
        # import of the package (all of Django's) parsed hundreds of modules one by one when cold
        seen, frontier = self._reachable.setdefault(root, ({root}, [root]))
        while frontier and module not in seen and "*" not in seen:
            current = frontier.pop()
            facts = self.load_models(self.modules[current], current)
            targets = [*facts.names.values(), *facts.star_imports] if facts is not None else []
            if facts is None:
                seen.add("*")  # unreadable: anything may be imported
            for target in targets:
                for candidate in (target, target.rpartition(".")[0]):
                    if candidate in self.modules and candidate not in seen:
                        seen.add(candidate)
                        frontier.append(candidate)
        return None if "*" in seen or module in seen or self._imported_elsewhere(module) else root

    def _imported_elsewhere(self, module: str) -> bool:
        """Whether any other module of the tree names ``module`` in an import (admin.py, apps.py,
        signals: Django may import those before makemigrations looks at the registry)."""
        top = module.split(".")[0]
        if self._importers is None:
            self._importers = set()
            for other, file in self.modules.items():
                if other.split(".")[0] != top:
                    continue  # another package (site-packages) does not import a project's private module
                facts = self.module_facts(file, other)
                if facts is None:
                    self._importers.add("*")
                    continue
                for target in [*facts.names.values(), *facts.star_imports]:
                    self._importers.update((target, target.rpartition(".")[0]))
        return "*" in self._importers or module in self._importers
