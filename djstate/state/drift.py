"""Models vs migrations: the operations Django's ``makemigrations`` would write, statically.

Compares the models state with the migrations' leaf state the way ``MigrationAutodetector``
does (created/deleted models, added/removed/altered fields, Meta options, indexes,
constraints, managers) and splits what changes the database (errors) from what only
changes Django's state (warnings). Anything either side marks unverified is skipped and
counted, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from djstate.facts.model import Span
from djstate.facts.values import Call, Opaque, Ref, is_known, render
from djstate.isolate import InternalError, isolated
from djstate.markers import FIELD_CHANGED
from djstate.unverified import Unjudged
from djstate.state import old_django
from djstate.state.custom_fields import UnknownFieldState
from djstate.state.fields import FieldState, django_field_name
from djstate.state.static_values import comparable
from djstate.state.project import ALTER_OPTION_KEYS, UNKNOWN_FIELD_NAME, ModelState, normalize_together
from djstate.state.stream_field import BLOCKS, STREAM_FIELD
from djstate.state.swappable import same_swappable_target
from djstate.state.versions import adjust_field, alter_operations, changed_object, renames_indexes, together_options

# Field kwargs whose change alters the database schema (the rest only alter Django's state).
DATABASE_KWARGS = {
    "max_length", "null", "unique", "db_index", "db_column", "db_default", "to", "on_delete",
    "db_constraint", "primary_key", "max_digits", "decimal_places", "db_collation", "db_comment",
    "db_tablespace", "through", "db_table", "to_field", "expression", "output_field", "db_persist",
    "auto_created", "parent_link", "srid", "dim", "geography", "base_field", "size",
}  # fmt: skip
# fields that packages add to models at runtime, so migrations have them and classes do not
RUNTIME_FIELDS = {"lft", "rght", "tree_id", "level"}
# What projects that patch Field.deconstruct / ALTER_OPTION_KEYS (NetBox, pretix) leave out
# of their migrations: the presentation attributes. Everything else is still compared.
PATCH_EXEMPT_KWARGS = {"verbose_name", "help_text", "choices", "validators", "editable", "blank"}
PATCH_EXEMPT_OPTIONS = {
    "verbose_name", "verbose_name_plural", "ordering", "get_latest_by", "default_manager_name",
    "permissions", "default_permissions",
}  # fmt: skip
# django-modeltranslation's per-language copies: title_en, title_pt_br
_TRANSLATED = re.compile(r"^(\w+?)_[a-z]{2}(?:_[a-z]{2,4})?$")


@dataclass(frozen=True)
class Drift:
    operation: str  # what makemigrations would write: AddField, AlterField, ...
    severity: str  # "error": the database differs; "warning": only Django's state does
    app: str
    model: str
    field: str | None
    detail: str
    path: str  # where to report: the models file, or a migration when the class is gone
    span: Span


@dataclass
class DriftResult:
    drifts: list[Drift]
    unverified: int
    internal_errors: list[InternalError] = field(default_factory=list)  # models not compared
    unjudged: list[Unjudged] = field(default_factory=list)  # what was skipped, and why
    models_compared: int = 0  # models of migrated apps that were compared whole
    models_total: int = 0


def compare_states(
    models_state: Any,
    migrations_state: Any,
    apps: dict,
    runtime_fields: set[str],
    migration_paths: dict,
    class_exists: Any = lambda app, name: False,
    ignore_to: frozenset = frozenset(),
    django_version: tuple[int, int] | None = None,  # whose autodetector; None: the newest
) -> DriftResult:
    drifts: list[Drift] = []
    unjudged: list[Unjudged] = []
    errors: list[InternalError] = []

    def skip(key: tuple[str, str], model: ModelState, what: str) -> None:
        """A model not compared: why the models side or the migrations side is unknown."""
        reason, detail = models_state.why.get(key) or migrations_state.why(*key)
        unjudged.append(Unjudged(reason, f"{what} {model.app}.{model.name}", *_place(model.origin), detail))

    labels = {label for label, app in apps.items() if app.migrated and not app.external}
    ours = {k: m for k, m in models_state.models.items() if k[0] in labels}
    theirs = {k: m for k, m in migrations_state.models.items() if k[0] in labels}
    uncertain_apps = {k[0] for k in models_state.unverified_models} | set(migrations_state.uncertain_apps)

    for key in sorted(set(ours) - set(theirs)):
        model = ours[key]
        if key in models_state.abstract_from_settings:
            unjudged.append(Unjudged("settings-value", f"model {model.app}.{model.name}", model.origin[0] if model.origin else "",
                                     0, "Meta.abstract computed from settings and no migration creates it"))
            continue
        if key in models_state.unverified_models or migrations_state.is_uncertain(*key):
            skip(key, model, "model")
            continue
        with _unit(errors, model):
            table = model.options.get("managed", True) is not False and model.options.get("proxy") is not True
            drifts.append(
                _at_model(model, "CreateModel", "error" if table else "warning",
                          f"model {model.app}.{model.name} has no migration")
            )  # fmt: skip

    for key in sorted(set(theirs) - set(ours)):
        model = theirs[key]
        generated = ("@historical" in runtime_fields and key[1].startswith("historical")) or (
            "@hierarkey" in runtime_fields and key[1].endswith("_settingsstore")) or key in getattr(models_state, "generated", {})
        if (
            generated
            or key[0] in uncertain_apps
            or key[1] in models_state.class_names.get(key[0], set())
            or class_exists(key[0], model.name)
        ):
            # a class of that name exists: maybe a model djstate cannot see
            detail = "a model a package generates at runtime (simple-history, hierarkey, parler)" if generated else (
                "its app's models are not all known" if key[0] in uncertain_apps else
                f"a class or factory call named {model.name} exists but is not read as a model")
            reason = "runtime-attribute" if generated else "base-outside-tree" if key[0] not in uncertain_apps else (
                migrations_state.why(key[0], key[1])[0] if key[0] in migrations_state.uncertain_apps else "base-outside-tree")
            unjudged.append(Unjudged(reason, f"deletion of {model.app}.{model.name}", detail=detail))
            continue
        path, span = _migration_origin(model, migration_paths)
        with _unit(errors, model, (path, span)):
            table = model.options.get("managed", True) is not False and model.options.get("proxy") is not True
            drifts.append(
                Drift("DeleteModel", "error" if table else "warning", model.app, model.name, None,
                      f"migrations create {model.app}.{model.name}, but no model class defines it", path, span)
            )  # fmt: skip

    for key in sorted(set(ours) & set(theirs)):
        mine, old = ours[key], theirs[key]
        if key in models_state.unverified_models or migrations_state.is_uncertain(*key):
            skip(key, mine, "model")
            continue
        with _unit(errors, mine) as outcome:  # all or nothing
            found_fields, skipped_fields = [], []
            unmanaged = any(m.options.get("managed", True) is False or m.options.get("proxy") is True for m in (mine, old))
            if not unmanaged:  # Django compares the fields of managed, concrete models only
                partial = key in models_state.partial_models
                branched = {f for a, m, f in getattr(migrations_state, "uncertain_fields", ()) if (a, m) == key}
                found_fields, skipped_fields = _fields(mine, old, runtime_fields, partial, ignore_to, django_version, branched)
            found, skipped = _options(mine, old, "@deconstruct-patched" in runtime_fields, not unmanaged, django_version,
                                      managers_known=key not in models_state.partial_models)
        if not outcome.failed:
            drifts += found_fields + found
            unjudged += skipped_fields + skipped
    total = len(set(ours) | set(theirs))
    skipped_models = sum(1 for u in unjudged if u.unit.startswith(("model ", "deletion of ")))
    return DriftResult(drifts, len(unjudged), errors, unjudged, total - skipped_models, total)


# Django creates `id` or `<parent>_ptr` only when no field is the primary key or parent link
_AUTO_UNKNOWN = "an attribute djstate cannot place may be the model's primary key or parent link"


def _place(*origins: tuple | None) -> tuple[str, int]:
    """(file, line) of the first origin that names a source file (a migration's origin names
    its migration key instead)."""
    for origin in origins:
        if origin and isinstance(origin[0], str):
            return origin[0], getattr(origin[1], "line", 0)
    return "", 0


def _unit(errors: list[InternalError], model: ModelState, where: tuple | None = None):
    """One model's comparison, isolated: an unforeseen shape skips only that model."""
    path, span = where or model.origin or ("", None)
    return isolated(errors, f"model {model.app}.{model.name}", path, getattr(span, "line", 0))


def _at_model(model: ModelState, operation: str, severity: str, detail: str, field: str | None = None) -> Drift:
    path, span = model.origin if model.origin else ("", Span())
    if field and field in model.fields and model.fields[field].origin:
        path, span = model.fields[field].origin
    return Drift(operation, severity, model.app, model.name, field, detail, path, span)


def _migration_origin(model: ModelState, migration_paths: dict) -> tuple[str, Span]:
    if model.origin:
        name, span = model.origin
        for key, path in migration_paths.items():
            if key == (model.app, name):
                return path, span
    return "", Span()


def _fields(
    mine: ModelState, old: ModelState, runtime_fields: set[str], partial: bool, ignore_to: frozenset,
    django_version: tuple[int, int] | None = None, branched: set[str] = frozenset(),
) -> tuple[list[Drift], list[Unjudged]]:
    drifts = []
    skipped: list[Unjudged] = []
    named = _named_parent_link(mine, old)
    if named is not old:  # the computed name is the parent link's: every name is known
        old, branched = named, branched - {UNKNOWN_FIELD_NAME}

    def skip(reason: str, name: str, detail: str = "") -> None:
        state = mine.fields.get(name)
        place = _place(state.origin if state is not None else None, mine.origin)
        skipped.append(Unjudged(reason, f"field {mine.app}.{mine.name}.{name}", *place, detail))

    for name in sorted(branched & (mine.fields.keys() | old.fields.keys())):
        skip("runtime-migration", name, "a migration changes it under an import-time condition")

    patched = "@deconstruct-patched" in runtime_fields
    for name in mine.fields:
        if name in branched:
            continue
        if name not in old.fields:
            state = mine.fields[name]
            if UNKNOWN_FIELD_NAME in branched:  # it may be the field whose name the migration computes
                skip("unknowable-value", name, "a migration of this model names a field with a value computed at import time")
                continue
            if partial and state.kwargs.get("auto_created") is True:
                skip("maybe-field", name, _AUTO_UNKNOWN)
                continue
            if not state.certain:
                # a custom field that may not have a column (contribute_to_class)
                skip("unknown-field-class", name, f"{state.path} may add no column")
                continue
            severity = "warning" if _is_virtual(state) else "error"
            drifts.append(_at_model(mine, "AddField", severity, f"field {name} has no migration", name))
    for name in old.fields:
        if name in branched:
            continue
        if name not in mine.fields:
            translated = "@modeltranslation" in runtime_fields and _TRANSLATED.match(name) and (
                _TRANSLATED.match(name).group(1) in mine.fields
            )
            if partial or translated or name in runtime_fields or name in RUNTIME_FIELDS:
                skip("maybe-field" if partial else "runtime-attribute", name,
                     "the model has attributes djstate cannot place" if partial else "added at runtime")
                continue
            drifts.append(
                _at_model(mine, "RemoveField", "error",
                          f"migrations have field {name}, which the model no longer defines", name)
            )  # fmt: skip
    for name in [n for n in mine.fields if n in old.fields and n not in branched]:  # in field order: a set's follows the hash seed
        # as that Django's deconstruct shows them (djstate.state.versions)
        if partial and mine.fields[name].kwargs.get("auto_created") is True:
            skip("maybe-field", name, _AUTO_UNKNOWN)
            continue
        if FIELD_CHANGED + name in runtime_fields:  # `X._meta.get_field(name).option = ...` somewhere
            skip("runtime-attribute", name, "code changes this field's options at import time (_meta.get_field(...))")
            continue
        new_f, old_f = adjust_field(mine.fields[name], mine, django_version, name), adjust_field(old.fields[name], old, django_version, name)
        if old_django.is_old(django_version):  # on_delete was optional before 2.0: CASCADE
            new_f, old_f = old_django.with_default_on_delete(new_f), old_django.with_default_on_delete(old_f)
        # settings may swap the target: the rest is compared, and `to` only against a migration
        # naming it by the same swapper.get_model_name (both follow the same setting)
        if new_f.swappable_to and "to" in new_f.kwargs and not same_swappable_target(new_f, old_f):
            new_f = replace(new_f, kwargs={**new_f.kwargs, "to": Opaque("swapper.get_model_name(...)")}, known=False)
        whole = new_f.known and old_f.known and new_f.certain and old_f.certain
        if not whole and not (_partly_known(new_f) and _partly_known(old_f)):
            unknown = next(f for f in (new_f, old_f) if not (f.known and f.certain))
            skip(*_why_unknown(unknown, name))
            continue
        unjudged_leaves: set[str] = set()
        if not whole:  # a leaf is compared only as a literal on both sides (not Choices(...))
            kept_new, kept_old = _literal_leaves(new_f, old_f), _literal_leaves(old_f, new_f)
            unjudged_leaves = (new_f.kwargs.keys() - kept_new.kwargs.keys()) | (old_f.kwargs.keys() - kept_old.kwargs.keys())
            new_f, old_f = kept_new, kept_old
        changes = _field_changes(new_f, old_f, ignore_to)
        if changes is None:
            skip("unknowable-value", name, "a kwarg djstate cannot compute")
            continue
        if not whole and not changes:  # the kwargs it knows agree: the others stay unjudged
            skip(*_why_unknown(next(f for f in (new_f, old_f) if not f.known), name))
            continue
        if changes and old_django.is_old(django_version):  # only what that Django deconstructs the same way
            changes, differ = old_django.split_changes(changes)
            if differ:
                skip("django-version", name, old_django.unjudged_detail(django_version, ", ".join(differ)))
        if changes:
            if patched:  # the project's own deconstruct drops these state-only attributes
                changes = [c for c in changes if c[0] not in PATCH_EXEMPT_KWARGS and not _same_unpatched(c[0], new_f, old_f)]
                guessed = [c for c in changes if _dropped_by_type(c, new_f)]
                if guessed:
                    changes = [c for c in changes if c not in guessed]
                    skip("runtime-attribute", name, f"the patched Field.deconstruct may drop {', '.join(c[0] for c in guessed)}")
                if not changes:
                    if unjudged_leaves - PATCH_EXEMPT_KWARGS:  # what it cannot compare may still reach the migration
                        skip(*_why_unknown(next(f for f in (new_f, old_f) if not f.known), name))
                    continue
            database = any((k in DATABASE_KWARGS or k == "class") and not _pk_to_field(k, a, b, new_f) for k, a, b in changes)
            text = ", ".join(f"{k}: {a} -> {b}" for k, a, b in changes)
            for operation in alter_operations(old_f, new_f, {k for k, _, _ in changes}, django_version):
                drifts.append(_at_model(mine, operation, "error" if database else "warning", f"field {name} changed: {text}", name))
    return drifts, skipped


def _named_parent_link(mine: ModelState, old: ModelState) -> ModelState:
    """The migrations' model with its one field of a computed name (``f"{page}_ptr"``) named
    as the model's parent link, when that field is a parent link too and the model has exactly
    one parent link no migration names: a concrete model has one link to each concrete parent."""
    unnamed = old.fields.get(UNKNOWN_FIELD_NAME)
    links = [n for n, f in mine.fields.items() if n not in old.fields and f.kwargs.get("parent_link") is True]
    if unnamed is None or unnamed.kwargs.get("parent_link") is not True or len(links) != 1:
        return old
    if any(f.kwargs.get("parent_link") is True for n, f in old.fields.items() if n != UNKNOWN_FIELD_NAME):
        return old
    fields = {(links[0] if n == UNKNOWN_FIELD_NAME else n): f for n, f in old.fields.items()}
    return replace(old, fields=fields)


def _same_unpatched(key: str, new: FieldState, old: FieldState) -> bool:
    """A field-valued kwarg (ArrayField's base_field) that differs only in what a patched
    ``Field.deconstruct`` drops: the nested field is deconstructed by the same patched method."""
    a, b = new.kwargs.get(key), old.kwargs.get(key)
    if not (isinstance(a, Call) and isinstance(b, Call)):
        return False

    def kept(call: Call) -> str:
        return render(Call(call.path, call.args, {k: v for k, v in call.kwargs.items() if k not in PATCH_EXEMPT_KWARGS}))

    return kept(a) == kept(b)


# kwargs of Django's fields that no other deconstructed kwarg depends on: one computed at
# runtime (netbox's choices=ChoiceSet, a default from a function, a relation's
# to=get_image_model_string()) leaves the others comparable
LEAF_KWARGS = frozenset({"choices", "default", "db_default", "verbose_name", "help_text", "validators", "upload_to",
                         "db_comment", "error_messages", "max_length", "to", BLOCKS})  # BLOCKS: a StreamField's blocks


def _literal(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_literal(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _literal_leaves(state: FieldState, other: FieldState) -> FieldState:
    """The field without the leaf kwargs that are not literals on both sides."""
    kept = {k: v for k, v in state.kwargs.items()
            if k not in LEAF_KWARGS or (_literal(v) and (k not in other.kwargs or _literal(other.kwargs[k])))}
    return replace(state, kwargs=kept)


def _partly_known(state: FieldState) -> bool:
    """A field of Django's own whose only unknown values are leaf kwargs: the rest is compared
    (``_field_changes`` leaves out what one side cannot know)."""
    if state.known:
        return state.certain
    return (
        state.certain and not isinstance(state, UnknownFieldState)
        and (django_field_name(state.path) is not None or state.path == STREAM_FIELD)
        and all(is_known(v) for k, v in state.kwargs.items() if k not in LEAF_KWARGS)
        # the unknown must be a leaf's value: a field unknown with every kwarg known (a symmetrical
        # self M2M's related_name Django 3.2 computes) is unknown for what is not written
        and any(not is_known(v) for k, v in state.kwargs.items() if k in LEAF_KWARGS)
    )  # fmt: skip


def _why_unknown(state: FieldState, name: str) -> tuple[str, str, str]:
    """(reason, field name, detail) for a field whose deconstruct djstate cannot know."""
    if state.known:
        return "settings-value", name, f"{state.path} is chosen by settings or code"
    if isinstance(state, UnknownFieldState):  # a field class of the tree, not (fully) replayed
        return state.reason, name, f"{state.path}: {state.why}"
    if django_field_name(state.path) is None and state.path != STREAM_FIELD:
        return "unknown-field-class", name, state.path
    key = next((k for k, v in state.kwargs.items() if not is_known(v)), None)
    if key is None and state.path == STREAM_FIELD:  # its other kwargs agree
        return "unknowable-value", name, f"{STREAM_FIELD}: its block definitions are not compared"
    value = render(state.kwargs[key])[:60] if key else ""
    return "unknowable-value", name, f"{key}={value}" if key else state.path


def _dropped_by_type(change: tuple[str, str, str], new: FieldState) -> bool:
    """A kwarg the migration lacks whose value is an instance of a project class: a patched
    deconstruct may drop kwargs by their value's type (``if not isinstance(v, ConfigItem)``),
    so only what it provably keeps is compared."""
    key, before, _ = change
    value = new.kwargs.get(key)
    return before == "(default)" and isinstance(value, Call) and not value.path.startswith(("django.", "datetime.", "decimal.", "uuid."))


def _pk_to_field(key: str, old: str, new: str, state: FieldState) -> bool:
    """A migration's ``to_field`` naming the target's primary key where the model has none:
    the bound field's deconstruct dropped it, the migration's unbound field keeps it, so
    makemigrations writes an AlterField (Django 5.2 and 6.1) that runs no SQL. With the
    target's primary key unknown, the database change is not claimed either."""
    return key == "to_field" and new == "(default)" and (state.target_pk is None or old == render(state.target_pk))


def _is_virtual(state: FieldState) -> bool:
    """Fields without a column of their own (GenericRelation-like managers)."""
    return state.path.endswith(("TaggableManager",))


def _field_changes(new: FieldState, old: FieldState, ignore_to: frozenset = frozenset()) -> list[tuple[str, str, str]] | None:
    """(kwarg, migrations value, models value) for each difference; None when unknowable."""
    changes = []
    uncertain = False
    if new.path != old.path:
        changes.append(("class", old.path, new.path))
    if [render(a) for a in new.args] != [render(a) for a in old.args]:
        changes.append(("args", render(old.args), render(new.args)))
    for key in sorted(new.kwargs.keys() | old.kwargs.keys()):
        a, b = old.kwargs.get(key, _ABSENT), new.kwargs.get(key, _ABSENT)
        if (a is not _ABSENT and not _knowable(a)) or (b is not _ABSENT and not _knowable(b)):
            continue  # one side cannot be known (runtime code, settings): not compared
        if isinstance(a, Ref) and isinstance(b, Ref) and _same_object(a.path, b.path):
            continue
        if key == "to" and isinstance(a, str) and isinstance(b, str) and (a.lower() == b.lower() or {a, b} & ignore_to):
            continue  # the swappable user model is unknown without settings
        if key == "through" and isinstance(a, str) and isinstance(b, str) and a.lower() == b.lower():
            continue  # both sides name the resolved model (its label keeps the class's case)
        ra = "(default)" if a is _ABSENT else render(a)
        rb = "(default)" if b is _ABSENT else render(b)
        if ra != rb and a is not _ABSENT and b is not _ABSENT:
            ca, cb = comparable(a), comparable(b)  # timedelta(hours=6) == timedelta(seconds=21600)
            if ca is None or cb is None:
                uncertain = True  # a constant or constructor djstate cannot compute
                continue
            if ca == cb:
                continue
        if ra != rb:
            changes.append((key, ra, rb))
    return None if uncertain and not changes else changes


_ABSENT = object()


def _knowable(value: Any) -> bool:
    """Known statically, and not a settings value (``default=settings.X``)."""
    return is_known(value) and "django.conf.settings." not in render(value)


def _same_object(a: str, b: str) -> bool:
    """``data_import.models.f`` and ``label_studio.data_import.models.f``: one module
    imported under two sys.path roots; which one Django sees depends on the runtime path."""
    return a == b or a.endswith("." + b) or b.endswith("." + a)


def _options(
    mine: ModelState, old: ModelState, patched: bool = False, table: bool = True, django_version: tuple[int, int] | None = None,
    managers_known: bool = True,
) -> tuple[list[Drift], list[Unjudged]]:
    """Meta differences; without a table (proxy, unmanaged) no SQL runs, so none is an error."""
    database = "error" if table else "warning"
    drifts: list[Drift] = []
    skipped: list[Unjudged] = []

    def skip(what: str) -> None:
        skipped.append(Unjudged("unknowable-value", f"Meta {what} of {mine.app}.{mine.name}", *_place(mine.origin),
                                "built at runtime or by code djstate cannot evaluate"))
    keys = set(ALTER_OPTION_KEYS) - (PATCH_EXEMPT_OPTIONS if patched else set())
    old_pin = old_django.is_old(django_version)  # indexes, constraints, managers: only said to differ
    if old_pin:
        keys -= old_django.NOT_COMPARED_OPTIONS
    a = {k: v for k, v in old.options.items() if k in keys}
    b = {k: v for k, v in mine.options.items() if k in keys}
    if not all(is_known(v) for v in [*a.values(), *b.values()]):
        skip("options")
    else:
        changed = sorted(k for k in a.keys() | b.keys() if render(a.get(k)) != render(b.get(k)))
        if changed:
            text = ", ".join(f"{k}: {render(a.get(k))} -> {render(b.get(k))}" for k in changed)
            drifts.append(_at_model(mine, "AlterModelOptions", "warning", f"Meta changed: {text}"))
    for option, operation in (("db_table", "AlterModelTable"), ("order_with_respect_to", "AlterOrderWithRespectTo")):
        va, vb = old.options.get(option), mine.options.get(option)
        if is_known(va) and is_known(vb) and render(va) != render(vb):
            drifts.append(_at_model(mine, operation, database, f"{option}: {render(va)} -> {render(vb)}"))
    for option in together_options(django_version):
        va, vb = _together(old.options.get(option)), _together(mine.options.get(option))
        if va is None or vb is None:
            skip(option)
        elif va != vb:
            operation = "AlterUniqueTogether" if option == "unique_together" else "AlterIndexTogether"
            drifts.append(_at_model(mine, operation, database, f"{option}: {sorted(va)} -> {sorted(vb)}"))
    for option, add, remove in (("indexes", "AddIndex", "RemoveIndex"), ("constraints", "AddConstraint", "RemoveConstraint")):
        olds, news = _by_name(old.options.get(option, [])), _by_name(mine.options.get(option, []))
        if old_pin:
            if render(old.options.get(option) or []) != render(mine.options.get(option) or []):
                skipped.append(Unjudged("django-version", f"Meta {option} of {mine.app}.{mine.name}", *_place(mine.origin),
                                        old_django.unjudged_detail(django_version, option)))
            continue
        if olds is None or news is None:
            skip(option)
            continue
        added, removed = sorted(news.keys() - olds.keys()), sorted(olds.keys() - news.keys())
        if option == "indexes" and renames_indexes(django_version):  # the autodetector's generate_renamed_indexes
            for name in list(added):
                old_name = next((o for o in removed if _unnamed(olds[o], o) == _unnamed(news[name], name)), None)
                if old_name is not None:
                    added.remove(name)
                    removed.remove(old_name)
                    drifts.append(_at_model(mine, "RenameIndex", database, f"index {old_name} is named {name} in Meta"))
        for name in added:
            drifts.append(_at_model(mine, add, database, f"{option[:-1]} {name} has no migration"))
        for name in removed:
            drifts.append(_at_model(mine, remove, database, f"migrations have {option[:-1]} {name}, which Meta no longer defines"))
        for name in sorted(olds.keys() & news.keys()):
            if olds[name] != news[name]:
                operation, schema = changed_object(option, old.options.get(option), mine.options.get(option), name, django_version)
                drifts.append(_at_model(mine, operation, database if schema else "warning", f"{option[:-1]} {name} changed: {olds[name]} -> {news[name]}"))
    managers_a = [(n, render(m)) for n, m in old.managers]
    managers_b = [(n, render(m)) for n, m in mine.managers]
    if managers_a != managers_b and old_pin:
        skipped.append(Unjudged("django-version", f"managers of {mine.app}.{mine.name}", *_place(mine.origin),
                                old_django.unjudged_detail(django_version, "managers")))
    elif managers_a != managers_b and not managers_known:  # an attribute djstate cannot place may be a manager
        skipped.append(Unjudged("maybe-field", f"managers of {mine.app}.{mine.name}", *_place(mine.origin),
                                "the model has attributes djstate cannot place"))
    elif managers_a != managers_b and all(is_known(m) for _, m in [*old.managers, *mine.managers]):
        drifts.append(_at_model(mine, "AlterModelManagers", "warning", f"managers: {managers_a} -> {managers_b}"))
    return drifts, skipped


def _together(value: Any) -> frozenset | None:
    if not value:
        return frozenset()
    if not is_known(value):
        return None
    try:
        return frozenset(tuple(t) for t in normalize_together(value))
    except TypeError:
        return None


def _unnamed(rendered: str, name: str) -> str:
    return rendered.replace(f"name={name!r}", "name=?", 1)


def _by_name(objects: Any) -> dict[str, str] | None:
    if not isinstance(objects, list) or not is_known(objects):
        return None
    out = {}
    for obj in objects:
        if not isinstance(obj, Call) or not isinstance(obj.kwargs.get("name"), str):
            return None
        out[obj.kwargs["name"]] = render(obj)
    return out
