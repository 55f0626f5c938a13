"""Every relation of a state with the names Django gives it at both ends.

For each ``ForeignKey``, ``OneToOneField`` and ``ManyToManyField`` (and the third-party fields
built on them): the forward name, the reverse accessor (``related_name``, else the source
model's ``default_related_name``, else ``<model>_set`` / ``<model>``) and the reverse query
name (``related_query_name``, else that related name, else ``<model>``), with ``%(class)s``,
``%(model_name)s`` and ``%(app_label)s`` filled in as ``RelatedField.contribute_to_class``
does. A ``related_name`` ending in ``+`` (and a symmetrical many-to-many to itself) has no
reverse accessor.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from djstate.facts.values import Call, Opaque, Ref
from djstate.state.fields import FieldState, django_field_name, mro
from djstate.state.thirdparty_descriptions import THIRD_PARTY_BASES
from djstate.state.paths import canonical_path

KINDS = ("OneToOneField", "ForeignKey", "ManyToManyField")  # most derived first
SETTINGS = "django.conf.settings."


@dataclass(frozen=True)
class RelationNames:
    source: tuple[str, str]  # (app, model name lowercased)
    source_name: str  # the model's class name
    field: str  # the forward name
    kind: str  # ForeignKey, OneToOneField or ManyToManyField
    target: tuple[str, str] | None  # None: chosen by a setting djstate cannot read
    target_text: str  # "app.Model" as the state says it
    null: bool
    accessor: str | None  # None: hidden (related_name ending in "+", symmetrical m2m to self)
    query_name: str | None  # None: hidden and no related_query_name
    through: str | None = None
    explicit: bool = False  # related_name or related_query_name was written


def relation_kind(path: str, chain: Callable[[str], list[str]] | None = None) -> str | None:
    """ForeignKey, OneToOneField or ManyToManyField when the field class is one (through its
    in-tree bases when ``chain`` gives them), else None."""
    for candidate in chain(path) if chain else [path]:
        candidate = canonical_path(candidate)
        name = django_field_name(candidate) or THIRD_PARTY_BASES.get(candidate)
        if name is not None:
            return next((c for c in mro(name) if c in KINDS), None)
    return None


def _target(to: Any, app: str, resolve_setting: Callable[[str], str | None]) -> tuple[tuple[str, str] | None, str]:
    if isinstance(to, Ref) and to.path.startswith(SETTINGS):
        to = resolve_setting(to.path[len(SETTINGS):]) or Opaque(to.path)
    if isinstance(to, Opaque) and to.source.startswith("settings."):
        to = resolve_setting(to.source.split(".", 1)[1]) or to
    if not isinstance(to, str) or not to:
        return None, getattr(to, "source", None) or getattr(to, "path", None) or "?"
    if "." not in to:
        return (app, to.lower()), f"{app}.{to}"
    label, _, name = to.partition(".")
    return (label, name.lower()), to


def _fill(template: str, app: str, model: str) -> str:
    if "%(" not in template:
        return template
    try:
        return template % {"class": model, "model_name": model, "app_label": app.lower()}
    except (KeyError, ValueError, TypeError):
        return template


def _symmetrical(raw: Any) -> bool | None:
    """ManyToManyField.symmetrical as written (deconstruct drops it): True for "self"."""
    if not isinstance(raw, Call):
        return None
    declared = raw.kwargs.get("symmetrical")
    if isinstance(declared, bool):
        return declared
    return raw.kwargs.get("to", raw.args[0] if raw.args else None) == "self"


def model_relations(state: Any, resolve_setting: Callable[[str], str | None] = lambda name: None,
                    chain: Callable[[str], list[str]] | None = None) -> list[RelationNames]:  # fmt: skip
    """The relations of every model of ``state`` (a models state or a replayed ProjectState),
    in model then field order."""
    out = []
    classes = getattr(state, "classes", {})
    for key, model in sorted(state.models.items()):
        for name, field_state in model.fields.items():
            found = field_names(key, model, name, field_state, resolve_setting, chain, classes.get(key))
            if found is not None and found.target in state.models:  # the class name as written
                found = replace(found, target_text=f"{found.target[0]}.{state.models[found.target].name}")
            if found is not None:
                out.append(found)
    return out


def field_names(key: tuple[str, str], model: Any, name: str, field_state: FieldState,
                resolve_setting: Callable[[str], str | None], chain: Callable | None = None,
                model_class: Any = None) -> RelationNames | None:  # fmt: skip
    if "to" not in field_state.kwargs:
        return None
    kind = relation_kind(field_state.path, chain)
    if kind is None:
        return None
    app, model_lower = key
    target, text = _target(field_state.kwargs["to"], app, resolve_setting)
    written = field_state.kwargs.get("related_name")
    related = written if isinstance(written, str) and written else None
    if related is None:
        default = model.options.get("default_related_name")
        related = default if isinstance(default, str) and default else None
    related = _fill(related, app, model_lower) if related else None
    query = field_state.kwargs.get("related_query_name")
    query = _fill(query, app, model_lower) if isinstance(query, str) and query else None
    hidden = bool(related and related.endswith("+"))
    if kind == "ManyToManyField" and target == key:
        raw = next((v for n, v, _ in model_class.fields if n == name), None) if model_class else None
        hidden = _symmetrical(raw) is not False  # Django names it "<field>_rel_+"
    accessor = None if hidden else related or model_lower + ("" if kind == "OneToOneField" else "_set")
    if query is None:
        query = None if hidden else related or model_lower
    through = field_state.kwargs.get("through")
    return RelationNames(
        source=key, source_name=model.name, field=name, kind=kind, target=target, target_text=text,
        null=field_state.kwargs.get("null") is True, accessor=accessor, query_name=query,
        through=through if isinstance(through, str) else None,
        explicit=bool(isinstance(written, str) and written or field_state.kwargs.get("related_query_name")),
    )  # fmt: skip
