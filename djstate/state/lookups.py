"""What a query name means on a model: ``publisher__name__icontains`` walked hop by hop.

Django's ``Query.names_to_path`` reads each part of a ``__`` path as a field of the current
model (its name or attname, ``pk``, a reverse relation under its *query* name), follows
relations to the related model, and hands the rest to the last field as transforms and a
final lookup (``build_lookup``). :class:`LookupResolver` does the same on the
:class:`~djstate.state.catalog.ModelCatalog`, with the lookups and transforms of every Django
field class taken from ``djstate/data/django_lookups.json`` (generated from Django by
``tools/gen_django_lookups.py``).

The catalogue names reverse relations by their accessor (``book_set``); queries use the query
name (``related_query_name``, else ``related_name``, else ``default_related_name``, else the
model name). This module builds that second index from the catalogue's public data.

Every answer is one of: resolves, fails for certain (with the part, the model and a "did you
mean"), or unknown (with why): a model djstate cannot see whole, a field class that is not
Django's, a name code may add at runtime.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from djstate.facts.values import Call, Ref
from djstate.state.catalog import CONTRIB_BY_KEY, RELATION_FIELDS, ModelCatalog, ModelInfo
from djstate.state.fields import FieldState, django_field_name
from djstate.state.lookup_registry import RegisteredLookups
from djstate.state.outside_names import OutsideNames
from djstate.state.paths import canonical_path, canonical_value

MAX_HOPS = 12
# why a model is not fully known that concerns only some of its class attributes
ATTRIBUTE_REASONS = ("maybe-field", "conditional")
# relation classes whose `to` (else first argument) is the model a related_query_name names
WRITTEN_RELATIONS = {"django.db.models.ForeignKey", "django.db.models.OneToOneField", "django.db.models.ManyToManyField",
                     "django.contrib.contenttypes.fields.GenericRelation"}  # fmt: skip


@lru_cache(maxsize=1)
def lookup_table() -> dict:
    return json.loads(resources.files("djstate.data").joinpath("django_lookups.json").read_text())


@dataclass(frozen=True)
class Hop:
    """A relation a query can follow from a model."""

    related: tuple[str, str]
    kind: str  # "fk", "o2o", "m2m", "reverse-fk", "reverse-o2o", "reverse-m2m"
    field: FieldState | None = None  # the relation's field (on this model or on the other)
    field_name: str = ""  # its name
    owner: str = ""  # "app.Model" whose field it is (for messages)

    @property
    def single(self) -> bool:
        """What select_related may follow: a forward FK/O2O or a reverse O2O."""
        return self.kind in ("fk", "o2o", "reverse-o2o")


@dataclass
class Resolution:
    status: str  # "ok", "error", "unknown"
    kind: str = ""  # error: "unknown-name", "reverse-query-name", "hidden-reverse", "lookup", "not-single", "not-relation"
    part: str = ""
    model: ModelInfo | None = None
    suggestion: str | None = None
    detail: str = ""  # unknown: why; error: what the name is instead
    hops: list[tuple[str, Hop]] = field(default_factory=list)  # the relations followed


@dataclass
class ReverseEntry:
    query_name: str | None  # None: hidden ('+')
    accessor: str | None
    default_name: str  # the model name: what the query name would be without related_name
    hop: Hop


class LookupResolver:
    def __init__(self, catalog: ModelCatalog, registered: RegisteredLookups | None = None,
                 outside: OutsideNames | None = None) -> None:  # fmt: skip
        self.catalog = catalog
        # the names models of the project's virtualenv may give (None: no virtualenv, any name)
        self.outside = outside
        self.registered = registered or RegisteredLookups()  # the lookups the tree registers
        self._reverse: dict[tuple[str, str], list[ReverseEntry]] | None = None
        # related_query_name literals of relations djstate cannot place (GenericRelation is a
        # private field, absent from the state): such names may exist on any model
        self.loose_query_names: set[str] = set()
        # those whose relation's model djstate can name -> the models they name
        self.targeted_query_names: dict[str, set[tuple[str, str]]] = {}
        self._certain: dict[tuple[str, str], str | None] = {}

    # ---- the schema ---------------------------------------------------------------------

    def relation_kind(self, state: FieldState, chain: list[str]) -> str | None:
        kind = next((c for c in chain if c in RELATION_FIELDS), None)
        return {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m"}.get(kind or "")

    def reverse_index(self) -> dict[tuple[str, str], list[ReverseEntry]]:
        if self._reverse is not None:
            return self._reverse
        index: dict[tuple[str, str], list[ReverseEntry]] = {}
        catalog = self.catalog
        for key, model in catalog.state.models.items():
            for name, state in model.fields.items():
                if "to" not in state.kwargs:
                    continue
                kind = self.relation_kind(state, catalog.chain(state))
                if kind is None:
                    continue
                target = catalog.target(state.kwargs["to"], key[0])
                if target is None:
                    continue  # the catalogue counts the source model as hidden
                if kind == "m2m" and target == key and catalog._symmetrical(key, name) is not False:
                    continue  # a symmetrical m2m to self has no reverse relation
                values = {"class": key[1], "model_name": key[1], "app_label": key[0].lower()}
                related = state.kwargs.get("related_name")
                query = state.kwargs.get("related_query_name")
                default = model.options.get("default_related_name")
                if not isinstance(related, str) or not related:
                    related = default if isinstance(default, str) and default else None
                related = related % values if related and "%(" in related else related
                query = query % values if isinstance(query, str) and "%(" in query else query
                hidden = bool(related and related.endswith("+"))
                query_name = None if hidden else (query if isinstance(query, str) and query else related or key[1])
                accessor = None if hidden else related or (key[1] + ("_set" if kind != "o2o" else ""))
                hop = Hop(key, f"reverse-{kind}", state, name, f"{key[0]}.{model.name}")
                index.setdefault(target, []).append(ReverseEntry(query_name, accessor, key[1], hop))
        for key, model_class in catalog.state.classes.items():
            self._written_query_names(key, model_class)
        self._reverse = index
        return index

    def _written_query_names(self, key: tuple[str, str], model_class: Any) -> None:
        """The related_query_names written in a model class and its in-tree bases: its fields'
        and those of private fields the state leaves out (GenericRelation is a class attribute,
        no field), with ``%(class)s`` and the like filled in as Django does for this model."""
        resolve = self.catalog.builder.resolver.value
        written = [value for _, value, _ in model_class.fields]
        for facts in self.catalog._chain(model_class.path).classes:
            written += [resolve(canonical_value(attr.value)) for attr in facts.attributes]
        values = {"class": key[1], "model_name": key[1], "app_label": key[0].lower()}
        for value in written:
            query = value.kwargs.get("related_query_name") if isinstance(value, Call) else None
            if not isinstance(query, str):
                continue
            try:
                query = query % values if "%(" in query else query
            except (KeyError, ValueError, TypeError):
                continue  # Django raises on it too
            target = self._written_target(value, key[0])
            if target is None:
                self.loose_query_names.add(query)
            else:  # the name lands on that model only (and its MTI children)
                self.targeted_query_names.setdefault(query, set()).add(target)

    def _written_target(self, value: Any, app: str) -> tuple[str, str] | None:
        """The model a relation field as written in a class body points at (its ``to``, the
        first argument of Django's relation classes and of GenericRelation), when djstate can
        name it; None otherwise ("self" on an abstract base, a field class that is not Django's)."""
        if canonical_path(getattr(value, "path", "")) not in WRITTEN_RELATIONS:
            return None
        to = value.kwargs.get("to", value.args[0] if value.args else None)
        if isinstance(to, str) and to != "self":  # a bare name is the concrete model's app's (ForeignKey's lazy reference)
            return self.catalog.target(to, app)
        if isinstance(to, Ref) and to.path.startswith("django.conf.settings."):
            return self.catalog.target(to, app)
        if isinstance(to, Ref):
            resolved = self.catalog.builder.resolver.value(canonical_value(to))
            if not isinstance(resolved, Ref):
                return None
            path = canonical_path(resolved.path)
            if path in self.catalog.by_path:
                return self.catalog.by_path[path]
            outside = self.catalog.builder.model_class(path)  # a virtualenv's (auth's Group)
            if outside is not None and not outside.abstract and outside.app and outside.meta.get("proxy") is not True:
                return outside.app, outside.facts.name.lower()
        return None

    def _may_have_query_name(self, info: ModelInfo, name: str) -> bool:
        """Whether a related_query_name written on a field djstate does not place (a
        GenericRelation, a relation to a model outside the tree) may name the model."""
        if name in self.loose_query_names:
            return True
        targets = self.targeted_query_names.get(name)
        if not targets:
            return False
        proxies = {key for key, model in self.catalog.state.models.items() if model.options.get("proxy")}
        lineage = set(self.lineage(info.key))
        return bool(targets & lineage) or bool(targets & proxies) or bool(lineage & proxies)

    def lineage(self, key: tuple[str, str], depth: int = 0) -> list[tuple[str, str]]:
        """The model and its concrete (MTI) parents: reverse relations to a parent are the child's too."""
        model = self.catalog.state.models.get(key)
        if model is None or depth > MAX_HOPS:
            return [key]
        out = [key]
        for base in model.bases:
            if isinstance(base, str):
                parent = self.catalog.target(base, key[0])
                if parent is not None and parent not in out:
                    out += self.lineage(parent, depth + 1)
        return out

    def reverse_of(self, key: tuple[str, str]) -> list[ReverseEntry]:
        index = self.reverse_index()
        return [entry for model in self.lineage(key) for entry in index.get(model, [])]

    def query_fields(self, info: ModelInfo) -> dict[str, tuple[FieldState | None, Hop | None]]:
        """Every name ``names_to_path`` accepts on the model: fields, attnames, ``pk``, reverse query names."""
        out: dict[str, tuple[FieldState | None, Hop | None]] = {}
        for name, state in info.all_fields.items():
            kind = self.relation_kind(state, info.chains.get(name, []))
            hop = None
            if kind is not None:
                target = self.catalog.target(state.kwargs.get("to"), info.key[0])
                hop = Hop(target or ("?", "?"), kind, state, name)
                if kind != "m2m":
                    out[f"{name}_id"] = (state, None)
            out[name] = (state, hop)
        if info.pk is not None and info.pk in info.all_fields:
            out["pk"] = out[info.pk]
        for entry in self.reverse_of(info.key):
            if entry.query_name is not None:
                out[entry.query_name] = (None, entry.hop)
        return out

    def accessors(self, info: ModelInfo) -> dict[str, Hop]:
        """Relations by the attribute name instances have (``publisher.books``)."""
        out: dict[str, Hop] = {}
        for name, (state, hop) in self.query_fields(info).items():
            if hop is not None and not hop.kind.startswith("reverse") and name in info.all_fields:
                out[name] = hop
        for entry in self.reverse_of(info.key):
            if entry.accessor is not None:
                out[entry.accessor] = entry.hop
        return out

    def related_info(self, key: tuple[str, str]) -> ModelInfo | None:
        """The model a relation leads to: one of the tree's, or django.contrib's (auth.User,
        auth.Group, ContentType, sites.Site...: CONTRIB_BY_KEY) read from the project's virtualenv. Relations of the
        virtualenv's packages may point at those: :meth:`maybe_exists` leaves every name they
        may give unjudged (OutsideNames)."""
        if key == ("?", "?"):
            return None
        info = self.catalog.info(key)
        if info is None and self.outside is not None and key in CONTRIB_BY_KEY:
            info = self.catalog.outside_model(None, key)
        return info

    # ---- certainty ---------------------------------------------------------------------

    def certain(self, info: ModelInfo) -> str | None:
        """Why the model's names cannot be judged, or None.

        A model the catalogue calls not fully known only because of class attributes it cannot
        follow (``X = getattr(settings, ...)``, an instance of a class outside the tree) is
        judged: those attributes are its members, which :meth:`maybe_exists` never calls
        missing. Bases outside the tree, metaclasses, decorators and settings stay unknown."""
        if not info.reverse_known and self.outside is None:
            return "models outside the tree may point at it (reverse names unknown)"
        for key in self.lineage(info.key):
            why = self._class_certain(key)
            if why is not None:
                return why
        return None

    def _class_certain(self, key: tuple[str, str]) -> str | None:
        if key in self._certain:
            return self._certain[key]
        catalog = self.catalog
        model_class = catalog.state.classes.get(key)
        if model_class is None and key in catalog._outside_parents and self.outside is not None:
            model_class = catalog._outside_parents[key][1]  # a concrete parent read from the virtualenv
        if model_class is None and key in catalog._outside_models and self.outside is not None:
            model_class = catalog._outside_models[key][1]  # django.contrib's auth.User (related_info)
        why = None
        if model_class is None:
            why = "the model's class is not read"
        else:
            reason = model_class.why[0] if model_class.why else None
            _, bases_known = catalog._class_attributes(model_class.path)
            if not bases_known:
                why = "a base class outside the tree may add names"
            elif any(catalog._decorator_changes_names(d) for d in model_class.facts.decorators):
                why = "a class decorator may add names"
            elif reason is not None and reason not in ATTRIBUTE_REASONS and not (model_class.names_known and model_class.fields_known):
                # names_known: a metaclass that changes only options of fields (netbox's
                # LtreeModelBase sets sort_path's db_collation) leaves every name as it is
                why = f"the model is not fully known ({reason}: {model_class.why[1]})"
        self._certain[key] = why
        return why

    def _outside_points_at(self, info: ModelInfo) -> bool:
        """Whether models outside the tree may point at the model or one of its MTI parents."""
        catalog = self.catalog
        return not info.reverse_known or any(
            key in catalog.external_reverse or key in catalog._outside_parents for key in self.lineage(info.key)
        )

    def maybe_exists(self, info: ModelInfo, name: str) -> bool:
        """Whether a name djstate does not see may still exist on the model at runtime."""
        catalog = self.catalog
        if name in info.attributes and catalog.may_be_field_attribute(info, name):
            return True  # a class attribute may be a private field (GenericRelation)
        if name in catalog.runtime_names or self._may_have_query_name(info, name):
            return True
        if catalog.maybe_reverse(name) or catalog.maybe_reverse(f"{name}_set"):
            return True
        if any(catalog.maybe_renamed_reverse(key) for key in self.lineage(info.key)):
            return True  # a relation's field class may have renamed its accessor to this name
        if self._outside_points_at(info) and (self.outside is None or self.outside.may_name(name)):
            return True  # a model of the virtualenv may give it that reverse name
        if any(name.startswith(f"{f}_") for f in info.all_fields) and "@modeltranslation" in catalog.runtime_names:
            return True
        # companions a field class that is not Django's may add (djmoney's price_currency)
        return any(name.startswith(f"{member}_") for member in info.attributes | set(info.all_fields)
                   if not info.chains.get(member))  # fmt: skip

    # ---- resolution --------------------------------------------------------------------

    def resolve(self, info: ModelInfo, text: str, role: str, annotations: set[str], model_rows: bool = False) -> Resolution:
        """Resolve a name as written in a query (role: filter, field, select, prefetch).
        ``model_rows``: the queryset certainly yields instances of the model's own class (see
        :meth:`_prefetch`)."""
        if role == "field":
            text = text.lstrip("-+")
            if text in ("?", ""):
                return Resolution("ok")
        parts = text.split("__")
        if "*" in annotations or any(text == a or text.startswith(f"{a}__") for a in annotations):
            return Resolution("ok")  # annotate(n=...) and annotate(Count("x")), whose alias is x__count
        if role == "prefetch":
            return self._prefetch(info, parts, model_rows)
        current = info
        hops: list[tuple[str, Hop]] = []
        for index, part in enumerate(parts):
            why = self.certain(current)
            names = self.query_fields(current)
            if part not in names:
                if index > 0 and hops and hops[-1][0] == parts[index - 1] and role != "select":
                    # after a relation, Django reads the rest as lookups on the relation field
                    return self._after_relation(current, parts, index, hops)
                if why is not None:
                    return Resolution("unknown", detail=why)
                if self.maybe_exists(current, part):
                    return Resolution("unknown", detail=f"'{part}' may be an attribute or a relation djstate cannot place")
                return self._unknown_name(current, part, names, annotations if index == 0 else set(), hops)
            state, hop = names[part]
            if hop is None and role != "select" and part.endswith("_id") and names.get(part[:-3], (None,))[0] is state:
                hop = names[part[:-3]][1]  # get_field(attname) is the relation: `publisher_id__name` goes through it
            if role == "select":
                if hop is None and (state is None or _written_path(state) is None):
                    return Resolution("unknown", detail=f"'{part}' is a field class that is not Django's", hops=hops)
                if hop is None:
                    return Resolution("error", "not-relation", part, current, detail="a field that is not a relation", hops=hops)
                if not hop.single:
                    return Resolution("error", "not-single", part, current, detail=_kind_text(hop), hops=hops)
            if hop is None:  # a field: the rest are transforms and a lookup
                if role == "select":
                    return Resolution("ok", hops=hops)
                return self._suffix(current, state, parts[index + 1:], role, part, hops)
            hops.append((part, hop))
            related = self.related_info(hop.related)
            if related is None:
                if index == len(parts) - 1:
                    return Resolution("ok", hops=hops)  # the relation exists: where it leads is not read
                return Resolution("unknown", detail=f"'{part}' leads to a model djstate cannot see", hops=hops)
            current = related
        return Resolution("ok", hops=hops)

    def _after_relation(self, current: ModelInfo, parts: list[str], index: int, hops: list) -> Resolution:
        part = parts[index]
        hop = hops[-1][1]
        relation_class = "ForeignKey" if hop.kind in ("fk", "reverse-fk", "o2o", "reverse-o2o") else "ManyToManyField"
        entry = lookup_table()["fields"].get(f"django.db.models.{relation_class}", {})
        if part in entry.get("lookups", []) and index == len(parts) - 1:
            return Resolution("ok", hops=hops)
        own = self.registered.on(f"django.db.models.{relation_class}", entry.get("mro", ()))
        if own is None or part in own:
            return Resolution("ok" if own and index == len(parts) - 1 else "unknown", hops=hops,
                              detail=_registered_detail(part, own, relation_class))  # fmt: skip
        why = self.certain(current)
        if why is not None:
            return Resolution("unknown", detail=why, hops=hops)
        if self.maybe_exists(current, part):
            return Resolution("unknown", detail=f"'{part}' may be an attribute or a relation djstate cannot place", hops=hops)
        if self.outside is not None and self.outside.registers_lookup(part):
            return Resolution("unknown", detail=f"'{part}' may be a lookup a package of the virtualenv registers", hops=hops)
        names = self.query_fields(current)
        return self._unknown_name(current, part, names, set(), hops, lookups=entry.get("lookups", []))

    def _unknown_name(self, info: ModelInfo, part: str, names: dict, annotations: set[str], hops: list,
                      lookups: list[str] = ()) -> Resolution:  # fmt: skip
        for entry in self.reverse_of(info.key):
            if entry.query_name is None and part in (entry.default_name, f"{entry.default_name}_set"):
                return Resolution("error", "hidden-reverse", part, info, None,
                                  f"{_field_text(entry.hop)} hides it with related_name='+'", hops)  # fmt: skip
            if entry.query_name is not None and part in (entry.default_name, entry.accessor) and part != entry.query_name:
                return Resolution("error", "reverse-query-name", part, info, entry.query_name,
                                  f"the relation {_field_text(entry.hop)}", hops)  # fmt: skip
        candidates = sorted(set(names) | set(annotations) | set(lookups))
        close = difflib.get_close_matches(part, candidates, n=1, cutoff=0.6)
        return Resolution("error", "unknown-name", part, info, close[0] if close else None, "", hops)

    def _suffix(self, info: ModelInfo, state: FieldState | None, rest: list[str], role: str, name: str, hops: list) -> Resolution:
        """Transforms and the final lookup after a field, judged on Django's own field classes."""
        if not rest:
            return Resolution("ok", hops=hops)
        if state is None:
            return Resolution("unknown", detail=f"the class of field '{name}' is not known", hops=hops)
        table = lookup_table()
        path = _written_path(state)
        if path is None:
            return Resolution("unknown", detail=f"'{name}' is a field class that is not Django's", hops=hops)
        for position, part in enumerate(rest):
            entry = table["fields"].get(path)
            extra = table["postgres"].get(path, {})
            if entry is None:
                entry, extra = extra, {}
                if not entry:
                    return Resolution("unknown", detail=f"no lookup table for {path}", hops=hops)
            if entry.get("any_transform"):
                return Resolution("ok", hops=hops)  # JSON keys, array indexes
            own = self.registered.on(path, [*entry.get("mro", ()), *extra.get("mro", ())])
            last = position == len(rest) - 1
            if own is None or part in own:  # a transform's output is not known; a lookup ends the path
                return Resolution("ok" if own and last else "unknown", hops=hops,
                                  detail=_registered_detail(part, own, entry.get("class") or path))  # fmt: skip
            transforms = {**entry.get("transforms", {}), **extra.get("transforms", {})}
            lookups = set(entry.get("lookups", [])) | set(extra.get("lookups", []))
            if part in transforms:
                path = transforms[part]
                if path is None:
                    return Resolution("unknown", detail=f"the output of transform '{part}' is not known", hops=hops)
                continue
            if last and part in lookups:
                return Resolution("ok", hops=hops)
            if part in table["postgres"].get(path, {}).get("lookups", []):
                return Resolution("ok", hops=hops)
            if self.outside is not None and self.outside.registers_lookup(part):
                return Resolution("unknown", detail=f"'{part}' may be a lookup a package of the virtualenv registers", hops=hops)
            close = difflib.get_close_matches(part, sorted(lookups | set(transforms)), n=1, cutoff=0.75)
            field_class = entry.get("class") or path.rsplit(".", 1)[-1]
            return Resolution("error", "lookup", part, info, close[0] if close else None, field_class, hops)
        return Resolution("ok", hops=hops)

    def _prefetch(self, info: ModelInfo, parts: list[str], model_rows: bool = False) -> Resolution:
        """prefetch_related follows attribute names (accessors), hop by hop.

        Django's get_prefetcher looks the last name up on the instances' class: an attribute
        only instances have (``obj.x = ...``, setattr) is found but is no prefetcher, and
        prefetch_related_objects raises ValueError for it. So where the rows are certainly
        instances of the model's class (``model_rows``: a queryset whose classes keep Django's
        iterable, a model that does not override from_db), code that sets attributes on
        instances cannot make the last name valid; what code gives the class still can."""
        current = info
        hops: list[tuple[str, Hop]] = []
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            why = self.certain(current)
            accessors = self.accessors(current)
            if part in accessors:
                hop = accessors[part]
                hops.append((part, hop))
                related = self.related_info(hop.related)
                if related is None:
                    if last:
                        return Resolution("ok", hops=hops)  # the relation exists: where it leads is not read
                    return Resolution("unknown", detail=f"'{part}' leads to a model djstate cannot see", hops=hops)
                current = related
                continue
            if why is not None:
                return Resolution("unknown", detail=why, hops=hops)
            state = current.all_fields.get(part)
            if state is not None and _written_path(state) is not None:  # a Django field that is no relation
                return Resolution("error", "not-relation", part, current, detail="a field that is not a relation", hops=hops)
            if state is not None:
                return Resolution("unknown", detail=f"'{part}' is a field class that is not Django's (TaggableManager)", hops=hops)
            on_instances = part in self.catalog.dynamic_attributes or "*" in self.catalog.dynamic_attributes
            if on_instances and last and model_rows and not hops and self._own_instances(info):
                on_instances = False  # found on the object only: no prefetcher, Django raises ValueError
            # any class attribute may support prefetching: a property returning a related manager
            # (pretix's `OrderPosition.checkins`), unlike in a filter, where only fields count
            if part in current.attributes or self.maybe_exists(current, part) or on_instances \
                    or self.catalog.maybe_runtime_attribute(current, part, on_class=True):
                return Resolution("unknown", detail=f"'{part}' may be an attribute that supports prefetching", hops=hops)
            close = difflib.get_close_matches(part, sorted(accessors), n=1, cutoff=0.6)
            return Resolution("error", "unknown-name", part, current, close[0] if close else None, "", hops)
        return Resolution("ok", hops=hops)

    def _own_instances(self, info: ModelInfo) -> bool:
        """Whether rows of the model are built as instances of its class: no class of its
        lineage (or their in-tree bases) overrides from_db, which may return another object."""
        for key in self.lineage(info.key):
            model_class = self.catalog.state.classes.get(key)
            if model_class is None or "from_db" in self.catalog.model_methods(model_class.path):
                return False
        return True


def _written_path(state: FieldState) -> str | None:
    """The written path of a field's class when it is one of Django's own (else None)."""
    path = canonical_path(state.path)
    if django_field_name(path) is not None or path in lookup_table()["fields"] or path in lookup_table()["postgres"]:
        return path
    return None


def _field_text(hop: Hop) -> str:
    """``shop.Book.author`` for a reverse hop (the model's name as the catalogue has it)."""
    return f"{hop.owner}.{hop.field_name}"


def _kind_text(hop: Hop) -> str:
    return {
        "m2m": "a many-to-many relation",
        "reverse-fk": "a reverse foreign key (many objects)",
        "reverse-m2m": "a reverse many-to-many relation",
    }.get(hop.kind, hop.kind)


def describe(info: ModelInfo) -> str:
    return f"{info.key[0]}.{info.name}"


def suggestion_text(resolution: Resolution) -> str:
    return f"; did you mean '{resolution.suggestion}'?" if resolution.suggestion else ""


def _registered_detail(part: str, registered: set[str] | None, field_class: str) -> str:
    if registered is None:
        return f"the project registers a lookup on {field_class} whose name djstate cannot read"
    return f"'{part}' is a lookup the project registers on {field_class}: what follows it is not known"
