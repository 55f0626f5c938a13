"""What changes between Django versions in what ``makemigrations`` compares.

``djstate.state.fields.deconstruct`` and the drift comparison follow the newest Django
(``djstate.django_version.LATEST``). The functions here turn that into what an older
version's autodetector sees; docs/django-versions.md lists every difference found in
Django's source and which ones are applied here:

- before 4.0 the autodetector compares the fields of the *rendered* models (``old_apps`` /
  ``new_apps``), and ``RelatedField.deconstruct`` returns the bound ``remote_field``'s
  ``related_name``/``related_query_name``: ``%(class)s``, ``%(model_name)s`` and
  ``%(app_label)s`` already filled in, and a ``Meta.default_related_name`` copied into
  ``related_name`` when the field names none (``contribute_to_class``); a many-to-many
  whose reverse relation is hidden (``related_name`` ending in ``+``) is renamed
  ``_<app>_<class>_<field>_+``. From 4.0 on the field's own arguments (``_related_name``)
  are returned, unformatted. A many-to-many to its own model is symmetrical unless it says
  otherwise, which deconstruct does not keep: before 4.0 such a field is not judged;
- before 5.2 ``ManyToManyField.deconstruct`` leaves out ``through_fields``;
- before 5.1 ``Meta.index_together`` is compared like ``unique_together``
  (``AlterIndexTogether``); 5.1 removed the option;
- from 4.1 an index that only changes its name is renamed (``RenameIndex``); before, it is
  removed and added again;
- from 5.2 a constraint whose only change is ``violation_error_message`` or
  ``violation_error_code`` (``non_db_attrs``) is altered (``AlterConstraint``, no SQL), not
  removed and added again;
- from 6.1 a ``ManyToManyField`` whose target changes is removed and added again instead of
  altered (``generate_altered_fields``: ``target_changed``).

Both sides of a comparison go through the same function, as both go through the same
Django in ``makemigrations``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from djstate.django_version import LATEST, Version
from djstate.facts.values import Call, render

RELATED_NAME_FORMAT_UNTIL: Version = (4, 0)  # bound related_name in deconstruct before this
THROUGH_FIELDS_FROM: Version = (5, 2)  # ManyToManyField.deconstruct writes through_fields
M2M_RETARGET_RECREATES_FROM: Version = (6, 1)  # RemoveField + AddField for a new m2m target
RENAME_INDEX_FROM: Version = (4, 1)  # generate_renamed_indexes
INDEX_TOGETHER_UNTIL: Version = (5, 1)  # Meta.index_together and AlterIndexTogether
ALTER_CONSTRAINT_FROM: Version = (5, 2)  # AlterConstraint for a change of non_db_attrs only
NON_DB_ATTRS = ("violation_error_code", "violation_error_message")  # BaseConstraint.non_db_attrs


def version_adjust(
    path: str, kwargs: dict[str, Any], version: Version | None, model: Any = None, name: str = ""
) -> dict[str, Any] | None:
    """``kwargs`` (what the newest Django's deconstruct returns for a field of class ``path``)
    as ``version``'s autodetector compares them. ``model`` is the ModelState the field is on
    (its app, class name and Meta options) and ``name`` the field's; without a model the
    pre-4.0 formatting is skipped. Returns ``kwargs`` itself when nothing changes, a new dict
    when something does, None when that version's value cannot be known statically."""
    version = version or LATEST
    if version >= RELATED_NAME_FORMAT_UNTIL and version >= THROUGH_FIELDS_FROM:
        return kwargs
    out = kwargs
    if version < THROUGH_FIELDS_FROM and "through_fields" in out and _is_many(path, out):
        out = {k: v for k, v in out.items() if k != "through_fields"}
    if version < RELATED_NAME_FORMAT_UNTIL and "to" in out and model is not None:
        out = _bound_related_names(out, model, name)
    return out


def adjust_field(state: Any, model: Any, version: Version | None, name: str = "") -> Any:
    """A FieldState as ``version`` deconstructs it (the same object when nothing changes;
    ``known=False`` when that version's value cannot be known)."""
    kwargs = version_adjust(state.path, state.kwargs, version, model, name)
    if kwargs is None:
        return replace(state, known=False)
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


def together_options(version: Version | None) -> tuple[str, ...]:
    """The ``*_together`` Meta options that autodetector compares."""
    return ("unique_together",) if (version or LATEST) >= INDEX_TOGETHER_UNTIL else ("unique_together", "index_together")


def renames_indexes(version: Version | None) -> bool:
    """Whether that autodetector writes RenameIndex for an index whose name alone changed."""
    return (version or LATEST) >= RENAME_INDEX_FROM


def changed_object(option: str, olds: Any, news: Any, name: str, version: Version | None) -> tuple[str, bool]:
    """The operation for an index or constraint of Meta whose definition changed (same name),
    and whether it changes the database: RemoveX+AddX, or from 5.2 ``AlterConstraint``
    when only ``non_db_attrs`` differ (``_constraint_should_be_dropped_and_recreated``)."""
    version = version or LATEST
    if option == "constraints" and version >= ALTER_CONSTRAINT_FROM:
        old, new = _named(olds, name), _named(news, name)
        if old is not None and new is not None and _db_part(old) == _db_part(new):
            return "AlterConstraint", False
    return ("RemoveIndex+AddIndex", True) if option == "indexes" else ("RemoveConstraint+AddConstraint", True)


def _named(objects: Any, name: str) -> Call | None:
    for obj in objects if isinstance(objects, list) else ():
        if isinstance(obj, Call) and obj.kwargs.get("name") == name:
            return obj
    return None


def _db_part(call: Call) -> str:
    return render(Call(call.path, call.args, {k: v for k, v in call.kwargs.items() if k not in NON_DB_ATTRS}))


def _is_many(path: str, kwargs: dict[str, Any]) -> bool:
    """A many-to-many field (custom subclasses too): a relation without ``on_delete``."""
    return "to" in kwargs and "on_delete" not in kwargs


def _bound_related_names(kwargs: dict[str, Any], model: Any, field_name: str) -> dict[str, Any] | None:
    """``ManyToManyField``/``RelatedField.contribute_to_class`` before 4.0, as deconstruct
    then shows it (both sides of the autodetector are rendered models)."""
    app_label = str(getattr(model, "app", ""))
    app = app_label.lower()
    name = str(getattr(model, "name", "")).lower()
    options = getattr(model, "options", {}) or {}
    out = dict(kwargs)
    related = out.get("related_name")
    if not related:
        default = options.get("default_related_name")
        related = default if isinstance(default, str) and default else None
    if isinstance(related, str):
        related = out["related_name"] = _format(related, {"class": name, "model_name": name, "app_label": app})
    if _is_many("", out):
        hidden = isinstance(related, str) and related.endswith("+")
        to = out.get("to")
        if not hidden and isinstance(to, str) and to.lower() == f"{app}.{name}":
            return None  # symmetrical or not: Django 3.2 renames only the symmetrical ones
        if hidden:
            out["related_name"] = f"_{app_label}_{name}_{field_name}_+"
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
