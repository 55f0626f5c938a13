"""The bundled descriptions of third-party packages (``djstate/data/thirdparty.json``).

``tools/gen_thirdparty.py`` measures each described package with the real code: a model field
class (the Django class whose deconstruct rules it follows and what it changes in them), an
abstract model base (what a concrete child gets from it), a concrete model it ships and the
managers its bases use. Here that JSON is loaded into plain values and looked up by every
import path; ``djstate.state.fields`` turns a field description into its deconstruct.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from djstate.facts.values import Call, Opaque, Ref

@dataclass(frozen=True)
class ThirdPartyField:
    """A third-party model field class as ``tools/gen_thirdparty.py`` measured it with the real
    package: the Django class whose deconstruct rules it follows and what it changes in them."""

    path: str  # what deconstruct() writes in migrations
    package: str
    base: str | None  # DJANGO_FIELDS name; None: no modelled Django base
    params: tuple[str, ...] | None  # positional parameters ("*": then the base's); None: inherit
    setdefault: dict[str, Any]  # what its __init__ sets unless given
    force: dict[str, Any]  # what its __init__ sets whatever is given
    drop: frozenset[str]  # what its deconstruct leaves out of the base's
    drop_if: dict[str, Any]  # what it leaves out at that value only (a default of its own)
    add: dict[str, Any]  # what its deconstruct always writes
    own: dict[str, dict]  # its own kwargs: {"default", "written": always|unless-default|never, "any_value"}
    judged: frozenset[str] | None  # kwargs the checked cases cover; None: every kwarg (no own rules)
    relation: bool = False
    many_to_many: bool = False
    column: bool = True
    model_dependent: bool = False  # its deconstruct reads the model (StatusField reads STATUS)
    added_fields: tuple = ()  # (name pattern with {name}, path, kwargs) contribute_to_class adds
    added_depend_on: tuple[str, ...] = ()  # kwargs that change those added fields


@dataclass(frozen=True)
class ThirdPartyBase:
    """An abstract model base of a package: what a concrete child gets from it."""

    path: str
    package: str
    fields: tuple  # (name, written path, kwargs) as ModelState.from_model gives them
    meta: dict[str, Any]  # the Meta its children inherit
    managers: tuple  # (name, manager class path, use_in_migrations)
    bases: tuple[str, ...]  # ModelState.bases of a child ("django.db.models.base.Model", mixins)
    model_dependent: bool = False  # the fields depend on the child (StatusModel reads STATUS)
    options_class: str | None = None  # a nested class that renames its fields (MPTTMeta)


def decode(value: Any) -> Any:
    """A value of thirdparty.json (tagged JSON) as djstate's plain values."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "tuple" in value:
        return tuple(decode(v) for v in value["tuple"])
    if "ref" in value:
        return Ref(value["ref"])
    if "dict" in value:
        return {decode(k): decode(v) for k, v in value["dict"]}
    if "call" in value:
        return Call(value["call"], tuple(decode(a) for a in value["args"]), {k: decode(v) for k, v in value["kwargs"].items()})
    return Opaque(value.get("opaque", "?"))


def field_spec(path: str, entry: dict) -> ThirdPartyField:
    """One ``fields`` entry of thirdparty.json."""
    judged = entry.get("judged")
    return ThirdPartyField(
        path=path, package=entry["package"], base=entry.get("django_base") if "error" not in entry else None,
        params=tuple(entry["params"]) if entry.get("params") is not None else None,
        setdefault={k: decode(v) for k, v in entry.get("setdefault", {}).items()},
        force={k: decode(v) for k, v in entry.get("force", {}).items()},
        drop=frozenset(entry.get("drop", ())), drop_if={k: decode(v) for k, v in entry.get("drop_if", {}).items()},
        add={k: decode(v) for k, v in entry.get("add", {}).items()},
        own={k: {**v, "default": decode(v["default"])} for k, v in entry.get("own", {}).items()},
        judged=None if judged == "all" else frozenset(judged or ()),
        relation=entry.get("relation", False), many_to_many=entry.get("many_to_many", False),
        column=entry.get("column", True), model_dependent=entry.get("model_dependent", False),
        added_fields=tuple((n, p, decode(k)) for n, p, k in entry.get("added_fields", ())),
        added_depend_on=tuple(entry.get("added_fields_depend_on", ())),
    )  # fmt: skip


@lru_cache(maxsize=1)
def third_party() -> dict[str, Any]:
    """The bundled descriptions (djstate/data/thirdparty.json), by every import path."""
    data = json.loads(resources.files("djstate.data").joinpath("thirdparty.json").read_text())
    fields: dict[str, ThirdPartyField] = {}
    for path, entry in data["fields"].items():
        spec = field_spec(path, entry)
        for alias in {path, *entry.get("imports", ())}:
            fields[alias] = spec
    bases: dict[str, ThirdPartyBase] = {}
    for path, entry in data["bases"].items():
        if "error" in entry:
            continue
        base = ThirdPartyBase(
            path=path, package=entry["package"],
            fields=tuple((n, p, decode(k)) for n, p, k in entry["fields"]),
            meta={k: decode(v) for k, v in entry["meta"].items() if k != "abstract"},
            managers=tuple(tuple(m) for m in entry["managers"]), bases=tuple(entry["state_bases"]),
            model_dependent=entry.get("model_dependent", False), options_class=entry.get("options_class"),
        )  # fmt: skip
        for alias in {path, *entry.get("imports", ())}:
            bases[alias] = base
    models = {alias: e["label"] for p, e in data["models"].items() for alias in {p, *e.get("imports", ())}}
    managers = {p: use for b in data["bases"].values() for _, p, use in b.get("managers", ())}
    return {"fields": fields, "bases": bases, "models": models, "managers": managers, "versions": data["versions"]}


def third_party_field(path: str) -> ThirdPartyField | None:
    return third_party()["fields"].get(path)


def is_tag_manager(path: str) -> bool:
    """A described many-to-many manager on a plain ``Field`` base (taggit's TaggableManager and
    its subclasses): a relation DRF builds, whose rules are not a Django relation's."""
    spec = third_party_field(path)
    return spec is not None and spec.many_to_many and spec.base == "Field"


def third_party_base(path: str) -> ThirdPartyBase | None:
    """A described abstract model base at ``path`` (any import path)."""
    return third_party()["bases"].get(path)


def third_party_model_label(path: str) -> str | None:
    """``app_label.modelname`` of a concrete model a described package ships (taggit's Tag)."""
    return third_party()["models"].get(path)


def third_party_manager(path: str) -> bool | None:
    """``use_in_migrations`` of a manager class a described base uses; None when not described."""
    return third_party()["managers"].get(path)


class _BaseNames(dict):
    """``{path: Django base name}`` for every described third-party field class and alias."""

    def __init__(self) -> None:
        super().__init__()
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            # Django's own described classes (ArrayField) keep their identity for the serializer
            # catalogue (DRF maps them itself); only their deconstruct follows the description
            self.update({p: f.base for p, f in third_party()["fields"].items() if f.base is not None and f.package != "django"})

    def __contains__(self, key: object) -> bool:
        self._load()
        return super().__contains__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._load()
        return super().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self._load()
        return super().__getitem__(key)


# Third-party field classes (every import path) -> the Django class whose rules they follow,
# from the generated descriptions (the name older callers import).
THIRD_PARTY_BASES: dict[str, str] = _BaseNames()
