"""The project's model catalogue: the models state with the swappable targets, and what the
text markers tell about names code adds at runtime, among them the related_names migrations
give that may still exist."""

from __future__ import annotations

from typing import Any

from djstate.facts.values import Call
from djstate.state.catalog import ModelCatalog

USER_BASES = {"AbstractBaseUser", "AbstractUser"}  # django.contrib.auth's user model bases


def project_catalog(project: Any, markers: Any) -> ModelCatalog:
    """The project's catalogue: its models state, the swappable targets, and what the text
    markers tell about names code adds at runtime (serializer emulation and query rules share it)."""
    external = set()
    for setting in ("AUTH_USER_MODEL", *project.config.swappable):
        target = project.resolve_setting(setting)
        if target and "." in target:
            label, _, name = target.partition(".")
            external.add((label, name.lower()))
    if project.settings_path is None and not project.config.auth_user_model:
        # no settings module says AUTH_USER_MODEL: any user model of the tree may be it, with the
        # reverse relations of installed apps (authtoken's `auth_token`) djstate does not read
        for key, model_class in project.models_state.classes.items():
            if any(p.rsplit(".", 1)[-1] in USER_BASES for p in project.models_builder._chain(model_class.path)):
                external.add(key)
    class_names = set().union(*markers.class_names.values()) if markers.class_names else set()
    related_names = markers.related_names | _live_migration_related_names(project, markers.migration_related_names)
    catalog = ModelCatalog(project.models_state, project.models_builder, project.resolve_setting, external,
                           markers.runtime_fields, related_names, class_names)  # fmt: skip
    catalog.dynamic_attributes = markers.dynamic_attributes
    catalog.root = project.root
    catalog.site_packages = [(project.root / folder).resolve() for folder in project.config.site_packages]
    catalog.own_packages = {p.name for p in project.root.iterdir() if p.is_dir()} if project.root.is_dir() else set()
    catalog.class_attributes = markers.class_attributes | markers.runtime_fields
    catalog.class_attribute_owners = markers.class_attribute_owners
    catalog.url_field_names = {"url"} | markers.url_field_names
    return catalog


def _live_migration_related_names(project: Any, by_module: dict[str, set[str]]) -> set[str]:
    """The related_names migrations name that may still exist at runtime: those the replayed
    state holds on a model whose class djstate does not read whole (a class read whole says its
    own related_names, so a migration not yet made for a change keeps a stale one), those some
    migration gave a model whose replay is uncertain, those no operation djstate reads gives
    while a model of the app is uncertain, and all of them where the replay of the app is."""
    state = project.state
    if not by_module or state is None:
        return set().union(*by_module.values()) if by_module else set()
    models = project.models_state
    read_whole = set(models.classes) - models.unverified_models - (models.partial_models - models.partial_without_relations)
    holders: dict[str, set[tuple[str, str]]] = {}
    for key, model in state.models.items():
        for field_state in model.fields.values():
            if isinstance(name := field_state.kwargs.get("related_name"), str):
                holders.setdefault(name, set()).add(key)
    given = _related_names_given(project.migrations)
    out: set[str] = set()
    for module, names in by_module.items():
        app = project.app_of_module(module)
        if app is None or app.label in state.uncertain_apps:
            out |= names
            continue
        replay_uncertain = any(k[0] == app.label for k in state.uncertain_models)
        for name in names:
            if ("%(" in name or holders.get(name, set()) - read_whole
                    or any(state.is_uncertain(*k) for k in given.get(name, ()))
                    or (name not in given and replay_uncertain)):  # fmt: skip
                out.add(name)
    return out


def _related_names_given(migrations: dict) -> dict[str, set[tuple[str, str]]]:
    """Each literal related_name the migrations' CreateModel/AddField/AlterField give -> the
    models (app, name_lower) they give it to."""
    out: dict[str, set[tuple[str, str]]] = {}

    def give(app: str, model: Any, value: Any) -> None:
        name = value.kwargs.get("related_name") if isinstance(value, Call) else None
        if isinstance(model, str) and isinstance(name, str):
            out.setdefault(name, set()).add((app, model.lower()))

    for (app, _), migration in migrations.items():
        todo = [*migration.operations, *migration.conditional_operations]
        while todo:
            op = todo.pop()
            todo.extend(op.nested)
            if op.kind == "CreateModel" and isinstance(op.args.get("fields"), (list, tuple)):
                for pair in op.args["fields"]:
                    if isinstance(pair, (list, tuple)) and len(pair) == 2:
                        give(app, op.args.get("name"), pair[1])
            elif op.kind in ("AddField", "AlterField"):
                give(app, op.args.get("model_name"), op.args.get("field"))
    return out
