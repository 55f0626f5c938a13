"""DRF serializers as plain data, and the fields DRF builds for them, without importing DRF.

:class:`SerializerIndex` follows a serializer's bases through the project's modules to
``rest_framework.serializers``: declared fields are collected the way
``SerializerMetaclass._get_declared_fields`` does, ``Meta`` is looked up the way Python
finds a class attribute (a child's own ``Meta`` replaces its parent's unless it derives from
it). :func:`build_fields` then does what ``ModelSerializer.get_fields`` does against the
models state (asking :class:`djstate.state.catalog.ModelCatalog` what each name means on the
model), and records each error DRF would raise instead of raising it.

Whatever leads outside the tree and DRF (a third-party base serializer, a field class
djstate has no model of, a model with bases it cannot see) makes the result uncertain, and
the rules stay silent about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from djstate.facts.model import ClassFacts, Span
from djstate.facts.values import Call, Opaque, Ref, render
from djstate.isolate import InternalError, isolated
from djstate.state.catalog import (
    MAX_DEPTH, POSTGRES_MAPPING, ModelCatalog, ModelInfo, class_chain, member_names,
)  # fmt: skip
from djstate.state.fields import FieldState
from djstate.state.paths import canonical_value
from djstate.state.sequences import fold, is_sum
from djstate.unverified import Unjudged

DRF_SERIALIZERS = {
    "rest_framework.serializers.BaseSerializer": "base",
    "rest_framework.serializers.Serializer": "plain",
    "rest_framework.serializers.ModelSerializer": "model",
    "rest_framework.serializers.HyperlinkedModelSerializer": "hyperlinked",
    "rest_framework.serializers.ListSerializer": "list",
}
# DRF's field classes (rest_framework.fields and .relations, re-exported by .serializers)
DRF_FIELDS = {
    "Field": None, "BooleanField": "Field", "NullBooleanField": "BooleanField", "CharField": "Field",
    "EmailField": "CharField", "RegexField": "CharField", "SlugField": "CharField", "URLField": "CharField",
    "UUIDField": "Field", "IPAddressField": "CharField", "IntegerField": "Field",
    "BigIntegerField": "IntegerField", "FloatField": "Field", "DecimalField": "Field",
    "DateTimeField": "Field", "DateField": "Field", "TimeField": "Field", "DurationField": "Field",
    "ChoiceField": "Field", "MultipleChoiceField": "ChoiceField", "FilePathField": "ChoiceField",
    "FileField": "Field", "ImageField": "FileField", "ListField": "Field", "DictField": "Field",
    "HStoreField": "DictField", "JSONField": "Field", "ReadOnlyField": "Field", "HiddenField": "Field",
    "SerializerMethodField": "Field", "ModelField": "Field", "RelatedField": "Field",
    "StringRelatedField": "RelatedField", "PrimaryKeyRelatedField": "RelatedField",
    "HyperlinkedRelatedField": "RelatedField", "HyperlinkedIdentityField": "HyperlinkedRelatedField",
    "SlugRelatedField": "RelatedField", "ManyRelatedField": "Field",
}  # fmt: skip
# classes whose __init__ forces read_only=True
READ_ONLY_CLASSES = {
    "ReadOnlyField",
    "SerializerMethodField",
    "HyperlinkedIdentityField",
    "StringRelatedField",
}
RELATED_CLASSES = {"RelatedField", "StringRelatedField", "PrimaryKeyRelatedField", "HyperlinkedRelatedField",
                   "HyperlinkedIdentityField", "SlugRelatedField"}  # fmt: skip

# ModelSerializer.serializer_field_mapping, looked up along the model field's class chain
FIELD_MAPPING = {
    "AutoField": "IntegerField", "BigAutoField": "BigIntegerField", "BigIntegerField": "BigIntegerField",
    "BooleanField": "BooleanField", "CharField": "CharField", "CommaSeparatedIntegerField": "CharField",
    "DateField": "DateField", "DateTimeField": "DateTimeField", "DecimalField": "DecimalField",
    "DurationField": "DurationField", "EmailField": "EmailField", "Field": "ModelField",
    "FileField": "FileField", "FloatField": "FloatField", "ImageField": "ImageField",
    "IntegerField": "IntegerField", "NullBooleanField": "BooleanField", "PositiveIntegerField": "IntegerField",
    "PositiveSmallIntegerField": "IntegerField", "SlugField": "SlugField", "SmallIntegerField": "IntegerField",
    "TextField": "CharField", "TimeField": "TimeField", "URLField": "URLField", "UUIDField": "UUIDField",
    "GenericIPAddressField": "IPAddressField", "FilePathField": "FilePathField", "JSONField": "JSONField",
}  # fmt: skip

@dataclass
class DeclaredField:
    """A serializer field declared on a class: ``name = serializers.CharField(...)``."""

    name: str
    value: Any  # the resolved Call, or Opaque
    span: Span
    file: str
    drf_class: str | None  # the DRF class it is or derives from; None when unknown
    serializer: str | None = None  # a nested serializer class (its path)
    custom: bool = False  # a project subclass: its __init__ may change anything

    @property
    def kwargs(self) -> dict[str, Any]:
        return self.value.kwargs if isinstance(self.value, Call) else {}

    @property
    def many(self) -> bool:
        return self.kwargs.get("many") is True

    @property
    def read_only(self) -> bool | None:
        ro = self.kwargs.get("read_only", False)
        if self.drf_class in READ_ONLY_CLASSES:
            return True
        return ro if isinstance(ro, bool) else None

    @property
    def source(self) -> Any:
        return self.kwargs.get("source")  # DRF fields take it as a keyword only


@dataclass
class SerializerClass:
    path: str
    facts: ClassFacts
    file: str
    kind: str  # plain, model, hyperlinked, list, base, unknown (a base outside the tree)
    known: bool  # every base is in the tree or DRF
    declared: dict[str, DeclaredField] = field(default_factory=dict)
    declared_known: bool = True  # False: an attribute may be a field djstate cannot see
    own_declared: list[str] = field(default_factory=list)
    base_declared: set[str] = field(
        default_factory=set
    )  # names in the direct bases' declared fields
    members: set[str] = field(default_factory=set)  # methods and attributes, with in-tree bases'
    ancestors: set[str] = field(default_factory=set)  # in-tree serializer classes it derives from
    meta: dict[str, tuple[Any, Span, str, tuple]] | None = None  # name -> (value, span, file, item spans)
    meta_known: bool = True
    outside: str = ""  # the first base djstate cannot follow (why it is not known)
    maybe_declared: set[str] = field(default_factory=set)  # attributes that may be declared fields

    @property
    def name(self) -> str:
        return self.facts.name

    @property
    def is_model(self) -> bool:
        return self.kind in ("model", "hyperlinked")

    def meta_value(self, name: str, default: Any = None) -> Any:
        if self.meta is None or name not in self.meta:
            return default
        return self.meta[name][0]

    def meta_span(self, name: str, item: str | None = None) -> tuple[str, Span]:
        """Where a Meta option is set; with ``item``, where that element of its literal is."""
        if self.meta is not None and name in self.meta:
            value, span, file, items = self.meta[name]
            keys = list(value) if isinstance(value, (list, tuple, dict)) else []
            if item is not None and item in keys and len(items) == len(keys):
                return file, items[keys.index(item)]
            return file, span
        return self.file, self.facts.span


class SerializerIndex:
    """Serializer classes of the tree, found by following bases to ``rest_framework``."""

    def __init__(
        self,
        resolver: Any,
        class_facts: Callable[[str], tuple[ClassFacts, str] | None],
        files: dict[str, str],
    ):
        self.resolver = resolver
        self.class_facts = class_facts
        self.files = files  # module -> file
        self._cache: dict[str, SerializerClass | None] = {}

    def resolve(self, value: Any) -> Any:
        return self.resolver.value(canonical_value(value))

    def serializer(self, path: str, depth: int = 0) -> SerializerClass | None:
        if path in self._cache:
            return self._cache[path]
        self._cache[path] = None  # a cycle of bases ends here
        found = self.class_facts(path)
        if found is None or depth > MAX_DEPTH:
            return None
        facts, module = found
        kind: str | None = None
        known = True
        outside: str = ""  # the first base djstate cannot follow
        parents: list[SerializerClass] = []
        members = member_names(facts)
        for base in facts.bases:
            base = self.resolve(base)
            if not isinstance(base, Ref):
                known = False
                outside = outside or render(base)[:80]
                continue
            if base.path in DRF_SERIALIZERS:
                kind = _derived(kind, DRF_SERIALIZERS[base.path])
                continue
            parent = self.serializer(base.path, depth + 1)
            if parent is not None:
                parents.append(parent)
                kind = _derived(kind, parent.kind)
                known = known and parent.known
                outside = outside or parent.outside
                members |= parent.members
                continue
            mixin = self._mixin_members(base.path)
            if mixin is None:
                known = False
                outside = outside or base.path
                if "serializer" in base.path.rsplit(".", 1)[-1].lower():
                    kind = _derived(kind, "unknown")
            else:
                members |= mixin
        if kind is None:
            return None
        result = SerializerClass(
            path, facts, self.files[module], kind, known and kind != "unknown", members=members,
            ancestors={p.path for p in parents}.union(*(p.ancestors for p in parents)), outside=outside,
        )  # fmt: skip
        self._declare(result, parents, facts, module)
        self._meta(result, parents, facts, module)
        self._cache[path] = result
        return result

    def _mixin_members(self, path: str) -> set[str] | None:
        """Methods and attributes of a plain in-tree class (None: not followable)."""
        chain = class_chain(path, self.class_facts, self.resolve)
        plain = ("builtins.", "typing.", "abc.")
        if chain.opaque or any(not p.startswith(plain) and p != "object" for p in chain.outside):
            return None
        return chain.members()

    def _declare(
        self,
        result: SerializerClass,
        parents: list[SerializerClass],
        facts: ClassFacts,
        module: str,
    ) -> None:
        """``SerializerMetaclass._get_declared_fields``: base fields first (the first base
        wins), then this class's, which replace a base's in place; any other attribute of the
        class (``name = None``, a method) hides a base's field of that name."""
        own: dict[str, DeclaredField] = {}
        plain: set[str] = {m.split(":")[0] for m in facts.methods} | set(facts.nested)
        for attr in facts.attributes:
            value = self.resolve(attr.value)
            declared = self.declared_field(attr.name, value, attr.span, result.file)
            if declared is None:
                plain.add(attr.name)
                own.pop(attr.name, None)
                if (
                    isinstance(value, Opaque)
                    or isinstance(value, Call)
                    and _capitalised(value.path)
                ):
                    result.declared_known = False  # maybe a field of a class djstate cannot follow
                    result.maybe_declared.add(attr.name)
            else:
                own.pop(attr.name, None)
                plain.discard(attr.name)
                own[attr.name] = declared
                if declared.drf_class is None and declared.serializer is None:
                    result.declared_known = False
        merged: dict[str, DeclaredField] = {}
        for parent in parents:
            result.declared_known = result.declared_known and parent.declared_known
            result.maybe_declared |= parent.maybe_declared - plain - set(own)
            for name, declared in parent.declared.items():
                result.base_declared.add(name)
                if name not in plain and name not in merged:
                    merged[name] = declared
        merged.update(own)
        result.declared = merged
        result.own_declared = list(own)

    def declared_field(self, name: str, value: Any, span: Span, file: str) -> DeclaredField | None:
        """The field an attribute value declares; None when it is not a field at all."""
        if not isinstance(value, Call):
            return None
        drf = drf_field_name(value.path)
        if drf is not None:
            return DeclaredField(name, value, span, file, drf)
        nested = self.serializer(value.path)
        if nested is not None:
            return DeclaredField(
                name,
                value,
                span,
                file,
                "ListSerializer" if value.kwargs.get("many") is True else None,
                value.path,
            )
        chain = self.field_chain(value.path)
        if chain is None:
            return None
        if chain == []:
            return DeclaredField(
                name, value, span, file, None, custom=True
            )  # leads outside the tree
        return DeclaredField(name, value, span, file, chain[0], custom=True)

    def field_chain(self, path: str, depth: int = 0) -> list[str] | None:
        """For a project field class: [the DRF class it derives from]; [] when it leads
        outside the tree (maybe a field); None when it is not a serializer field."""
        found = self.class_facts(path)
        if found is None or depth > MAX_DEPTH:
            return (
                [] if _capitalised(path) and not path.startswith(("django.", "builtins.")) else None
            )
        for base in found[0].bases:
            base = self.resolve(base)
            if not isinstance(base, Ref):
                return []
            drf = drf_field_name(base.path)
            if drf is not None:
                return [drf]
            inherited = self.field_chain(base.path, depth + 1)
            if inherited is not None:
                return inherited
        return None

    def _meta(
        self,
        result: SerializerClass,
        parents: list[SerializerClass],
        facts: ClassFacts,
        module: str,
    ) -> None:
        """``self.Meta``: the class's own, else the first base's that has one. An own Meta
        inherits only from the Meta classes it names as bases."""
        own = facts.nested.get("Meta")
        if own is None:
            for parent in parents:
                if parent.meta is not None:
                    result.meta, result.meta_known = parent.meta, parent.meta_known
                    return
            result.meta_known = result.known
            return
        meta: dict[str, tuple[Any, Span, str, tuple]] = {}
        for base in own.bases:
            inherited = self._meta_of(base)
            if inherited is None:
                result.meta_known = False
            else:
                for name, entry in inherited.items():
                    meta.setdefault(name, entry)
        for attr in own.attributes:
            meta[attr.name] = (self.meta_value(attr.value), attr.span, result.file, attr.item_spans)
        result.meta = meta

    def _meta_of(self, base: Any) -> dict | None:
        """The Meta of ``Parent.Meta`` named as a base of a Meta class."""
        if not isinstance(base, Ref) or not base.path.endswith(".Meta"):
            return None
        owner = self.resolve(Ref(base.path[: -len(".Meta")]))
        parent = self.serializer(owner.path) if isinstance(owner, Ref) else None
        if parent is None or parent.meta is None or not parent.meta_known:
            return None
        return parent.meta

    def meta_value(self, value: Any) -> Any:
        """A Meta attribute's value; ``Parent.Meta.fields + (...)`` and ``[*Parent.Meta.fields, ...]``
        are added up."""
        if is_sum(value):
            return fold(value, self.meta_value)
        if isinstance(value, Ref) and ".Meta." in value.path:
            owner, _, name = value.path.rpartition(".Meta.")
            resolved = self.resolve(Ref(owner))
            parent = self.serializer(resolved.path) if isinstance(resolved, Ref) else None
            if parent is not None and parent.meta is not None and name in parent.meta:
                return parent.meta[name][0]
            return Opaque(value.path)
        return self.resolve(value)


# the most derived DRF class among a class's bases decides (C3 puts ModelSerializer before
# Serializer), and a base outside the tree leaves it unknown
KIND_RANK = {"base": 0, "plain": 1, "list": 1, "model": 2, "hyperlinked": 3, "unknown": 4}


def _derived(kind: str | None, other: str) -> str:
    return other if kind is None or KIND_RANK[other] > KIND_RANK[kind] else kind


def drf_field_name(path: str) -> str | None:
    if path.startswith("rest_framework."):
        name = path.rsplit(".", 1)[-1]
        if name in DRF_FIELDS:
            return name
    return None


def drf_chain(name: str) -> list[str]:
    out = []
    current: str | None = name
    while current is not None and current in DRF_FIELDS:
        out.append(current)
        current = DRF_FIELDS[current]
    return out


def _capitalised(path: str) -> bool:
    return path.rsplit(".", 1)[-1][:1].isupper()


# --- what ModelSerializer.get_fields builds ----------------------------------------------------


@dataclass
class BuiltField:
    name: str
    drf_class: str | None  # None: djstate cannot tell
    read_only: bool | None
    required: bool | None
    child: str | None = None
    origin: str = "model"  # declared, model, relation, reverse, property, url, hidden, nested
    model_field: str | None = None


@dataclass
class BuildError:
    kind: str  # unknown-field, exclude-declared, exclude-unknown, declared-not-listed, meta
    name: str | None
    message: str


@dataclass
class BuildResult:
    fields: dict[str, BuiltField] = field(default_factory=dict)
    errors: list[BuildError] = field(default_factory=list)
    certain: bool = True  # False: some field's class or flags are a guess; names still exact
    names_certain: bool = True  # False: the set of names itself is not known
    silenced: list[tuple[str, str, str]] = field(default_factory=list)  # (name, reason, detail) not judged
    model: ModelInfo | None = None


ALL_FIELDS = "__all__"
# ModelSerializer methods and attributes that, overridden, change which fields are built
FIELD_HOOKS = {
    "get_fields", "get_field_names", "get_default_field_names", "build_field", "build_standard_field",
    "build_relational_field", "build_nested_field", "build_property_field", "build_url_field",
    "build_unknown_field", "include_extra_kwargs", "get_extra_kwargs", "get_uniqueness_extra_kwargs",
    "serializer_field_mapping", "serializer_related_field", "serializer_related_to_field",
    "serializer_url_field", "serializer_choice_field", "url_field_name",
}  # fmt: skip


def meta_names(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def build_fields(
    serializer: SerializerClass, catalog: ModelCatalog, auth_user_model: str | None = None
) -> BuildResult:
    result = BuildResult()
    declared = serializer.declared
    if not serializer.known or not serializer.declared_known or serializer.members & FIELD_HOOKS:
        result.certain = result.names_certain = False
    _redundant_sources(serializer, result)
    if not serializer.is_model:
        for name, dec in declared.items():
            result.fields[name] = _declared(dec)
        return result
    if not serializer.meta_known:
        result.certain = result.names_certain = False
    if serializer.meta is None:
        result.names_certain = False  # a base meant for subclassing: DRF only fails if it is used
        return result
    model_value = serializer.meta_value("model")
    key = catalog.key_of(model_value)
    if (
        key is None
        and isinstance(model_value, (Call, Opaque))
        and auth_user_model
        and "get_user_model" in render(model_value)
    ):
        label, _, name = auth_user_model.partition(".")
        key = (label, name.lower())
    info = catalog.info(key) if key else None
    result.model = info
    if info is None:
        result.certain = result.names_certain = False
        return result
    if not info.known:
        result.certain = False  # a field's flags may differ from its source (a metaclass's changes)
    if not info.names_known:
        result.names_certain = False
    fields_option = serializer.meta_value("fields")
    exclude = serializer.meta_value("exclude")
    for option in (
        fields_option,
        exclude,
        serializer.meta_value("read_only_fields"),
        serializer.meta_value("extra_kwargs", {}),
    ):
        if isinstance(option, (Opaque, Ref, Call)):
            result.certain = result.names_certain = False
            return result
    for option in (fields_option, exclude, serializer.meta_value("read_only_fields")):
        if isinstance(option, (list, tuple)) and meta_names(option) is None:
            result.certain = result.names_certain = False  # names computed at import time
            return result
    url_name = "url"
    if (
        fields_option is not None
        and fields_option != ALL_FIELDS
        and meta_names(fields_option) is None
    ):
        result.errors.append(
            BuildError(
                "meta", "fields", 'The `fields` option must be a list or tuple or "__all__".'
            )
        )
        return result
    if exclude is not None and meta_names(exclude) is None:
        result.errors.append(
            BuildError("meta", "exclude", "The `exclude` option must be a list or tuple.")
        )
        return result
    if fields_option and exclude:
        result.errors.append(
            BuildError(
                "meta",
                "exclude",
                f"Cannot set both 'fields' and 'exclude' options on serializer {serializer.name}.",
            )
        )
        return result
    if fields_option is None and exclude is None:
        result.errors.append(
            BuildError(
                "meta",
                None,
                f"ModelSerializer {serializer.name} has neither 'fields' nor 'exclude' in Meta.",
            )
        )
        return result
    if fields_option == ALL_FIELDS:
        fields_option = None
    if fields_option is not None:
        names = list(fields_option)
        for name in serializer.own_declared:
            if name not in serializer.base_declared and name not in names:
                result.errors.append(BuildError("declared-not-listed", name,
                    f"The field '{name}' was declared on serializer {serializer.name}, but has not been included in the 'fields' option."))  # fmt: skip
    else:
        if not info.kinds_known:
            result.certain = result.names_certain = False  # which fields are relations is unknown
            return result
        if serializer.kind == "hyperlinked" and catalog.url_field_names != {"url"}:
            result.certain = result.names_certain = False  # URL_FIELD_NAME is set in settings
            return result
        first = url_name if serializer.kind == "hyperlinked" else info.pk
        names = [first, *declared, *info.fields, *info.forward]
        for name in exclude or ():
            if name in declared:
                result.errors.append(BuildError("exclude-declared", name,
                    f"Cannot both declare the field '{name}' and include it in the {serializer.name} 'exclude' option."))  # fmt: skip
            elif name not in names and not info.names_known:
                continue  # a field of a part of the model djstate cannot see (AbstractUser's user_permissions)
            elif name not in names:
                result.errors.append(BuildError("exclude-unknown", name,
                    f"The field '{name}' was included on serializer {serializer.name} in 'exclude', but does not match any model field."))  # fmt: skip
            else:
                names.remove(name)
    extra = _extra_kwargs(serializer)
    if extra is None:
        result.certain = False
        extra = {}
    extra, hidden = _uniqueness(serializer, info, names, declared, extra, result)
    depth = serializer.meta_value("depth", 0)
    if not isinstance(depth, int):
        result.certain = False
        depth = 0
    for name in names:
        if name in declared:
            result.fields[name] = _declared(declared[name])
            continue
        field_extra = extra.get(name, {})
        source = field_extra.get("source", "*") if isinstance(field_extra, dict) else "*"
        if source == "*":
            source = name
        built = _build(name, source, info, serializer, depth, url_name, result, catalog)
        if built is None:
            continue
        _apply_extra(built, field_extra if isinstance(field_extra, dict) else {}, result)
        result.fields[name] = built
    for name, built in hidden.items():
        result.fields[name] = built
    return result


def _redundant_sources(serializer: SerializerClass, result: BuildResult) -> None:
    """``Field.bind`` asserts that ``source`` is not the field's own name; ``extra_kwargs``
    sources land on the built fields the same way."""
    extra = serializer.meta_value("extra_kwargs", {}) if serializer.is_model else {}
    sources = {name: d.source for name, d in serializer.declared.items()}
    if isinstance(extra, dict):
        sources.update({n: o.get("source") for n, o in extra.items() if isinstance(o, dict) and n not in sources})
    for name, source in sources.items():
        if source == name:
            result.errors.append(BuildError("redundant-source", name,
                f"It is redundant to specify `source='{name}'` on field '{name}', because it is the same as the field name."))  # fmt: skip


def _declared(dec: DeclaredField) -> BuiltField:
    kwargs = dec.kwargs
    read_only = dec.read_only
    if dec.serializer is not None:
        cls = "ListSerializer" if dec.many else dec.serializer.rsplit(".", 1)[-1]
        child = dec.serializer.rsplit(".", 1)[-1] if dec.many else None
    elif dec.drf_class in RELATED_CLASSES and dec.many:
        cls, child = "ManyRelatedField", dec.drf_class
    elif dec.drf_class in ("ListField", "DictField", "HStoreField") and isinstance(
        kwargs.get("child"), Call
    ):
        cls, child = dec.drf_class, drf_field_name(kwargs["child"].path)
    else:
        cls, child = dec.drf_class, None
    if dec.custom:
        cls = None  # a project subclass keeps its own name; its __init__ may set anything
        if dec.drf_class not in READ_ONLY_CLASSES:
            read_only = read_only if "read_only" in kwargs else None
    required = kwargs.get("required")
    if read_only:
        required = False
    elif not isinstance(required, bool):
        if "required" in kwargs:
            required = None  # computed at import time
        elif "default" in kwargs or dec.drf_class == "HiddenField":
            required = False
        elif dec.custom or read_only is None:
            required = None
        else:
            required = True
    return BuiltField(dec.name, cls, read_only, required, child, "declared")


def _extra_kwargs(serializer: SerializerClass) -> dict[str, dict] | None:
    extra = serializer.meta_value("extra_kwargs", {}) or {}
    if not isinstance(extra, dict):
        return None
    extra = {k: dict(v) if isinstance(v, dict) else v for k, v in extra.items()}
    read_only = serializer.meta_value("read_only_fields")
    if read_only is not None:
        names = meta_names(read_only)
        if names is None:
            return None
        for name in names:
            entry = extra.get(name, {})
            if isinstance(entry, dict):
                entry["read_only"] = True
                extra[name] = entry
    return extra


def _model_flags(state: FieldState, chain: list[str]) -> tuple[bool, bool]:
    """(read_only, required) as get_field_kwargs / get_relation_kwargs set them."""
    kwargs = state.kwargs
    if (
        any(c in ("AutoField", "BigAutoField", "SmallAutoField") for c in chain)
        or kwargs.get("editable") is False
    ):
        return True, False
    if kwargs.get("auto_now") or kwargs.get("auto_now_add"):
        return True, False  # DateField.__init__ sets editable=False
    optional = "default" in kwargs or kwargs.get("blank") is True or kwargs.get("null") is True
    return False, not optional


def _build(name: str, source: str, info: ModelInfo, serializer: SerializerClass, depth: int, url_name: str,
           result: BuildResult, catalog: ModelCatalog) -> BuiltField | None:  # fmt: skip
    fields_and_pk = info.fields_and_pk()
    hyperlinked = serializer.kind == "hyperlinked"
    if source in fields_and_pk:
        state = fields_and_pk[source]
        chain = info.chains.get(source if source != "pk" else info.pk or "", [])
        cls = next((FIELD_MAPPING[c] for c in chain if c in FIELD_MAPPING), None)
        if chain and chain[0] in POSTGRES_MAPPING:
            cls = POSTGRES_MAPPING[chain[0]]
        read_only, required = _model_flags(state, chain)
        if "OneToOneField" in chain and state.kwargs.get("primary_key") is True:
            cls = "PrimaryKeyRelatedField"
        elif state.kwargs.get("choices"):
            cls = "ChoiceField"
        if cls is None or not state.known:
            result.certain = False
        model_field = source if source != "pk" else info.pk
        return BuiltField(name, cls, read_only, required, None, "model", model_field)
    relations = info.relations
    if source in relations:
        relation = relations[source]
        if depth:
            cls = "NestedSerializer"
            return BuiltField(name, "ListSerializer" if relation.to_many else cls, True, False,
                              cls if relation.to_many else None, "nested", source)  # fmt: skip
        cls = "HyperlinkedRelatedField" if hyperlinked else "PrimaryKeyRelatedField"
        read_only, required = False, True
        if relation.through_model:
            read_only, required = True, False
        if relation.field is not None:
            kwargs = relation.field.kwargs
            to_field = kwargs.get("to_field")
            if to_field and not relation.reverse:
                target = catalog.info(relation.related)
                if target is None:
                    result.certain = False
                elif to_field != target.pk:
                    cls = "SlugRelatedField"
            if kwargs.get("editable") is False:
                read_only = True
            if read_only:
                required = False
            elif "default" in kwargs or kwargs.get("blank") is True or kwargs.get("null") is True:
                required = False
        if relation.to_many:
            return BuiltField(
                name, "ManyRelatedField", read_only, required, cls, "relation", source
            )
        return BuiltField(name, cls, read_only, required, None, "relation", source)
    if info.has_attribute(source):
        return BuiltField(name, "ReadOnlyField", True, False, None, "property", None)
    if name == url_name or source in catalog.url_field_names:
        return BuiltField(name, "HyperlinkedIdentityField", True, False, None, "url", None)
    reason = _why_unknown_name(name, source, info, serializer, catalog)
    if reason is not None:
        result.certain = result.names_certain = False
        result.silenced.append((name, *reason))
        return None
    result.errors.append(BuildError("unknown-field", name,
        f"Field name `{source}` is not valid for model `{info.name}` in `{serializer.path}`."))  # fmt: skip
    return None


def _why_unknown_name(name: str, source: str, info: ModelInfo, serializer: SerializerClass,
                      catalog: ModelCatalog) -> tuple[str, str] | None:  # fmt: skip
    """(reason, detail) when a name that is on no model may still exist at runtime; None when
    DRF certainly rejects it."""
    if not serializer.known:
        return "serializer-unknown", f"base {serializer.outside}" if serializer.outside else ""
    if not info.names_known:
        return "name-on-unknown-model", f"{info.key[0]}.{info.name} is not fully known"
    if not info.reverse_known:
        return "name-maybe-reverse", f"apps outside the tree may point at {info.key[0]}.{info.name}"
    if catalog.maybe_reverse(source):
        return "name-maybe-reverse", "a relation djstate cannot place may give it this accessor"
    if catalog.maybe_runtime_attribute(info, source, on_class=True):
        return "name-maybe-runtime", "code may give the model class this attribute"
    if name in serializer.maybe_declared:  # `path = BasicCategorySerializer(...)`, a class built by a call
        return "maybe-field", "a class attribute built by a call"
    return None


def _apply_extra(built: BuiltField, extra: dict, result: BuildResult) -> None:
    """``include_extra_kwargs`` then the field's own read_only/required resolution."""
    read_only = extra.get("read_only", built.read_only)
    if not isinstance(read_only, bool):
        result.certain = False
        return
    if not read_only and extra.get("required") is True and "default" in extra:
        result.errors.append(BuildError("required-default", built.name,
            f"May not set both `required` and `default` on field '{built.name}'."))  # fmt: skip
    if "required" in extra and not read_only:
        built.required = extra["required"] if isinstance(extra["required"], bool) else None
    elif "default" in extra and not read_only:
        built.required = False
    built.read_only = read_only
    if read_only:
        built.required = False


def _uniqueness(serializer: SerializerClass, info: ModelInfo, names: list[str], declared: dict[str, DeclaredField],
                extra: dict, result: BuildResult) -> tuple[dict, dict[str, BuiltField]]:  # fmt: skip
    """``get_uniqueness_extra_kwargs``: fields of unique_together/UniqueConstraint (and the
    unique_for_* targets) become required, or get a default, or a HiddenField."""
    if serializer.meta_value("validators") is not None:
        return extra, {}
    model_fields: dict[str, FieldState] = {}
    for name in names:
        if name in declared:
            source = declared[name].source
            source = source if isinstance(source, str) else name
        else:
            entry = extra.get(name, {})
            source = entry.get("source", name) if isinstance(entry, dict) else name
        if not isinstance(source, str) or "." in source or source == "*":
            continue
        if source in info.all_fields:
            model_fields[source] = info.all_fields[source]
    unique_names: set[str] = set()
    for state in model_fields.values():
        for key in ("unique_for_date", "unique_for_month", "unique_for_year"):
            if isinstance(state.kwargs.get(key), str):
                unique_names.add(state.kwargs[key])
    for group, condition in _unique_groups(info, result):
        wanted = set(group) | condition
        if wanted <= set(model_fields):
            unique_names |= wanted
    hidden: dict[str, BuiltField] = {}
    for name in unique_names:
        state = info.all_fields.get(name)
        if state is None:
            result.certain = False
            continue
        chain = info.chains.get(name, [])
        kwargs = state.kwargs
        has_default = (
            kwargs.get("auto_now_add")
            or kwargs.get("auto_now")
            or "default" in kwargs
            or kwargs.get("null") is True
        )
        if (
            not has_default
            and kwargs.get("blank") is True
            and any(c in ("CharField", "TextField") for c in chain)
        ):
            has_default = True
        if name in model_fields:
            entry = dict(extra.get(name, {})) if isinstance(extra.get(name, {}), dict) else {}
            entry = {
                **({"required": True} if not has_default else {"default": "<model default>"}),
                **entry,
            }
            extra[name] = entry
        elif has_default:
            hidden[name] = BuiltField(name, "HiddenField", False, False, None, "hidden", name)
    return extra, hidden


def _unique_groups(info: ModelInfo, result: BuildResult) -> list[tuple[tuple[str, ...], set[str]]]:
    groups: list[tuple[tuple[str, ...], set[str]]] = []
    together = info.options.get("unique_together") or ()
    constraints = info.options.get("constraints") or []
    if not isinstance(together, (list, tuple, set, frozenset)) or not isinstance(constraints, (list, tuple)):
        result.certain = False  # options computed at import time
        return groups
    for group in together:
        if isinstance(group, (tuple, list)):
            groups.append((tuple(group), set()))
    for constraint in constraints:
        if not isinstance(constraint, Call) or not constraint.path.endswith("UniqueConstraint"):
            continue
        names = constraint.kwargs.get("fields")
        if not isinstance(names, (list, tuple)) or not names:
            continue
        condition: set[str] = set()
        if constraint.kwargs.get("condition") is not None:
            referenced = _q_fields(constraint.kwargs["condition"])
            if referenced is None:
                result.certain = False
                continue
            condition = referenced
        if len(set(names) | condition) > 1:
            groups.append((tuple(names), condition))
    return groups




def _q_fields(value: Any) -> set[str] | None:
    """``Q.referenced_base_fields``: the first part of each lookup."""
    if isinstance(value, Call):
        if value.path.endswith(".Q") or value.path.startswith("operator."):
            out: set[str] = set()
            for arg in value.args:
                if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str):
                    out.add(arg[0].split("__")[0])
                    continue
                inner = _q_fields(arg)
                if inner is None:
                    return None
                out |= inner
            for key in value.kwargs:
                if key not in ("_connector", "_negated"):
                    out.add(key.split("__")[0])
            return out
    return None


# --- the whole tree --------------------------------------------------------------------------

CREATE_VIEWS = {
    "rest_framework.mixins.CreateModelMixin", "rest_framework.generics.CreateAPIView",
    "rest_framework.generics.ListCreateAPIView", "rest_framework.viewsets.ModelViewSet",
}  # fmt: skip
VIEW_OVERRIDES = {"perform_create", "create", "get_serializer", "get_serializer_class", "post"}


@dataclass
class CreateView:
    """A view that creates objects through ``serializer_class`` with DRF's own code."""

    path: str
    serializer: str


class SerializerAnalysis:
    """The serializers of the tree, DRF's view of each, and the views that create with them."""

    def __init__(
        self, index: SerializerIndex, catalog: ModelCatalog, auth_user_model: str | None
    ) -> None:
        self.index = index
        self.catalog = catalog
        self.auth_user_model = auth_user_model
        self.serializers: list[SerializerClass] = []
        self.create_views: list[CreateView] = []
        self.view_serializers: set[str] = set()  # every serializer a view names as serializer_class
        self.save_hooks: set[str] = set()
        self._results: dict[str, BuildResult] = {}
        self.unverified = 0
        self.unjudged: list[Unjudged] = []
        self.internal_errors: list[InternalError] = []  # serializers skipped by an unforeseen shape

    def add(self, path: str, file: str = "", line: int = 0) -> None:
        """Read one class of a serializers or views module; a failure skips only that class."""
        with isolated(self.internal_errors, f"serializer {path}", file, line) as outcome:
            self._add(path)
        if outcome.failed:
            self.serializers = [s for s in self.serializers if s.path != path]
            self.create_views = [v for v in self.create_views if v.path != path]

    def _add(self, path: str) -> None:
        serializer = self.index.serializer(path)
        if serializer is not None:
            self.serializers.append(serializer)
            if not serializer.known:
                self.unverified += 1
                self.unjudged.append(Unjudged(
                    "base-outside-tree" if serializer.outside else "serializer-unknown", f"serializer {path}",
                    serializer.file, serializer.facts.span.line, f"base {serializer.outside}" if serializer.outside else "",
                ))  # fmt: skip
            return
        found = self.index.class_facts(path)
        if found is None:
            return
        facts = found[0]
        attr = next((a for a in facts.attributes if a.name == "serializer_class"), None)
        if attr is None:
            return
        target = self.index.resolve(attr.value)
        if isinstance(target, Ref):
            self.view_serializers.add(target.path)
        methods = next((a.value for a in facts.attributes if a.name == "http_method_names"), ["post"])
        if not isinstance(methods, (list, tuple)) or "post" not in methods:
            return  # POST is not allowed (or chosen at runtime): the view never creates
        view = self._view_chain(path)
        if (
            isinstance(target, Ref)
            and view is not None
            and view[0]
            and not view[1] & VIEW_OVERRIDES
        ):
            self.create_views.append(CreateView(path, target.path))

    def _view_chain(self, path: str) -> tuple[bool, set[str]] | None:
        """(creates with DRF's code, methods the in-tree classes define); None: unknown."""
        chain = class_chain(path, self.index.class_facts, self.index.resolve, lambda p: p.startswith("rest_framework."))
        if chain.opaque or any(not p.startswith("rest_framework.") for p in chain.outside):
            return None
        methods = {m.split(":")[0] for c in chain.classes for m in c.methods}
        return any(p in CREATE_VIEWS for p in chain.outside), methods

    def silenced_names(self) -> list[Unjudged]:
        """Each Meta.fields name of the tree's serializers left unjudged, under its reason."""
        out = []
        for serializer, result in self.checked():
            if serializer.is_model and serializer.known and serializer.meta is not None and result.model is None:
                out.append(Unjudged("serializer-unknown", f"serializer {serializer.path}", serializer.file,
                                    serializer.facts.span.line, "its Meta.model is no model djstate knows"))  # fmt: skip
            for name, reason, detail in result.silenced:
                path, span = serializer.meta_span("fields", name)
                out.append(Unjudged(reason, f"serializer field {serializer.path}.{name}", path, span.line, detail))
        return out

    def checked(self) -> list[tuple[SerializerClass, BuildResult]]:
        """The tree's serializers (not those of --site-packages folders) with DRF's fields."""
        return [(s, self.result(s)) for s in self.serializers if not s.file.startswith("/")]

    def _completed_by_subclasses(self, serializer: SerializerClass, built: BuildResult) -> None:
        """A base whose Meta.fields names a field its subclasses declare (edx-enterprise's
        BaseEnterpriseCustomerInviteKeySerializer) fails only where the base itself is used,
        which djstate does not follow: such a name is left unjudged."""
        for error in list(built.errors):
            if error.kind != "unknown-field":
                continue
            child = next((o for o in self.serializers if serializer.path in o.ancestors
                          and error.name in o.declared and o.declared[error.name] is not serializer.declared.get(error.name)), None)  # fmt: skip
            if child is not None:
                built.errors.remove(error)
                built.certain = built.names_certain = False
                built.silenced.append((error.name, "completed-by-subclass",
                                       f"{child.name} declares it; DRF raises only where {serializer.name} itself is used"))  # fmt: skip

    def by_path(self, path: str) -> SerializerClass | None:
        return next((s for s in self.serializers if s.path == path), None)

    def result(self, serializer: SerializerClass) -> BuildResult:
        if serializer.path not in self._results:
            unit = f"serializer {serializer.path}"
            with isolated(self.internal_errors, unit, serializer.file, serializer.facts.span.line) as outcome:
                built = build_fields(serializer, self.catalog, self.auth_user_model)
            if outcome.failed:  # a shape djstate did not foresee: stay silent on it, DJS000 says so
                built = BuildResult(certain=False, names_certain=False)
            self._completed_by_subclasses(serializer, built)
            self._results[serializer.path] = built
        return self._results[serializer.path]
