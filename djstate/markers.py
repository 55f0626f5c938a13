"""Text markers: what a regex pass over every module of the tree tells the drift and serializer
comparisons (names code adds at runtime, which modules hold serializers and views, ...).

Each file's markers depend on its bytes only, so they are kept per content hash in one bundle
per scanned tree (``FactsStore.load_bundle``): a warm scan reads and hashes each module but runs
no regex over an unchanged one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from djstate import __version__

if TYPE_CHECKING:
    from djstate.cache import FactsStore
    from djstate.engine import Project

_ADD_TO_CLASS = re.compile(rb"""add_to_class\(\s*['"](\w+)['"]""")
# `Model._meta.get_field("path").max_length = 4` after the class: the field's options change at
# import time (django-treebeard's tests, openwisp-controller's `blank`)
_FIELD_OPTION_WRITE = re.compile(rb"""_meta\.get_field\(\s*['"](\w+)['"]\s*\)\.\w+\s*=(?!=)""")
FIELD_CHANGED = "@field-changed:"  # runtime_fields entry: a field of that name whose options code changes


# What djstate/parse/queries.py can extract something from, as a necessary condition on bytes:
# a chain is rooted at `Model.manager.method(` (instances and querysets held in names come from
# such a chain, from `get_object_or_404(` or from a parameter annotated `x: Model`), and
# `register_lookup` and `lookup_name` mark custom lookups; a QuerySet or Manager class's methods are summarised;
# a SerializerMethodField's method is read for what it loads on its object.
# A module with none of these is not parsed for queries.
# Linear time: a comment ends at its newline (else a run of '#' splits in exponentially many
# ways) and a root starts a word, not a letter inside one (else a long word is quadratic).
_MAY_HOLD_QUERIES = re.compile(
    rb"(?<![A-Za-z0-9])[A-Z]\w*(?:[\s)\\]|#[^\n]*\n)*\.(?:[\s\\]|#[^\n]*\n)*\w+(?:[\s)\\]|#[^\n]*\n)*\.(?:[\s\\]|#[^\n]*\n)*\w+\s*\("
    rb"|get_object_or_404|register_lookup|lookup_name|SerializerMethodField"
    rb"|\n[ \t]*class[ \t]+\w+[ \t]*\([^)\n]*(?:QuerySet|Manager)"  # its methods may keep a query's names (also nested in a model)
    rb"|\{\s*\*\*\w"  # `{**a, **b}`: a dict helper that may keep a query's keyword names
    rb"|\w\s*:\s*[\w.]*[A-Z]\w*\s*[,)=#]"
)


def may_hold_queries(data: bytes) -> bool:
    """Whether a module's bytes may hold a query chain, an attribute use or a custom lookup
    (False: reading it as 'queries' gives nothing). Non-ASCII source is always read.
    Answers are kept per content hash (``query_prefilter`` keeps them between runs): the regex
    over every module cost more than the rest of a warm scan's text work."""
    key = hashlib.sha256(data).digest()
    known = _QUERY_PREFILTER.get(key)
    if known is None:
        known = _QUERY_PREFILTER[key] = not data.isascii() or _MAY_HOLD_QUERIES.search(data) is not None
    return known


_QUERY_PREFILTER: dict[bytes, bool] = {}  # sha256 of a file's bytes -> may_hold_queries


@contextmanager
def query_prefilter(project: Project, store: FactsStore, markers: SourceMarkers) -> Iterator[None]:
    """Within it, ``may_hold_queries`` answers for the tree's unchanged files come from the
    last run's bundle, and this run's answers are saved after."""
    name = f"prefilter-{_tree_key(project)}"
    cached: dict[bytes, bool] = store.load_bundle(name)
    _QUERY_PREFILTER.update(cached)
    yield
    used = {k: _QUERY_PREFILTER[k] for k in markers.content_keys if k in _QUERY_PREFILTER}
    if used != cached:
        store.save_bundle(name, used)


_CLASS_NAME = re.compile(rb"^\s*class\s+(\w+)", re.MULTILINE)
# `Forum = model_factory(AbstractForum)`, `Topic = get_model("forum", "Topic")`: a model made by a call
_MODULE_LEVEL_CALL = re.compile(rb"^([A-Z]\w*)\s*=\s*[\w.]+\(", re.MULTILINE)
# how views are routed: `V.as_view({"get": "list"})` maps actions, `V.as_view()` and
# `router.register(..., V)` expose every action the class has
_AS_VIEW_MAPPING = re.compile(rb"(\w+)\.as_view\(\s*\{([^}]*)\}")
_MAPPED_ACTION = re.compile(rb"""['"]\s*:\s*['"](\w+)['"]""")
_AS_VIEW_WHOLE = re.compile(rb"(\w+)\.as_view\(\s*(?:\)|\w+\s*=)")
_REGISTER = re.compile(rb"\.register\(([^)]*)\)")
_CAPITALISED = re.compile(rb"\b([A-Z]\w*)\b")
_RELATED_NAME = re.compile(rb"""related_name\s*=\s*['"]([^'"]+)['"]""")
_SENDER = re.compile(rb"""sender\s*=\s*['"]?(?:[\w.]+\.)?(\w+)""")
# a class whose bases mention a serializer, and a class attribute `serializer_class = ...`:
# the modules worth reading class by class (with positions)
_SERIALIZER_CLASS = re.compile(rb"^[ \t]*class\s+\w+\s*\([^)]*Serializer", re.MULTILINE)
_SERIALIZER_CLASS_ATTRIBUTE = re.compile(rb"^[ \t]+serializer_class\s*[:=]", re.MULTILINE)
_ANNOTATE = re.compile(rb"\.(?:annotate|alias)\(")
_KEYWORD = re.compile(rb"(?<![\w.])(\w+)\s*=(?!=)")
_TO_ATTR = re.compile(rb"""to_attr\s*=\s*['"](\w+)['"]""")
_ATTRIBUTE_ASSIGNMENT = re.compile(rb"\b\w+\.(\w+)\s*=(?!=)")
_CLASS_ATTRIBUTE_ASSIGNMENT = re.compile(rb"\b(?:[A-Z]\w*|cls)\.(\w+)\s*=(?!=)")  # `Book.rating = ...`
_CLASS_ATTRIBUTE_OWNER = re.compile(rb"\b([A-Z]\w*|cls)\.(\w+)\s*=(?!=)")
_SETATTR_ON_CLASS = re.compile(rb"""setattr\(\s*([A-Z]\w*)\s*,\s*(?:(?:'(\w+)'|"(\w+)")\s*,)?""")
_URL_FIELD_NAME = re.compile(rb"""URL_FIELD_NAME['"]?\s*[:=]\s*['"](\w+)['"]""")
# a project that replaces Field.deconstruct or trims ALTER_OPTION_KEYS at runtime (NetBox,
# pretix) decides itself which state-only changes get migrations
_PATCHED_DECONSTRUCT = re.compile(rb"Field\.deconstruct\s*=|ALTER_OPTION_KEYS\.remove\(")


def _annotation_names(data: bytes) -> set[str]:
    """Keyword names inside each ``.annotate(...)``/``.alias(...)`` call (balanced parentheses)."""
    names = set()
    for match in _ANNOTATE.finditer(data):
        depth, end = 1, match.end()
        limit = min(len(data), end + 4000)
        while end < limit and depth:
            depth += {40: 1, 41: -1}.get(data[end], 0)
            end += 1
        names.update(m.decode() for m in _KEYWORD.findall(data[match.end() : end]))
    return names


@dataclass
class SourceMarkers:
    """What a text pass over every module tells the drift comparison."""

    # names of fields and models that code adds at runtime, so migrations have them and model
    # classes do not: ``add_to_class('name', ...)`` anywhere in the tree, and the markers
    # ``@modeltranslation`` (``<field>_<lang>`` copies), ``@historical`` (simple-history's
    # ``Historical<Model>`` models) and ``@deconstruct-patched``
    runtime_fields: set[str] = field(default_factory=set)
    serializer_modules: set[str] = field(default_factory=set)  # mention DRF serializers
    view_modules: set[str] = field(default_factory=set)  # set `serializer_class`
    related_names: set[str] = field(default_factory=set)  # every literal related_name= outside migrations
    # a migration module -> its literal related_names: an old migration keeps a name the models
    # have since changed, so the catalogue counts one only while the replayed state still has it
    migration_related_names: dict[str, set[str]] = field(default_factory=dict)
    save_hooks: set[str] = field(default_factory=set)  # senders of pre_save receivers
    # attribute names code may give objects or classes at runtime: annotate()/alias() keywords,
    # Prefetch(to_attr=...), any `x.name = ...`, setattr(X, "name", ...); "*" when setattr() is
    # called on a class with a computed name
    dynamic_attributes: set[str] = field(default_factory=set)
    class_attributes: set[str] = field(default_factory=set)  # `Model.x = ...`: given to a class
    # the same names -> the classes given them (`Book.x = ...`: "Book"; `cls.x = ...`: "")
    class_attribute_owners: dict[str, set[str]] = field(default_factory=dict)
    url_field_names: set[str] = field(default_factory=set)  # REST_FRAMEWORK["URL_FIELD_NAME"]
    view_actions: dict[str, set[str]] = field(default_factory=dict)  # view class -> as_view({...}) actions
    views_routed_whole: set[str] = field(default_factory=set)  # as_view() or router.register(...)
    class_names: dict[str, set[str]] = field(default_factory=dict)  # module -> lowercased names
    unreadable: set[str] = field(default_factory=set)  # modules
    content_keys: set[bytes] = field(default_factory=set)  # sha256 of each module's bytes

    def class_defined(self, project: Project, label: str, name: str) -> bool:
        """Whether any module of the app's package defines a class of that name: a migrated
        model is only called deleted when no such class exists at all."""
        app = project.apps.get(label)
        if app is None:
            return True
        for module, names in self.class_names.items():
            if module == app.module or module.startswith(app.module + "."):
                if name.lower() in names:
                    return True
        return any(m == app.module or m.startswith(app.module + ".") for m in self.unreadable)

    def add(self, module: str, found: FileMarkers) -> None:
        """One module's markers into the tree's."""
        self.class_names[module] = set(found.class_names)
        self.runtime_fields |= found.runtime_fields
        in_serializers = module.rsplit(".", 1)[-1] == "serializers" or ".serializers." in f".{module}."
        if in_serializers or found.serializer_class:
            self.serializer_modules.add(module)  # serializers.py, serializers/, or a class deriving one
        if found.serializer_class_attribute:
            self.view_modules.add(module)
        if ".migrations." in f".{module}." and found.related_names:
            self.migration_related_names[module] = set(found.related_names)
        else:
            self.related_names |= found.related_names
        self.dynamic_attributes |= found.dynamic_attributes
        self.class_attributes |= found.class_attributes
        for name, owners in found.class_attribute_owners:
            self.class_attribute_owners.setdefault(name, set()).update(owners)
        if found.url_field_names is not None:
            self.url_field_names |= found.url_field_names
        for name, actions in found.view_actions:
            self.view_actions.setdefault(name, set()).update(actions)
        self.views_routed_whole |= found.views_routed_whole
        self.save_hooks |= found.save_hooks


@dataclass(frozen=True)
class FileMarkers:
    """One file's markers (what ``SourceMarkers`` gathers, before the module name is known)."""

    class_names: frozenset[str]
    runtime_fields: frozenset[str]
    serializer_class: bool  # a class deriving from something named *Serializer
    serializer_class_attribute: bool  # `serializer_class = ...` in a class body
    related_names: frozenset[str]
    dynamic_attributes: frozenset[str]
    class_attributes: frozenset[str]
    class_attribute_owners: tuple[tuple[str, frozenset[str]], ...]
    url_field_names: frozenset[str] | None  # None: URL_FIELD_NAME is not mentioned
    view_actions: tuple[tuple[str, frozenset[str]], ...]
    views_routed_whole: frozenset[str]
    save_hooks: frozenset[str]


def file_markers(data: bytes) -> FileMarkers:
    """The regex pass over one file's bytes."""
    class_names = {n.decode().lower() for n in _CLASS_NAME.findall(data)}
    class_names |= {n.decode().lower() for n in _MODULE_LEVEL_CALL.findall(data)}
    runtime_fields: set[str] = set()
    if b"add_to_class" in data:
        runtime_fields.update(m.decode() for m in _ADD_TO_CLASS.findall(data))
    if b"get_field" in data:
        runtime_fields.update(FIELD_CHANGED + m.decode() for m in _FIELD_OPTION_WRITE.findall(data))
    if b"modeltranslation" in data:
        runtime_fields.add("@modeltranslation")
    if b"HistoricalRecords" in data:
        runtime_fields.add("@historical")
    if b"hierarkey" in data:
        runtime_fields.add("@hierarkey")  # django-hierarkey's <Model>_SettingsStore models
    if _PATCHED_DECONSTRUCT.search(data):
        runtime_fields.add("@deconstruct-patched")
    related_names: set[str] = set()
    if b"related_name" in data:
        # a file that is not UTF-8 (DJS100 when djstate reads it) names nothing it can match
        related_names.update(m.decode("utf-8", "replace") for m in _RELATED_NAME.findall(data))
    dynamic: set[str] = set()
    if b"annotate(" in data or b"alias(" in data:
        dynamic.update(_annotation_names(data))
    if b"to_attr" in data:
        dynamic.update(m.decode() for m in _TO_ATTR.findall(data))
    dynamic.update(m.decode() for m in _ATTRIBUTE_ASSIGNMENT.findall(data))
    class_attributes = {m.decode() for m in _CLASS_ATTRIBUTE_ASSIGNMENT.findall(data)}
    owners: dict[str, set[str]] = {}
    for owner, name in _CLASS_ATTRIBUTE_OWNER.findall(data):
        owners.setdefault(name.decode(), set()).add("" if owner == b"cls" else owner.decode())
    if b"setattr(" in data:
        for match in _SETATTR_ON_CLASS.finditer(data):
            # setattr(X, "name", ...) gives X that name (pytest's monkeypatch.setattr in tests),
            # setattr(X, computed, ...) any name
            owner, name = match.group(1), (match.group(2) or match.group(3) or b"*").decode()
            dynamic.add(name)
            class_attributes.add(name)
            owners.setdefault(name, set()).add(owner.decode())
    url_field_names = None
    if b"URL_FIELD_NAME" in data:
        url_field_names = frozenset({m.decode() for m in _URL_FIELD_NAME.findall(data)} or {"*"})
    view_actions: dict[str, set[str]] = {}
    routed_whole: set[str] = set()
    if b"as_view(" in data:
        for name, mapping in _AS_VIEW_MAPPING.findall(data):
            view_actions.setdefault(name.decode(), set()).update(a.decode() for a in _MAPPED_ACTION.findall(mapping))
        routed_whole.update(n.decode() for n in _AS_VIEW_WHOLE.findall(data))
    if b".register(" in data:
        for args in _REGISTER.findall(data):
            routed_whole.update(n.decode() for n in _CAPITALISED.findall(args))
    save_hooks: set[str] = set()
    if b"pre_save" in data:
        save_hooks.update(m.decode().lower() for m in _SENDER.findall(data))
        save_hooks.add("@pre_save")
    return FileMarkers(
        frozenset(class_names), frozenset(runtime_fields),
        b"Serializer" in data and bool(_SERIALIZER_CLASS.search(data)),
        b"serializer_class" in data and bool(_SERIALIZER_CLASS_ATTRIBUTE.search(data)),
        frozenset(related_names), frozenset(dynamic), frozenset(class_attributes),
        tuple((k, frozenset(v)) for k, v in owners.items()), url_field_names,
        tuple((k, frozenset(v)) for k, v in view_actions.items()), frozenset(routed_whole), frozenset(save_hooks),
    )  # fmt: skip


@lru_cache(maxsize=1)
def markers_fingerprint() -> str:
    """djstate's version plus this module's source: a bundle made by other regexes is not reused."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _tree_key(project: Project) -> str:
    """A scanned tree's bundles: this module's fingerprint and the root."""
    return f"{markers_fingerprint()}-{hashlib.sha256(str(project.root).encode()).hexdigest()[:16]}"


def source_markers(project: Project, store: FactsStore | None = None) -> SourceMarkers:
    """Read every module of the tree once for the text-level markers (cached per content hash)."""
    bundle_name = f"markers-{_tree_key(project)}"
    cached: dict[bytes, FileMarkers] = store.load_bundle(bundle_name) if store is not None else {}
    used: dict[bytes, FileMarkers] = {}
    markers = SourceMarkers()
    for module, path in project.tree.modules.items():
        try:
            data = (project.root / path).read_bytes()
        except OSError:
            markers.unreadable.add(module)
            continue
        key = hashlib.sha256(data).digest()
        found = used.get(key) or cached.get(key)
        if found is None:
            found = file_markers(data)
        used[key] = found
        markers.add(module, found)
    markers.content_keys = set(used)
    if store is not None and used.keys() != cached.keys():
        store.save_bundle(bundle_name, used)
    return markers
