"""Third-party model bases and contributed fields, from the bundled descriptions.

``djstate/data/thirdparty.json`` (``tools/gen_thirdparty.py``, measured with the real
packages) says what an abstract base such as ``mptt.models.MPTTModel`` or
``model_utils.models.TimeStampedModel`` gives a concrete child: its fields, the Meta the
child inherits and its managers. Here that becomes an abstract model class like one read
from source, so the models builder inherits from it as from a project's own abstract base.
A field whose ``contribute_to_class`` adds a second field (django-money's ``<name>_currency``)
gets that field too.
"""

from __future__ import annotations

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
