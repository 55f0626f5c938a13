"""Third-party model bases and contributed fields, from the bundled descriptions.

``djstate/data/thirdparty.json`` (``tools/gen_thirdparty.py``, measured with the real
packages) says what an abstract base such as ``mptt.models.MPTTModel`` or
``model_utils.models.TimeStampedModel`` gives a concrete child: its fields, the Meta the
child inherits and its managers. Here that becomes an abstract model class like one read
from source, so the models builder inherits from it as from a project's own abstract base.
A field whose ``contribute_to_class`` adds a second field (django-money's ``<name>_currency``)
gets that field too. A described class attribute that is no field (django-parler's
``TranslatedFields``) gives the model the names and models :func:`contribution` lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from djstate.facts.model import ClassFacts, Span
from djstate.facts.values import Call, Ref
from djstate.state.fields import (  # noqa: F401  (re-exported for the models builder)
    FieldState, ThirdPartyBase, deconstruct, third_party_base, third_party_field, third_party_manager,
    third_party_model_label,
)


def base_class_parts(path: str) -> dict[str, Any] | None:
    """The parts of the models builder's ``ModelClass`` for a described abstract base at
    ``path`` (any import path), or None when it is not described."""
    spec = third_party_base(path)
    if spec is None:
        return None
    return {
        "path": path,
        "app": "",
        "facts": ClassFacts(name=spec.path.rsplit(".", 1)[-1], bases=tuple(Ref(b) for b in spec.bases)),
        "file": f"<{spec.package}>",
        "abstract": True,
        "meta": dict(spec.meta),
        "fields": [(name, Call(field_path, (), dict(kwargs)), Span()) for name, field_path, kwargs in spec.fields],
        "managers": [(name, Call(manager, (), {})) for name, manager, _ in spec.managers],
        "bases": [Ref(b) for b in spec.bases],
        "known": not spec.model_dependent,
        "why": ("base-outside-tree", f"{spec.path}'s fields depend on the model class") if spec.model_dependent else None,
    }


def renamed_by_child(parent_path: str, child: ClassFacts) -> str | None:
    """The nested options class (django-mptt's ``MPTTMeta``) through which ``child`` renames
    the fields a described base adds; None when it does not."""
    spec: ThirdPartyBase | None = third_party_base(parent_path)
    if spec is not None and spec.options_class and spec.options_class in child.nested:
        return spec.options_class
    return None


def contributed_fields(name: str, value: Any) -> tuple[list[tuple[str, FieldState]], bool]:
    """Fields a described field class adds beside itself when bound as ``name``, and whether
    they are all known by name (False: a kwarg such as ``currency_field_name`` renames one)."""
    spec = third_party_field(value.path) if isinstance(value, Call) else None
    if spec is None or not spec.added_fields:
        return [], True
    given = set(value.kwargs)
    depends = set(spec.added_depend_on)
    if any(k.endswith("_name") for k in given & depends):
        return [], False
    out = []
    for pattern, path, kwargs in spec.added_fields:
        state = deconstruct(path, (), dict(kwargs))
        if given & depends or value.args:
            state.known = state.certain = False  # its kwargs follow the field's
        out.append((pattern.replace("{name}", name), state))
    return out, True


@dataclass(frozen=True)
class Contribution:
    """What a described class attribute that is no field (django-parler's ``TranslatedFields``)
    gives a model through ``contribute_to_class``: names on the model class, which ``hasattr``
    (DRF's ``Meta.fields`` check) finds, and models it creates in the model's app."""

    names: frozenset[str]
    models: tuple[str, ...]  # class names, e.g. ProductTranslation
    package: str


@lru_cache(maxsize=1)
def _others() -> dict[str, dict]:
    data = json.loads(resources.files("djstate.data").joinpath("thirdparty.json").read_text())
    return {alias: entry for path, entry in data.get("others", {}).items() for alias in {path, *entry.get("imports", ())}}


def contribution(value: Any, attribute: str, model: str) -> Contribution | None:
    """The names and models a described attribute ``attribute = value`` gives model class
    ``model``, from its measured entry (``adds_names``/``adds_models`` with the placeholders
    ``{attribute}``, ``{field}`` for each keyword argument but ``not_fields``, ``{model}``);
    None when it is not described or called in a shape that was not measured (positional
    arguments, ``**kwargs``)."""
    entry = _others().get(value.path) if isinstance(value, Call) else None
    if entry is None or "adds_names" not in entry or value.args or not entry.get("same_app", False):
        return None
    fields = [k for k in value.kwargs if k not in entry.get("not_fields", ())]
    if not all(isinstance(k, str) and k.isidentifier() for k in fields):
        return None
    names: set[str] = set()
    for template in entry["adds_names"]:
        if "{field}" in template:
            names.update(template.replace("{field}", f) for f in fields)
        else:
            names.add(template.replace("{attribute}", attribute))
    models = tuple(t.replace("{model}", model) for t in entry.get("adds_models", ()))
    return Contribution(frozenset(names), models, entry["package"])
