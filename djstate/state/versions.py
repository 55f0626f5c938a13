"""What changes between Django versions in what ``makemigrations`` compares.

``djstate.state.fields.deconstruct`` and the drift comparison follow the newest Django
(``djstate.django_version.LATEST``). The functions here turn that into what an older
version's autodetector sees; docs/django-versions.md lists every difference found in
Django's source and which ones are applied here:

- before 4.0 the autodetector compares the fields of the *rendered* models (``old_apps`` /
  ``new_apps``), and ``RelatedField.deconstruct`` returns the bound ``remote_field``'s
  ``related_name``/``related_query_name``: ``%(class)s``, ``%(model_name)s`` and
  ``%(app_label)s`` already filled in, and a ``Meta.default_related_name`` copied into
  ``related_name`` when the field names none (``contribute_to_class``). From 4.0 on the
  field's own arguments (``_related_name``) are returned, unformatted;
- before 5.2 ``ManyToManyField.deconstruct`` leaves out ``through_fields``;
- from 6.1 a ``ManyToManyField`` whose target changes is removed and added again instead of
  altered (``generate_altered_fields``: ``target_changed``).

Both sides of a comparison go through the same function, as both go through the same
Django in ``makemigrations``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from djstate.django_version import LATEST, Version

RELATED_NAME_FORMAT_UNTIL: Version = (4, 0)  # bound related_name in deconstruct before this
THROUGH_FIELDS_FROM: Version = (5, 2)  # ManyToManyField.deconstruct writes through_fields
M2M_RETARGET_RECREATES_FROM: Version = (6, 1)  # RemoveField + AddField for a new m2m target


def version_adjust(
    path: str, kwargs: dict[str, Any], version: Version | None, model: Any = None
) -> dict[str, Any]:
    """``kwargs`` (what the newest Django's deconstruct returns for a field of class ``path``)
    as ``version``'s autodetector compares them. ``model`` is the ModelState the field is on
    (its app, class name and Meta options); without it the pre-4.0 formatting is skipped.
    Returns ``kwargs`` itself when nothing changes, else a new dict."""
    version = version or LATEST
    if version >= RELATED_NAME_FORMAT_UNTIL and version >= THROUGH_FIELDS_FROM:
        return kwargs
    out = kwargs
    if version < THROUGH_FIELDS_FROM and "through_fields" in out and _is_many(path, out):
        out = {k: v for k, v in out.items() if k != "through_fields"}
    if version < RELATED_NAME_FORMAT_UNTIL and "to" in out and model is not None:
        out = _bound_related_names(out, model)
    return out


def adjust_field(state: Any, model: Any, version: Version | None) -> Any:
    """A FieldState as ``version`` deconstructs it (the same object when nothing changes)."""
    kwargs = version_adjust(state.path, state.kwargs, version, model)
    return state if kwargs is state.kwargs else replace(state, kwargs=kwargs)


def alter_operations(old: Any, new: Any, changed: set[str], version: Version | None) -> tuple[str, ...]:
    """The operations ``generate_altered_fields`` writes for a field whose deconstruct changed:
    AlterField, or from 6.1 RemoveField + AddField for a many-to-many given a new target."""
    version = version or LATEST
    if (
        version >= M2M_RETARGET_RECREATES_FROM
        and "to" in changed
        and _is_many(old.path, old.kwargs)
        and _is_many(new.path, new.kwargs)
    ):
        return ("RemoveField", "AddField")
    return ("AlterField",)


def _is_many(path: str, kwargs: dict[str, Any]) -> bool:
    """A many-to-many field (custom subclasses too): a relation without ``on_delete``."""
    return "to" in kwargs and "on_delete" not in kwargs


def _bound_related_names(kwargs: dict[str, Any], model: Any) -> dict[str, Any]:
    """``RelatedField.contribute_to_class`` before 4.0, as its deconstruct then shows it."""
    app = str(getattr(model, "app", "")).lower()
    name = str(getattr(model, "name", "")).lower()
    options = getattr(model, "options", {}) or {}
    out = dict(kwargs)
    related = out.get("related_name")
    if not related:
        default = options.get("default_related_name")
        related = default if isinstance(default, str) and default else None
    if isinstance(related, str):
        out["related_name"] = _format(related, {"class": name, "model_name": name, "app_label": app})
    query = out.get("related_query_name")
    if isinstance(query, str) and query:
        out["related_query_name"] = _format(query, {"class": name, "app_label": app})
    return out if out != kwargs else kwargs


def _format(template: str, values: dict[str, str]) -> str:
    if "%" not in template:
        return template
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        return template  # Django would raise while loading the models; not ours to judge
