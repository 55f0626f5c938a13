"""DRF serializer classes as plain data, found without importing DRF.

:class:`SerializerIndex` follows a serializer's bases through the project's modules to
``rest_framework.serializers``: declared fields are collected the way
``SerializerMetaclass._get_declared_fields`` does, ``Meta`` is looked up the way Python
finds a class attribute (a child's own ``Meta`` replaces its parent's unless it derives from
it). A base outside the tree and DRF leaves the class unknown, and the rules stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from djstate.facts.model import ClassFacts, Span
from djstate.facts.values import Call, Opaque, Ref, render
from djstate.state.catalog import MAX_DEPTH
from djstate.state.class_bases import class_chain, member_names
from djstate.state.paths import canonical_value
from djstate.state.sequences import fold, is_sum

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
