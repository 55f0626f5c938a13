"""The schema state: migrations replayed in Django's order into models, as ``ProjectState``.

Each operation does what its ``state_forwards`` does in Django. Where Django would crash or
the database would reject the migration (an operation on a missing model or field, a
duplicate), the replay records a :class:`ReplayIssue` and carries on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from djstate.django_version import version_verdict
from djstate.facts.model import MigrationFile, Operation, Span
from djstate.facts.operations import STATE_FREE, operation_kind
from djstate.facts.values import Call, Opaque, Ref, render
from djstate.isolate import InternalError, isolated
from djstate.state.custom_fields import CustomFields, UnknownFieldState
from djstate.state.fields import FieldState, deconstruct, django_field_name, relation_target_text
from djstate.state.graph import Key
from djstate.state.objects import normalise_object
from djstate.state.paths import canonical_value
from djstate.unverified import Unjudged
from djstate.state.resolve import Resolver
from djstate.state.swappable import swapper_target

MODEL_BASE = Ref("django.db.models.base.Model")
DEFAULT_MANAGERS: list = []

ALTER_OPTION_KEYS = (
    "base_manager_name", "default_manager_name", "default_related_name", "get_latest_by",
    "managed", "ordering", "permissions", "default_permissions", "select_on_save",
    "verbose_name", "verbose_name_plural",
)  # fmt: skip

SETTINGS_PREFIX = "django.conf.settings."
# Migration attributes that only order the plan (``replaces`` and ``operations`` change more)
ORDER_ATTRIBUTES = {"dependencies", "run_before"}


@dataclass
class ModelState:
    app: str
    name: str
    fields: dict[str, FieldState]
    options: dict[str, Any]
    bases: list
    managers: list
    origin: tuple[str, Span] | None = None  # where it was created

    @property
    def name_lower(self) -> str:
        return self.name.lower()


@dataclass
class ReplayIssue:
    kind: str  # missing-model, missing-field, duplicate-model, duplicate-field
    migration: Key
    span: Span
    app: str
    model: str
    field: str | None
    message: str


# the name of a field whose name a migration computes at import time (f"{model}_ptr")
UNKNOWN_FIELD_NAME = "?"


@dataclass
class ProjectState:
    models: dict[tuple[str, str], ModelState] = field(default_factory=dict)
    issues: list[ReplayIssue] = field(default_factory=list)
    # models (app, name_lower) and apps touched by operations djstate does not know
    uncertain_models: set[tuple[str, str]] = field(default_factory=set)
    uncertain_apps: set[str] = field(default_factory=set)
    # fields (app, model, name) an import-time branch adds or alters differently:
    # only they are unknown, the model and its other fields are replayed (label-studio's
    # search_vector: a GeneratedField on PostgreSQL, a TextField elsewhere)
    uncertain_fields: set[tuple[str, str, str]] = field(default_factory=set)
    unverified: int = 0
    internal_errors: list[InternalError] = field(default_factory=list)  # migrations not replayed
    unjudged: list = field(default_factory=list)  # Unjudged: what the replay could not know, and why
    # why an app or model is uncertain (app or (app, model) -> (reason, detail)): drift cites it
    uncertain_why: dict = field(default_factory=dict)
    # relations whose target did not exist yet when their operation ran on the database:
    # (migration, span, app, model, field, target)
    early_relations: list[tuple] = field(default_factory=list)

    def is_uncertain(self, app: str, model: str) -> bool:
        return app in self.uncertain_apps or (app, model.lower()) in self.uncertain_models

    def note(self, reason: str, unit: str, detail: str = "") -> None:
        self.unverified += 1
        self.unjudged.append(Unjudged(reason, unit, detail=detail))

    def why(self, app: str, model: str) -> tuple[str, str]:
        return self.uncertain_why.get((app, model.lower())) or self.uncertain_why.get(app) or ("runtime-migration", "")


# not one of Django's plain fields: a relation, or a class of the project's that may be one
_NOT_PLAIN = (None, "ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject")


def _plain_field_target(op: Operation) -> tuple[str, str] | None:
    """(model_name, name) of an AddField or AlterField of Django's whose field is one of Django's
    and no relation (a relation's reverse accessor and target would be uncertain too)."""
    if not op.known or op.kind not in ("AddField", "AlterField") or op.nested:
        return None
    model, name, value = op.args.get("model_name"), op.args.get("name"), canonical_value(op.args.get("field"))
    if not (isinstance(model, str) and isinstance(name, str) and isinstance(value, Call)):
        return None
    if "to" in value.kwargs or django_field_name(value.path) in _NOT_PLAIN:
        return None  # a relation, or a field class of the project's that may be one
    return model, name


def resolve_relation(target: Any, app: str, model: str) -> tuple[str, str] | None:
    """A relation's target as (app, name_lower), like ``django.db.models.utils.resolve_relation``."""
    if not isinstance(target, str):
        return None
    if target == "self":
        return app, model.lower()
    if "." in target:
        target_app, name = target.split(".", 1)
        return target_app, name.lower()
    return app, target.lower()


class Replayer:
    """Folds migrations into a :class:`ProjectState`."""

    def __init__(self, resolve_setting: Callable[[str], str | None], resolver: Resolver | None = None) -> None:
        self.resolve_setting = resolve_setting
        self.resolver = resolver or Resolver({}, lambda path, module: None)
        self.state = ProjectState()
        self.database = True  # False inside SeparateDatabaseAndState / RunSQL state_operations
        self.custom_fields = CustomFields(self.resolver, self.value)
        self.pinned: set[Key] = set()  # migrations whose computed dependencies leave their app's order known
        self.django_version: Any = None  # DjangoVersion the project is judged as, for `if django.VERSION ...`

    # --- values -------------------------------------------------------------------------------

    def value(self, value: Any) -> Any:
        return normalise_object(self.resolver.value(canonical_value(value)))

    def field_state(self, value: Any, app: str, origin: tuple | None = None) -> FieldState:
        chosen_before = len(self.resolver.settings_choices)
        value = self.resolver.value(canonical_value(value))
        chosen = self.resolver.settings_choices[chosen_before:]  # swapper.get_model_name defaults it names
        if not isinstance(value, Call):
            self.state.note("unknowable-value", f"a field of app {app}", render(value)[:120])
            return FieldState(render(value), {}, (), known=False, origin=origin)
        kwargs = {k: normalise_object(v) for k, v in value.kwargs.items()}
        args = tuple(normalise_object(a) for a in value.args)
        state = self.custom_fields.deconstruct(value.path, args, kwargs, self._settings_targets)
        if state is None:
            targets, kwargs = self._settings_targets(value.path, list(args), kwargs)
            state = deconstruct(value.path, tuple(targets), kwargs)
        state.origin = origin
        if chosen:
            state.swapper_to = swapper_target(value, chosen)  # drift compares it with a models' `to` named alike
        if isinstance(state, UnknownFieldState):
            self.state.note(state.reason, f"a {value.path.rsplit('.', 1)[-1]} of app {app}", f"{value.path}: {state.why}")
        elif not state.known and not _partly_known(state):  # partly known: drift lists it where it compares it
            self.state.note("unknown-field-class", f"a {value.path.rsplit('.', 1)[-1]} of app {app}", value.path)
        return state

    def _settings_targets(self, path: str, args: list, kwargs: dict) -> tuple[list, dict]:
        """A relation's ``to``/``through`` named by a setting (``settings.AUTH_USER_MODEL``),
        as the setting's value when configuration says it."""
        kwargs = dict(kwargs)
        for key in ("to", "through"):
            target = kwargs.get(key)
            if isinstance(target, Ref) and target.path.startswith(SETTINGS_PREFIX):
                resolved = self.resolve_setting(target.path[len(SETTINGS_PREFIX) :])
                kwargs[key] = resolved if resolved is not None else Opaque(render(target))
        if args and path.endswith(("ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey", "ParentalManyToManyField")):
            first = args[0]
            if isinstance(first, Ref) and first.path.startswith(SETTINGS_PREFIX):
                resolved = self.resolve_setting(first.path[len(SETTINGS_PREFIX) :])
                args = [resolved if resolved is not None else Opaque(render(first)), *args[1:]]
        return list(args), kwargs

    # --- replay -------------------------------------------------------------------------------

    def apply(self, key: Key, migration: MigrationFile) -> None:
        computed = set(migration.opaque_attributes)
        if computed and computed <= ORDER_ATTRIBUTES and key in self.pinned:
            # dependencies computed at import time, but every other migration of the app is
            # a known ancestor or descendant: the app's state is replayed in Django's order
            self.state.note("runtime-migration", f"migration {key[0]}.{key[1]}",
                            f"{key[0]}.{key[1]} computes {', '.join(sorted(computed))}; its place in its app is known")
        elif computed:  # operations chosen at runtime, or an order djstate cannot know
            self.state.uncertain_apps.add(key[0])
            detail = f"{key[0]}.{key[1]} computes {', '.join(migration.opaque_attributes)}"
            self.state.uncertain_why.setdefault(key[0], ("runtime-migration", detail))
            self.state.note("runtime-migration", f"migration {key[0]}.{key[1]}", detail)
        operations, chosen = migration.operations, migration.conditional_operations
        verdict = version_verdict(migration.version_test, self.django_version) if migration.version_test else None
        if verdict is not None:  # `if django.VERSION >= (1, 8):` under the Django version judged
            operations, chosen = (migration.operations if verdict else migration.version_false_operations), []
        conditional = [op for op in self._state_operations(chosen)
                       if not (op.known and op.kind in STATE_FREE and not op.nested)]
        fields = [_plain_field_target(op) or self._plain_removed_field(key[0], op) for op in conditional]
        if conditional and all(fields):  # import-time branches that differ in plain fields only
            for target in fields:  # drift lists each as unjudged where it compares the model
                self.state.uncertain_fields.add((key[0], target[0].lower(), target[1]))
        else:
            for op in conditional:  # import-time branches: only what they touch
                self._mark_uncertain(key[0], op)
        for op in operations:
            self.operation(key, op)

    def _plain_removed_field(self, app: str, op: Operation) -> tuple[str, str] | None:
        """(model_name, name) of Django's RemoveField of a field that is, at this point of the
        replay, one of Django's and no relation (activity-stream 0002 removes ``Action.data``
        when a setting says so): whether it exists later is all that is unknown."""
        if not op.known or op.kind != "RemoveField" or op.nested:
            return None
        model, name = op.args.get("model_name"), op.args.get("name")
        found = self.state.models.get((app, model.lower())) if isinstance(model, str) and isinstance(name, str) else None
        state = found.fields.get(name) if found is not None else None
        if state is None or not state.known or "to" in state.kwargs or django_field_name(state.path) in _NOT_PLAIN:
            return None
        return model, name

    def _state_operations(self, ops: list[Operation]) -> list[Operation]:
        """The operations as they change the state: a ``RunSQL``'s or ``SeparateDatabaseAndState``'s
        ``state_operations`` in its place (edx-enterprise 0231 runs an AlterField that way on
        PostgreSQL and MySQL only: that model is uncertain, not its whole app)."""
        out = []
        for op in ops:
            op = self.resolve_custom(op)
            if op.known and op.kind in ("SeparateDatabaseAndState", "RunSQL") and op.nested:
                out += self._state_operations(op.nested)
            else:
                out.append(op)
        return out

    def issue(self, kind: str, key: Key, op: Operation, model: str, field_name: str | None, message: str) -> None:
        app = key[0]
        if self.state.is_uncertain(app, model):
            reason, detail = self.state.why(app, model)
            self.state.note(reason, f"{kind} check of {app}.{model}", detail)
            return
        if field_name is not None and (app, model.lower(), field_name) in self.state.uncertain_fields:
            self.state.note("runtime-migration", f"{kind} check of {app}.{model}.{field_name}", "changed under an import-time condition")
            return
        self.state.issues.append(ReplayIssue(kind, key, op.span, app, model, field_name, message))

    def model(self, key: Key, op: Operation, name: Any) -> ModelState | None:
        app = key[0]
        if not isinstance(name, str):
            self.state.uncertain_apps.add(app)
            return None
        found = self.state.models.get((app, name.lower()))
        if found is None:
            self.issue(
                "missing-model", key, op, name, None,
                f"{op.kind} on model {app}.{name}, which does not exist at this point of the migration history",
            )  # fmt: skip
        return found

    def operation(self, key: Key, op: Operation) -> None:
        app = key[0]
        op = self.resolve_custom(op)
        a = op.args
        kind = op.kind
        models = self.state.models
        if not op.known:
            self._mark_uncertain(app, op)
            return
        if kind in ("SeparateDatabaseAndState", "RunSQL"):
            outer, self.database = self.database, False  # state only: no database_forwards
            try:
                for nested in op.nested:
                    self.operation(key, nested)
            finally:
                self.database = outer
            return
        if kind == "RunPython":
            return
        if kind == "CreateModel":
            name = a.get("name")
            fields = a.get("fields")
            if not isinstance(name, str) or not isinstance(fields, list):
                self._mark_uncertain(app, op)
                return
            if (app, name.lower()) in models and _has_table(models[(app, name.lower())]):
                self.issue(
                    "duplicate-model", key, op, name, None,
                    f"CreateModel of {app}.{name}, which an earlier migration already created",
                )  # fmt: skip
            options = self.value(a.get("options") or {})
            if not isinstance(options, dict):
                options = {}
            options.setdefault("indexes", [])
            options.setdefault("constraints", [])
            bases = self.value(a.get("bases") or (MODEL_BASE,))
            managers = self.value(a.get("managers") or [])
            models[(app, name.lower())] = ModelState(
                app, name,
                {
                    fname if isinstance(fname, str) else UNKNOWN_FIELD_NAME:
                    self.field_state(fvalue, app, (key, op.field_spans.get(fname, op.span) if isinstance(fname, str) else op.span))
                    for fname, fvalue in fields
                    if isinstance(fname, str) or sum(not isinstance(n, str) for n, _ in fields) == 1
                },
                options, list(bases) if isinstance(bases, (list, tuple)) else [bases],
                _manager_pairs(managers),
                origin=(key[1], op.span),
            )  # fmt: skip
            self._check_targets(key, models[(app, name.lower())], [f for f in models[(app, name.lower())].fields if f != UNKNOWN_FIELD_NAME])
            if any(not isinstance(fname, str) for fname, _ in fields):  # a name computed at import time
                self.state.uncertain_fields.add((app, name.lower(), UNKNOWN_FIELD_NAME))
            return
        if kind == "DeleteModel":
            if self.model(key, op, a.get("name")) is not None:
                del models[(app, a["name"].lower())]
            return
        if kind == "RenameModel":
            self._rename_model(key, op)
            return
        model_name = a.get("model_name") if "model_name" in a else a.get("name")
        model = self.model(key, op, model_name)
        if model is None:
            return
        if kind == "AlterModelTable":
            model.options["db_table"] = self.value(a.get("table"))
        elif kind == "AlterModelTableComment":
            model.options["db_table_comment"] = self.value(a.get("table_comment"))
        elif kind in ("AlterUniqueTogether", "AlterIndexTogether"):
            option = "unique_together" if kind == "AlterUniqueTogether" else "index_together"
            value = self.value(a.get(option))
            if value:
                value = frozenset(normalize_together(value))
            model.options[option] = value
        elif kind == "AlterOrderWithRespectTo":
            model.options["order_with_respect_to"] = self.value(a.get("order_with_respect_to"))
        elif kind == "AlterModelOptions":
            new = self.value(a.get("options") or {})
            if not isinstance(new, dict):
                self._mark_uncertain(app, op)
                return
            model.options = {**model.options, **new}
            for option in ALTER_OPTION_KEYS:
                if option not in new:
                    model.options.pop(option, None)
        elif kind == "AlterModelManagers":
            managers = self.value(a.get("managers") or [])
            model.managers = _manager_pairs(managers)
        elif kind in ("AddField", "AlterField"):
            self._add_or_alter_field(key, op, model)
        elif kind == "RemoveField":
            name = a.get("name")
            if not isinstance(name, str):
                self._mark_uncertain(app, op)
            elif name not in model.fields:
                self._missing_field(key, op, model, name)
            else:
                del model.fields[name]
        elif kind == "RenameField":
            self._rename_field(key, op, model)
            if (app, model.name.lower(), a.get("old_name")) in self.state.uncertain_fields and isinstance(a.get("new_name"), str):
                self.state.uncertain_fields.add((app, model.name.lower(), a["new_name"]))  # still not known
        elif kind == "AddIndex":
            model.options["indexes"] = [*model.options.get("indexes", []), self.value(a.get("index"))]
        elif kind == "RemoveIndex":
            model.options["indexes"] = [i for i in model.options.get("indexes", []) if _name(i) != a.get("name")]
        elif kind == "RenameIndex":
            self._rename_index(model, a)
        elif kind == "AddConstraint":
            model.options["constraints"] = [*model.options.get("constraints", []), self.value(a.get("constraint"))]
        elif kind == "RemoveConstraint":
            model.options["constraints"] = [
                c for c in model.options.get("constraints", []) if _name(c) != a.get("name")
            ]
        elif kind == "AlterConstraint":
            new = self.value(a.get("constraint"))
            model.options["constraints"] = [
                new if _name(c) == a.get("name") else c for c in model.options.get("constraints", [])
            ]

    def resolve_custom(self, op: Operation) -> Operation:
        """A custom operation class that inherits a Django operation's state behaviour
        (``class DeleteModelIfExists(migrations.DeleteModel)``) acts as that operation."""
        if op.known:
            return op
        found = self.resolver.operation_class(op.kind)
        if found is None:
            return op
        kind, params = operation_kind(found[0])
        if kind in STATE_FREE and "state_operations" not in op.args:
            return Operation(kind="RunPython", args={}, span=op.span)
        if not found[1]:
            return op  # its own __init__: the arguments cannot be bound
        args = {}
        for name, value in op.args.items():
            if name.startswith("arg") and name[3:].isdigit() and int(name[3:]) < len(params):
                name = params[int(name[3:])]
            args[name] = value
        return Operation(kind=kind, args=args, span=op.span, field_spans=op.field_spans)

    def _mark_uncertain(self, app: str, op: Operation) -> None:
        target = op.args.get("model_name", op.args.get("name"))
        detail = f"operation {op.kind}" + (" under an import-time condition" if op.conditional else "")
        self.state.note("runtime-migration", f"{app}.{target}" if isinstance(target, str) else f"app {app}", detail)
        if isinstance(target, str):
            self.state.uncertain_models.add((app, target.lower()))
            self.state.uncertain_why.setdefault((app, target.lower()), ("runtime-migration", detail))
        else:
            self.state.uncertain_apps.add(app)
            self.state.uncertain_why.setdefault(app, ("runtime-migration", detail))

    def _missing_field(self, key: Key, op: Operation, model: ModelState, name: str) -> None:
        self.issue(
            "missing-field", key, op, model.name, name,
            f"{op.kind} of field {model.app}.{model.name}.{name}, which does not exist at this point of the migration history",
        )  # fmt: skip

    def _add_or_alter_field(self, key: Key, op: Operation, model: ModelState) -> None:
        a = op.args
        name = a.get("name")
        if not isinstance(name, str):
            self._mark_uncertain(key[0], op)
            return
        if op.kind == "AddField" and name in model.fields and _has_table(model):
            self.issue(
                "duplicate-field", key, op, model.name, name,
                f"AddField of {model.app}.{model.name}.{name}, which an earlier migration already added",
            )  # fmt: skip
        if op.kind == "AlterField" and name not in model.fields and _has_table(model):
            # ProjectState.alter_field just sets the field (Django 5.2 and 6.1 alike); migrate
            # then fails in AlterField.database_forwards (FieldDoesNotExist), which it skips for
            # an unmanaged or proxy model: there the AlterField adds the field to the state
            self._missing_field(key, op, model, name)
        state = self.field_state(a.get("field"), key[0], (key, op.field_spans.get(name, op.span)))
        if a.get("preserve_default", True) is False:
            state.kwargs.pop("default", None)
        model.fields[name] = state
        self._check_targets(key, model, [name])

    def _check_targets(self, key: Key, model: ModelState, names: list[str]) -> None:
        """database_forwards renders the new state: a relation's target must exist by now."""
        if not self.database:
            return
        for name in names:
            fstate = model.fields[name]
            for kwarg in ("to", "through"):
                target = resolve_relation(fstate.kwargs.get(kwarg), model.app, model.name)
                if target is not None and target not in self.state.models:
                    span = fstate.origin[1] if fstate.origin else None
                    self.state.early_relations.append((key, span, model.app, model.name, name, target))

    def _rename_field(self, key: Key, op: Operation, model: ModelState) -> None:
        old, new = op.args.get("old_name"), op.args.get("new_name")
        if not isinstance(old, str) or not isinstance(new, str):
            self._mark_uncertain(key[0], op)
            return
        if old not in model.fields:
            self._missing_field(key, op, model, old)
            return
        # Django pops the old name and inserts the new one: the field moves to the end
        model.fields[new] = model.fields.pop(old)
        for option in ("index_together", "unique_together"):
            if option in model.options and isinstance(model.options[option], (list, tuple, frozenset)):
                model.options[option] = [
                    [new if n == old else n for n in together] for together in model.options[option]
                ]
        # to_field on relations that point at this model
        target = (model.app, model.name_lower)
        for other in self.state.models.values():
            for fstate in other.fields.values():
                to = fstate.kwargs.get("to")
                if resolve_relation(to, other.app, other.name) == target and fstate.kwargs.get("to_field") == old:
                    fstate.kwargs["to_field"] = new

    def _rename_model(self, key: Key, op: Operation) -> None:
        app = key[0]
        old, new = op.args.get("old_name"), op.args.get("new_name")
        if not isinstance(old, str) or not isinstance(new, str):
            self._mark_uncertain(app, op)
            return
        model = self.model(key, op, old)
        if model is None:
            return
        old_key = (app, old.lower())
        del self.state.models[old_key]
        model.name = new
        self.state.models[(app, new.lower())] = model
        for other in self.state.models.values():
            for fstate in other.fields.values():
                other_name = old if other is model else other.name
                if resolve_relation(fstate.kwargs.get("to"), other.app, other_name) == old_key:
                    fstate.kwargs["to"] = relation_target_text(f"{app}.{new}")
                if resolve_relation(fstate.kwargs.get("through"), other.app, other_name) == old_key:
                    fstate.kwargs["through"] = f"{app}.{new}"

    def _rename_index(self, model: ModelState, a: dict) -> None:
        new_name, old_name, old_fields = a.get("new_name"), a.get("old_name"), a.get("old_fields")
        if old_fields:
            fields = self.value(old_fields)
            model.options["indexes"] = [
                *model.options.get("indexes", []),
                normalise_object(Call("django.db.models.Index", (), {"fields": fields, "name": new_name})),
            ]
            together = model.options.get("index_together")
            if together:
                model.options["index_together"] = [t for t in together if tuple(t) != tuple(fields)]
            return
        renamed = []
        for index in model.options.get("indexes", []):
            if _name(index) == old_name and isinstance(index, Call):
                index = Call(index.path, index.args, {**index.kwargs, "name": new_name})
            renamed.append(index)
        model.options["indexes"] = renamed


def pinned_in_app(plan: list[Key], migrations: dict[Key, MigrationFile]) -> set[Key]:
    """Migrations whose dependencies are computed at import time (``[...] + settings.X``) but
    whose place among their app's migrations is fixed anyway: every other planned migration of
    the app is a known ancestor or a known descendant. Operations only change their own app's
    models, so the app's replayed state does not depend on what the computed part adds."""
    by_app: dict[str, list[Key]] = {}
    for key in plan:
        by_app.setdefault(key[0], []).append(key)
    pinned: set[Key] = set()
    for app, keys in by_app.items():
        computed = [k for k in keys if k in migrations and set(migrations[k].opaque_attributes) & ORDER_ATTRIBUTES]
        if not computed:
            continue
        planned = set(keys)
        alias = {(app, name): k for k in keys if k in migrations for a, name in migrations[k].replaces if a == app}
        parents: dict[Key, set[Key]] = {k: set() for k in keys}
        for key in keys:
            migration = migrations.get(key)
            if migration is None:
                continue
            for dep in migration.dependencies:
                target = alias.get((dep.app, dep.name), (dep.app, dep.name))
                if target in planned and target != key:
                    parents[key].add(target)
            for dep in migration.run_before:
                target = alias.get((dep.app, dep.name), (dep.app, dep.name))
                if target in planned and target != key:
                    parents[target].add(key)
        ancestors: dict[Key, set[Key]] = {}
        for key in keys:  # the plan is a topological order: parents come first
            ancestors[key] = set().union(*(ancestors.get(p, set()) | {p} for p in parents[key])) if parents[key] else set()
        for key in computed:
            if all(other == key or other in ancestors[key] or key in ancestors[other] for other in keys):
                pinned.add(key)
    return pinned


def _has_table(model: ModelState) -> bool:
    """Whether the database has this model's table: not unmanaged, not a proxy."""
    return model.options.get("managed", True) is not False and model.options.get("proxy") is not True


def _name(obj: Any) -> Any:
    return obj.kwargs.get("name") if isinstance(obj, Call) else None


def normalize_together(value: Any) -> Any:
    """``django.db.models.options.normalize_together``."""
    if not value:
        return ()
    if not isinstance(value, (tuple, list, frozenset)):
        return value
    items = list(value)
    if not isinstance(items[0], (tuple, list)):
        items = [items]
    return tuple(tuple(t) for t in items)


def _manager_pairs(managers: Any) -> list:
    """``managers=[("objects", Manager())]`` as pairs; anything else (a call djstate cannot
    follow, a non-pair) leaves the managers unknown rather than ending the replay."""
    if not isinstance(managers, (list, tuple)):
        return [] if managers is None else [("?", Opaque(render(managers)))]
    if all(isinstance(m, (list, tuple)) and len(m) == 2 and isinstance(m[0], str) for m in managers):
        return [tuple(m) for m in managers]
    return [("?", Opaque(render(managers)))]


def _partly_known(state: FieldState) -> bool:
    """A Django field whose only unknown values are leaf kwargs (drift compares the rest)."""
    from djstate.state.drift import _partly_known as partly_known  # drift imports this module

    return partly_known(state)


def replay(
    plan: list[Key],
    migrations: dict[Key, MigrationFile],
    resolve_setting: Callable[[str], str | None],
    resolver: Resolver | None = None,
    django_version: Any = None,
) -> ProjectState:
    replayer = Replayer(resolve_setting, resolver)
    replayer.pinned = pinned_in_app(plan, migrations)
    replayer.django_version = django_version
    for key in plan:
        migration = migrations.get(key)
        if migration is not None:
            with isolated(replayer.state.internal_errors, f"migration {key[0]}.{key[1]}") as outcome:
                replayer.apply(key, migration)
            if outcome.failed:  # what it did is unknown: its app's state is not judged
                replayer.state.uncertain_apps.add(key[0])
    for unit in sorted(set(replayer.resolver.settings_choices)):  # one note per swappable model, not per use
        replayer.state.note("settings-value", unit, "swapper.get_model_name: judged as the default model; settings may swap it")
    return replayer.state
