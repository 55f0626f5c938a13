"""The model catalogue: what a name means on a model, as DRF and the ORM see it.

:class:`ModelCatalog` answers, for a model of the models state: its fields with those of its
MTI parents, its forward relations, the reverse accessors other models give it (``related_name``,
``<model>_set``), the attributes ``hasattr(model_class, name)`` finds (methods, properties,
managers, what Django and code add at runtime), and whether all of that is known. Serializer
emulation (:mod:`djstate.state.serializer_build`) uses it, and so can any rule that asks what a name
means on a model.

Where the catalogue cannot be complete (a base outside the tree, a relation whose target
depends on settings, a name code may add at runtime) it says so, and callers stay silent.
The reverse accessors apps outside the tree may give a model (the user model's) are bounded
by the virtualenv's text (:mod:`djstate.state.serializer_reverse_bound`): only a name one of
its packages can give is left unjudged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from djstate.facts.model import ClassFacts
from djstate.facts.values import Call, Opaque, Ref
from djstate.state.class_members import ClassMembers
from djstate.state.fields import FieldState, django_field_name, mro
from djstate.state.paths import canonical_path
from djstate.state.serializer_reverse_bound import outside_accessors
from djstate.state.thirdparty_descriptions import THIRD_PARTY_BASES, is_tag_manager

POSTGRES_MAPPING = {
    "django.contrib.postgres.fields.array.ArrayField": "ListField",
    "django.contrib.postgres.fields.hstore.HStoreField": "HStoreField",
}
RELATION_FIELDS = {"ForeignKey": False, "OneToOneField": False, "ManyToManyField": True}
TAGGABLE_MANAGER = "taggit.managers.TaggableManager"
UNKNOWN_MODEL = ("?", "?")  # the target of a relation that depends on settings
# a relation's `to` that is get_user_model()'s result (as the resolver renders the call)
GET_USER_MODEL = re.compile(r"(?:Opaque\(source=[\'\"])*django\.contrib\.auth\.get_user_model\(\)(?:[\'\"]\))*")

# dir(django.db.models.Model) without dunders (Django 5.2): what hasattr() finds on any model
MPTT_FIELDS = frozenset({"lft", "rght", "tree_id", "level", "parent"})
MODEL_ATTRIBUTES = frozenset({
    "_check_column_name_clashes", "_check_composite_pk", "_check_constraints", "_check_db_table_comment",
    "_check_default_pk", "_check_field_name_clashes", "_check_fields", "_check_id_field", "_check_indexes",
    "_check_local_fields", "_check_long_column_names", "_check_m2m_through_same_relationship",
    "_check_managers", "_check_model", "_check_model_name_db_lookup_clashes", "_check_ordering",
    "_check_property_name_related_field_accessor_clashes", "_check_single_primary_key", "_check_swappable",
    "_check_unique_together", "_do_insert", "_do_update", "_get_FIELD_display", "_get_expr_references",
    "_get_field_expression_map", "_get_next_or_previous_by_FIELD", "_get_next_or_previous_in_order",
    "_get_pk_val", "_get_unique_checks", "_is_pk_set", "_parse_save_params", "_perform_date_checks",
    "_perform_unique_checks", "_prepare_related_fields_for_save", "_save_parents", "_save_table",
    "_set_pk_val", "_validate_force_insert", "adelete", "arefresh_from_db", "asave", "check", "clean",
    "clean_fields", "date_error_message", "delete", "from_db", "full_clean", "get_constraints",
    "get_deferred_fields", "pk", "prepare_database_save", "refresh_from_db", "save", "save_base",
    "serializable_value", "unique_error_message", "validate_constraints", "validate_unique",
    # set on every model class by ModelBase
    "_meta", "DoesNotExist", "MultipleObjectsReturned", "_default_manager", "_base_manager",
})  # fmt: skip
MAX_DEPTH = 12

# a relation's related_name set after the field was built: `self.remote_field.related_name = ...`
_RELATED_NAME_WRITE = re.compile(rb"\.related_name\s*=(?!=)|setattr\([^)\n]*['\"]related_name['\"]")
_TOP_LEVEL_DEFINITION = re.compile(rb"(?:class|def|async\s+def)\s|@")


def _template_matches(template: str, name: str, labels: set[str] = frozenset(), classes: set[str] = frozenset()) -> bool:
    """Whether ``name`` can be what ``related_name="%(app_label)s_%(class)s_x"`` becomes: the
    placeholders stand for one of the app labels and (lowercased) class names given, or for
    any word when none are given."""

    def choices(names: set[str]) -> str:
        return "(?:" + "|".join(re.escape(n) for n in sorted(names)) + ")" if names else r"\w+"

    pattern = re.escape(template)
    for key, names in (("class", classes), ("model_name", classes), ("app_label", labels)):
        pattern = pattern.replace(re.escape(f"%({key})s"), choices(names))
    return re.fullmatch(pattern, name) is not None



@dataclass
class Relation:
    related: tuple[str, str]  # the model at the other end
    to_many: bool
    reverse: bool
    field: FieldState | None = None  # the forward field (None for reverse relations)
    through_model: bool = False  # a custom through model: DRF makes it read-only


@dataclass(frozen=True)
class SourceWalk:
    """Where a dotted ``source=`` led: a part on no model, why it was not judged, or neither."""

    missing: tuple[ModelInfo, str] | None = None
    unjudged: tuple[str, str] | None = None  # (reason of djstate.unverified.REASONS, detail)


@dataclass
class ModelInfo:
    """What ``rest_framework.utils.model_meta.get_field_info`` returns, plus ``hasattr``."""

    key: tuple[str, str]
    name: str
    pk: str | None
    fields: dict[str, FieldState]  # concrete, non-relation, serialize=True (model order)
    forward: dict[str, Relation]
    reverse: dict[str, Relation]
    all_fields: dict[str, FieldState]  # every concrete field incl. pk and parent links
    attributes: set[str]
    options: dict[str, Any]
    known: bool  # the fields and attributes are complete
    names_known: bool  # the names are complete (a metaclass may still change options of fields)
    reverse_known: bool  # no model outside the tree may point here
    kinds_known: bool = True  # every field's class is one djstate models
    chains: dict[str, list[str]] = field(default_factory=dict)  # field -> Django class chain

    def fields_and_pk(self) -> dict[str, FieldState]:
        out = {}
        if self.pk is not None and self.pk in self.all_fields:
            out["pk"] = self.all_fields[self.pk]
            out[self.pk] = self.all_fields[self.pk]
        out.update(self.fields)
        return out

    @property
    def relations(self) -> dict[str, Relation]:
        return {**self.forward, **self.reverse}

    def has_attribute(self, name: str) -> bool:
        return name in self.attributes or name in self.all_fields or name in self.relations


class ModelCatalog(ClassMembers):
    """Model facts for serializers: fields with MTI parents, reverse relations, attributes."""

    def __init__(self, models_state: Any, builder: Any, resolve_setting: Callable[[str], str | None],
                 external_reverse: set[tuple[str, str]], runtime_names: set[str],
                 related_names: set[str] = frozenset(), class_names: set[str] = frozenset()) -> None:  # fmt: skip
        self.state = models_state
        self.builder = builder
        self.resolve_setting = resolve_setting
        self.external_reverse = external_reverse  # models that apps outside the tree may point at
        self.runtime_names = runtime_names  # add_to_class names
        self.related_names = related_names  # every literal related_name= in the tree
        self.class_names = class_names  # every class name in the tree, lowercased
        # models djstate could not read completely may hold relations it does not see
        # models that may hold a relation djstate cannot place: their (lowercased) names, whose
        # default reverse accessors (`<name>_set`, `<name>`) may exist on any model
        self.hidden_sources: set[str] = {
            m for _, m in (models_state.partial_models - models_state.partial_without_relations)
            | (models_state.unverified_models - models_state.names_known)
        }
        self.hidden_sources |= {p.rsplit(".", 1)[-1].lower() for p in getattr(builder, "unknown", ())}
        # targets of relations whose field class may rename the reverse accessor (filled with the reverse index)
        self.renamed_reverse: set[tuple[str, str]] = set()
        self.root: Path | None = None  # the scanned tree, whose files' paths are relative to it
        self._source_lines: dict[Path, list[bytes]] = {}
        self.dynamic_attributes: set[str] = set()  # names code may set at runtime (engine markers)
        self.class_attributes: set[str] = set()  # of those, names code sets on a class (Model.x = ...)
        # those names -> the classes given them ("" for `cls.x = ...`, a class djstate cannot name);
        # None: only the names are known, any class may have them
        self.class_attribute_owners: dict[str, set[str]] | None = None
        self.url_field_names: set[str] = {"url"}  # "*": REST_FRAMEWORK sets one djstate cannot read
        self.by_path = {m.path: key for key, m in models_state.classes.items()}
        self._info: dict[tuple[str, str], ModelInfo | None] = {}
        # concrete parents read from --site-packages (django_comments' Comment under XtdComment)
        self._outside_parents: dict[tuple[str, str], tuple[Any, Any]] = {}  # key -> (ModelState, ModelClass)
        # models read from --site-packages that a serializer's Meta.model names (auth's Group):
        # kept apart from the parents, which the query rules judge, so queries stay as they were
        self._outside_models: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._reverse: dict[tuple[str, str], list[tuple[str, Relation]]] | None = None
        # the virtualenv's folders, and the tree's own top-level packages installed there too
        self.site_packages: list[Path] = []
        self.own_packages: set[str] = set()
        self._outside_accessors: Any = False  # not read yet
        self.store: Any = None  # a FactsStore: keeps the virtualenv's reading by content hash

    def maybe_runtime_attribute(self, info: ModelInfo, name: str, on_class: bool = False, by_owner: bool = False) -> bool:
        """Whether code may give the model that attribute at runtime: a monkeypatched or
        annotated name, a modeltranslation copy (``title_en``) or the companion column of a
        third-party field (djmoney's ``price_currency``). ``by_owner``: a ``setattr(X, ...)``
        counts for instances only where X may be the model (as it always does on the class)."""
        # ModelSerializer.build_field asks hasattr(model_class, name): only what code gives the
        # class counts for Meta.fields; a source= path is resolved on instances, where
        # annotations, to_attr and `obj.name = ...` count too
        given = self.class_attributes if on_class else self.dynamic_attributes
        if on_class and self.class_attribute_owners is not None:
            if "*" in given and "*" not in self.class_attribute_owners:
                return True  # setattr() on a class, with no owner recorded
            if name in self.runtime_names or self._given_to_class(info, name):
                return True
        elif name in given:
            return True
        elif "*" in given:  # setattr(X, computed, ...) somewhere
            if not by_owner or self.class_attribute_owners is None or "*" not in self.class_attribute_owners:
                return True
            if self._given_to_class(info, name):  # X's instances see it too, other models' do not
                return True
        translated = "@modeltranslation" in self.runtime_names
        return any(
            name.startswith(f"{field}_") and (translated or not info.chains.get(field)) for field in info.all_fields
        )

    def _given_to_class(self, info: ModelInfo, name: str) -> bool:
        """Whether ``X.name = ...`` or ``setattr(X, ...)`` gives that model the name: X is the
        model's class or one of its in-tree bases, ``cls``, or a name that is no class of the
        tree (maybe an alias). An assignment to another class of the tree does not."""
        given = self.class_attribute_owners or {}
        owners = given.get(name, set()) | given.get("*", set())  # "*": setattr(X, computed, ...)
        if not owners:
            return False
        if "" in owners or not self.class_names:
            return True
        model_class = self.state.classes.get(info.key)
        lineage = {c.name for c in self._chain(model_class.path).classes} if model_class else set()
        if not lineage:
            return True
        return any(o in lineage or o.lower() not in self.class_names for o in owners)

    def _symmetrical(self, key: tuple[str, str], name: str) -> bool | None:
        """``ManyToManyField.symmetrical`` as written: True for a literal "self" unless said
        otherwise (deconstruct drops it, and the state's ``to`` no longer says "self")."""
        model_class = self.state.classes.get(key)
        raw = next((v for n, v, _ in model_class.fields if n == name), None) if model_class else None
        if not isinstance(raw, Call):
            return None
        declared = raw.kwargs.get("symmetrical")
        if isinstance(declared, bool):
            return declared
        to = raw.kwargs.get("to", raw.args[0] if raw.args else None)
        return to == "self"

    def _renames_reverse(self, state: FieldState) -> bool:
        """Whether a relation's field class, the project's or a package's, defines
        ``contribute_to_class``, which may set ``remote_field.related_name`` after the field was
        built (nautobot's ForeignKeyWithAutoRelatedName names it from the model's verbose_name_plural)."""
        for path in self.builder._chain(state.path):
            if path.startswith("django."):
                return False
            found = self.builder.class_facts(path)
            if found is not None and any(m.split(":")[0] == "contribute_to_class" for m in found[0].methods):
                if self._writes_related_name(found[1], found[0]):  # its super() may be the one that does
                    return True
        return False

    def _writes_related_name(self, module: str, facts: ClassFacts) -> bool:
        """Whether the class's source may set a relation's related_name (``x.related_name = ...``,
        read as text from its line to the next top-level class or def): modelcluster's
        ParentalKey defines contribute_to_class but keeps the name."""
        file = self.builder.modules.get(module, "")
        path = Path(file) if file.startswith("/") else (self.root / file if self.root is not None else None)
        if path is None:
            return True
        if path not in self._source_lines:
            try:
                self._source_lines[path] = path.read_bytes().splitlines()
            except OSError:
                self._source_lines[path] = []
        lines = self._source_lines[path]
        if not lines:
            return True  # unreadable: it may
        start = max(facts.span.line - 1, 0)
        end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL_DEFINITION.match(lines[i])), len(lines))
        return any(_RELATED_NAME_WRITE.search(line) for line in lines[start:end])

    def maybe_renamed_reverse(self, key: tuple[str, str]) -> bool:
        """Whether some relation to the model may reach it under an accessor its field class chose."""
        self._reverse_index()
        return key in self.renamed_reverse

    def maybe_outside_reverse(self, name: str) -> bool:
        """Whether a relation of a package outside the tree may give a model the accessor
        ``name`` (djstate.state.serializer_reverse_bound); always, without a virtualenv."""
        if self._outside_accessors is False:  # read once; the class names with the tree's, once too
            bound = outside_accessors(self.site_packages, self.own_packages, self.store)
            self._outside_accessors = bound and (bound, bound.classes | self.class_names)
        if self._outside_accessors is None:
            return True
        bound, classes = self._outside_accessors
        return bound.may_give(name, lambda template, found: _template_matches(template, found, set(), classes))

    def maybe_reverse(self, name: str) -> bool:
        """Whether a name could be the reverse accessor of a relation djstate cannot see."""
        index = self._reverse_index()  # notes relations whose target it cannot resolve
        if not self.hidden_sources:
            return False
        placed = {accessor for relations in index.values() for accessor, _ in relations}
        if name in self.related_names and name not in placed:
            return True  # a literal related_name= somewhere that no placed relation uses
        templates = [r for r in self.related_names if "%(" in r]
        if templates:
            # a templated related_name on a model djstate may not fully see: the placeholders
            # become an app label and a class name of the tree
            labels = {key[0].lower() for key in (*self.state.models, *self.state.classes)}
            if any(_template_matches(r, name, labels, self.class_names) for r in templates):
                return True
        return (name[:-4] if name.endswith("_set") else name) in self.hidden_sources

    def unresolved_part(self, info: ModelInfo, source: str, certain: bool = True) -> tuple[ModelInfo, str] | None:
        """The first part of a dotted ``source`` that is not on its model (with that model);
        None when it resolves or djstate cannot follow it."""
        return self.follow_source(info, source, certain).missing

    def follow_source(self, info: ModelInfo, source: str, certain: bool = True) -> SourceWalk:
        """Follow a dotted ``source`` through the models: the first part that is on none
        (``missing``), or why djstate cannot tell (``unjudged``), or neither (it resolves, or
        stops at a value, method or manager whose attributes are not modelled)."""
        current: ModelInfo | None = info
        for part in source.split("."):
            if current is None:
                return SourceWalk(unjudged=("name-on-unknown-model", f"'{part}': the related model is no model djstate knows"))
            model_class = self.state.classes.get(current.key) or self._outside_class(current.key)
            on_instances = self._source_instance_attributes(model_class.path) if model_class else {"*"}
            if part in on_instances:
                return SourceWalk()  # set on instances by code: it exists, its value is not followed
            if "*" in on_instances or self.maybe_runtime_attribute(current, part, by_owner=True):
                # code may set it on instances (or a queryset annotate it): the value is not followed
                if current.has_attribute(part) or part == "pk":
                    return SourceWalk()
                return SourceWalk(unjudged=("name-maybe-runtime", f"'{part}' may be set on {current.name} instances at runtime"))
            if current.has_attribute(part) or part == "pk":
                relation = current.relations.get(part)
                if relation is None or relation.to_many:
                    return SourceWalk()  # a value, method or manager: its attributes are not modelled
                current = self.info(relation.related)
                continue
            if not (certain and current.names_known and (current.reverse_known or not self.maybe_outside_reverse(part))):
                return SourceWalk(unjudged=("name-on-unknown-model", f"'{part}' is on no model field or attribute of "
                                            f"{current.name}, which djstate cannot read completely"))
            if self.maybe_reverse(part):
                return SourceWalk(unjudged=("name-maybe-reverse", f"'{part}' may be the reverse accessor of a relation "
                                            f"djstate cannot place"))
            return SourceWalk(missing=(current, part))
        return SourceWalk()

    def _outside_class(self, key: tuple[str, str]) -> Any:
        """The class of a model read from the virtualenv (a concrete parent or a Meta.model), if any."""
        found = self._outside_models.get(key) or self._outside_parents.get(key)
        return found[1] if found else None

    def same_model(self, one: tuple[str, str], other: tuple[str, str]) -> bool:
        """Whether two models share a table lineage: equal, proxies, or MTI parent and child."""
        lineage = [self._lineage(one), self._lineage(other)]
        return bool(lineage[0] & lineage[1]) or None in lineage[0] | lineage[1]

    def _lineage(self, key: tuple[str, str], depth: int = 0) -> set:
        model = self.state.models.get(key)
        if model is None or depth > MAX_DEPTH:
            return {key, None}  # unknown: never judged
        out = {key}
        for base in model.bases:
            if isinstance(base, str):
                parent = self.target(base, key[0])
                out |= self._lineage(parent, depth + 1) if parent else {None}
        return out

    def key_of(self, value: Any) -> tuple[str, str] | None:
        if not isinstance(value, Ref):
            return None
        if value.path in self.by_path:
            return self.by_path[value.path]
        # a project whose import root is a folder of the tree (label-studio imports
        # `users.models` for label_studio/users/models.py): the one model path ending so
        found = [key for path, key in self.by_path.items() if path.endswith("." + value.path)]
        return found[0] if len(found) == 1 else None

    def target(self, to: Any, app: str) -> tuple[str, str] | None:
        if isinstance(to, Ref) and to.path.startswith("django.conf.settings."):
            to = self.resolve_setting(to.path.rsplit(".", 1)[-1])
        if isinstance(to, Opaque) and to.source.startswith("settings."):
            to = self.resolve_setting(to.source.split(".", 1)[1])
        if isinstance(to, Opaque) and GET_USER_MODEL.fullmatch(to.source):
            to = self.resolve_setting("AUTH_USER_MODEL")  # `User = get_user_model()`: the same model
        if not isinstance(to, str):
            return None
        if to.startswith("settings."):
            to = self.resolve_setting(to.split(".", 1)[1]) or ""
        if "." not in to:
            return (app, to.lower()) if to else None
        label, _, name = to.partition(".")
        return label, name.lower()

    def chain(self, state: FieldState) -> list[str]:
        """The Django field classes a field's class derives from, most derived first."""
        for path in self.builder._chain(state.path):
            if path == TAGGABLE_MANAGER or is_tag_manager(path):  # modelcluster's ClusterTaggableManager too
                return ["TaggableManager"]
            name = django_field_name(canonical_path(path)) or THIRD_PARTY_BASES.get(path)
            if name is not None:
                return mro(name)
            if path in POSTGRES_MAPPING:
                return [path]
        return []

    def _reverse_index(self) -> dict[tuple[str, str], list[tuple[str, Relation]]]:
        if self._reverse is not None:
            return self._reverse
        index: dict[tuple[str, str], list[tuple[str, Relation]]] = {}
        for key, model in self.state.models.items():
            for name, state in model.fields.items():
                if "to" not in state.kwargs:
                    continue
                chain = self.chain(state)
                kind = next((c for c in chain if c in RELATION_FIELDS), None)
                if kind is None:
                    continue
                target = self.target(state.kwargs["to"], key[0])
                if target is None:
                    self.hidden_sources.add(key[1])  # some model gets a reverse accessor djstate cannot place
                    continue
                if self._renames_reverse(state):
                    self.renamed_reverse.add(target)
                many = kind == "ManyToManyField"
                related = state.kwargs.get("related_name")
                if many and target == key:
                    symmetrical = self._symmetrical(key, name)
                    if symmetrical is None:
                        self.hidden_sources.add(key[1])
                    if symmetrical is not False:
                        continue  # a symmetrical m2m to self has no reverse accessor
                if not isinstance(related, str) or not related:
                    default = model.options.get("default_related_name")
                    related = default if isinstance(default, str) else None
                if related is not None:
                    related = (
                        related
                        % {"class": key[1], "model_name": key[1], "app_label": key[0].lower()}
                        if "%(" in related
                        else related
                    )
                    if related.endswith("+"):
                        continue
                accessor = related or (key[1] + ("_set" if kind != "OneToOneField" else ""))
                through = state.kwargs.get("through")
                index.setdefault(target, []).append(
                    (
                        accessor,
                        Relation(
                            key, kind != "OneToOneField", True, None, many and through is not None
                        ),
                    )
                )
        self._reverse = index
        return index

    def info(self, key: tuple[str, str]) -> ModelInfo | None:
        if key in self._info:
            return self._info[key]
        self._info[key] = None
        model = self.state.models.get(key)
        model_class = self.state.classes.get(key)
        if (model is None or model_class is None) and key in self._outside_parents:
            model, model_class = self._outside_parents[key]
        elif (model is None or model_class is None) and key in self._outside_models:
            model, model_class = self._outside_models[key]
        if model is None or model_class is None:
            return None
        if model.options.get("proxy") is True:
            parent = next((b for b in model.bases if isinstance(b, str)), None)
            concrete = self.info(self.target(parent, key[0])) if parent else None
            if concrete is None:
                return None
            info = ModelInfo(
                **{
                    **concrete.__dict__,
                    "key": key,
                    "name": model.name,
                    "attributes": set(concrete.attributes),
                }
            )
            info.attributes |= self._class_attributes(model_class.path)[0]
            info.reverse = {**concrete.reverse, **dict(self._reverse_index().get(key, []))}  # FKs to the proxy
            self._info[key] = info
            return info
        parents = [self.info(self._outside_parent(self.target(b, key[0]), model_class)) for b in model.bases if isinstance(b, str)]
        known = all(p is not None and p.known for p in parents)
        names_known = all(p is not None and p.names_known for p in parents)
        all_fields: dict[str, FieldState] = {}
        chains: dict[str, list[str]] = {}
        attributes: set[str] = set()
        reverse: dict[str, Relation] = {}
        for parent in parents:
            if parent is not None:
                all_fields.update(parent.all_fields)
                chains.update(parent.chains)
                attributes |= parent.attributes
                reverse.update(parent.reverse)
        all_fields.update(model.fields)
        for name, state in model.fields.items():
            chains[name] = self.chain(state)
        own_attributes, attributes_known = self._class_attributes(model_class.path)
        for decorator in model_class.facts.decorators:
            described = self.described_decorator(decorator)
            added = tuple(sorted(described.names)) if described is not None else self.decorator_added(decorator)
            for accessor, many in described.reverse if described is not None else ():
                reverse[accessor] = Relation(UNKNOWN_MODEL, many, True)  # of the model it creates (not read)
            if added is None:
                attributes_known = False  # a class decorator may add attributes
            else:
                own_attributes = own_attributes | set(added)
        attributes |= own_attributes | MODEL_ATTRIBUTES | self.runtime_names | model_class.metaclass_names
        if any(p.startswith("mptt.") for p in self.builder._chain(model_class.path)):
            attributes |= MPTT_FIELDS  # MPTTModel's metaclass adds the tree fields to the class
        if not model_class.managers:  # Django adds `objects` only to classes that declare none
            attributes.add("objects")
        pk = None
        fields: dict[str, FieldState] = {}
        forward: dict[str, Relation] = {}
        kinds_known = all(p is None or p.kinds_known for p in parents)
        for name, state in all_fields.items():
            chain = chains.get(name, [])
            if state.kwargs.get("primary_key") is True:
                pk = name
            kind = next((c for c in chain if c in RELATION_FIELDS), None)
            if not chain:
                kinds_known = False  # a field class djstate has no model of: the name is all it knows
            if chain == ["TaggableManager"]:
                continue  # a relation DRF leaves out (serialize=False); hasattr() finds it
            if kind is not None:
                attributes.add(f"{name}_id") if kind != "ManyToManyField" else None
            if state.kwargs.get("choices"):
                attributes.add(f"get_{name}_display")
            if any(c in ("DateField", "DateTimeField") for c in chain) and not state.kwargs.get(
                "null"
            ):
                attributes.update({f"get_next_by_{name}", f"get_previous_by_{name}"})
            if state.kwargs.get("serialize") is False:
                continue
            if kind is None:
                fields[name] = state
            else:
                # a target chosen by settings: the relation exists, where it leads is unknown
                target = self.target(state.kwargs.get("to"), key[0]) or UNKNOWN_MODEL
                through = state.kwargs.get("through")
                forward[name] = Relation(target, kind == "ManyToManyField", False, state,
                                         kind == "ManyToManyField" and through is not None)  # fmt: skip
        # DRF's _get_pk follows parent links to the root's primary key
        while pk is not None and all_fields[pk].kwargs.get("parent_link") is True:
            parent_key = self.target(all_fields[pk].kwargs.get("to"), key[0])
            parent = self.info(parent_key) if parent_key else None
            if parent is None:
                known = names_known = False
                break
            pk = parent.pk
        for accessor, relation in self._reverse_index().get(key, []):
            reverse[accessor] = relation
        order = model.options.get("order_with_respect_to")
        if order:
            attributes.add("_order")
        info = ModelInfo(
            key=key, name=model.name, pk=pk, fields=fields, forward=forward, reverse=reverse, all_fields=all_fields,
            attributes=attributes, options=model.options,
            known=known and attributes_known and model_class.known and model_class.fields_known
            and key not in self.state.partial_models and key not in self.state.unverified_models,
            names_known=names_known and attributes_known and model_class.names_known and model_class.fields_known
            and key not in self.state.partial_models
            and (key not in self.state.unverified_models or key in self.state.names_known),
            kinds_known=kinds_known,
            reverse_known=key not in self.external_reverse and key not in self._outside_parents
            and key not in self._outside_models, chains=chains,
        )  # fmt: skip
        self._info[key] = info
        return info

    def _outside_parent(self, key: tuple[str, str] | None, child: Any) -> tuple[str, str] | None:
        """``key``, after noting the model class behind it when it is a concrete parent of
        ``child`` read from a virtualenv (the models state holds the tree's models only)."""
        if key is None or key in self.state.models or key in self._outside_parents:
            return key
        for base in child.bases:
            parent = self.builder.model_class(base.path) if isinstance(base, Ref) else None
            if (
                parent is not None and parent.file.startswith("/") and not parent.abstract
                and (parent.app, parent.facts.name.lower()) == key
            ):  # fmt: skip
                try:
                    self._outside_parents[key] = (self.builder.model_state(parent), parent)
                except Exception:  # noqa: BLE001 - a shape the builder does not know: the parent stays unknown
                    pass
        return key

    def outside_model(self, value: Any, key: tuple[str, str] | None) -> ModelInfo | None:
        """A concrete model read from a virtualenv that a serializer's ``Meta.model`` names
        (django.contrib's ContentType or Group, ``get_user_model()``'s auth.User, a package's
        model): the models state holds the tree's models only. Relations from outside the tree
        may point at it, so a name found on none of its fields or attributes stays unjudged."""
        path = value.path if isinstance(value, Ref) else CONTRIB_BY_KEY.get(key) if key else None
        model_class = self.builder.model_class(path) if path else None
        if model_class is None or not model_class.file.startswith("/") or model_class.abstract or not model_class.app:
            return None
        found = (model_class.app, model_class.facts.name.lower())
        if found not in self.state.models and found not in self._outside_parents and found not in self._outside_models:
            try:
                self._outside_models[found] = (self.builder.model_state(model_class), model_class)
            except Exception:  # noqa: BLE001 - a shape the builder does not know: the model stays unknown
                return None
            self._info.pop(found, None)  # asked before by its key alone (get_user_model()): None then
        return self.info(found)


# django.contrib's concrete models by key (get_user_model() names auth.User only by its label)
CONTRIB_BY_KEY = {
    ("auth", "user"): "django.contrib.auth.models.User", ("auth", "group"): "django.contrib.auth.models.Group",
    ("auth", "permission"): "django.contrib.auth.models.Permission",
    ("contenttypes", "contenttype"): "django.contrib.contenttypes.models.ContentType",
    ("sites", "site"): "django.contrib.sites.models.Site", ("admin", "logentry"): "django.contrib.admin.models.LogEntry",
    ("redirects", "redirect"): "django.contrib.redirects.models.Redirect",
    ("flatpages", "flatpage"): "django.contrib.flatpages.models.FlatPage",
}  # fmt: skip
