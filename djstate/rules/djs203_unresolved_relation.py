from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.unverified import Unjudged
from djstate.rules.base import Case, Rule, migration_source
from djstate.state.project import resolve_relation

_INIT = {"shop/__init__.py": "", "shop/migrations/__init__.py": ""}


def _create(field: str, deps: str = "") -> dict[str, str]:
    ops = f"""
        migrations.CreateModel(name='Publisher', fields=[('id', models.AutoField(primary_key=True))]),
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(primary_key=True)),
            ('publisher', {field}
        ]),
    """
    return {**_INIT, "shop/migrations/0001_initial.py": migration_source(deps, ops)}


class UnresolvedRelation(Rule):
    """A relation to a model that does not exist in the migrations' final state.

    ## What it does
    After replaying all migrations, checks the target of every ``ForeignKey``,
    ``OneToOneField`` and ``ManyToManyField`` (and its ``through`` model) against the
    models the migrations create. Targets in apps outside the tree, and in apps without
    migrations, are counted as unverified instead.

    ## Why it matters
    Django raises "The field ... was declared with a lazy reference to 'app.model', but
    app 'app' doesn't provide model 'model'" when it renders the state, and ``migrate``
    fails with "Related model cannot be resolved". A typo or a renamed model is enough.

    ## Example
    ```python
    ("publisher", models.ForeignKey(on_delete=models.CASCADE, to="catalog.publsher"))
    ```

    ## Fix
    Point the relation at the model's real ``app_label.ModelName``, and make the migration
    depend on the migration that creates it.
    """

    code = "DJS203"
    name = "unresolved-relation"

    VALID = [
        Case(_create("models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.publisher')),")),
        Case(_create("models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.user')),")),
        Case(_create("models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='Publisher')),")),
    ]
    INVALID = [
        Case(_create("models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.publsher')),  # expect: DJS203")),
        Case(_create("models.ManyToManyField(to='shop.Author')),  # expect: DJS203")),
        # the target exists, but only in a migration this one does not depend on, which
        # Django's plan applies later
        Case({
            **_create("models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='stock.warehouse')),  # expect: DJS203"),
            "stock/__init__.py": "",
            "stock/migrations/__init__.py": "",
            "stock/migrations/0001_initial.py": migration_source(
                "('shop', '0001_initial')",
                "migrations.CreateModel(name='Warehouse', fields=[('id', models.AutoField(primary_key=True))])",
            ),
        }),
    ]

    def check(self, project) -> Iterable[Finding]:
        state = project.state
        for migration, span, app, model_name, name, target in state.early_relations:
            target_app = project.apps.get(target[0])
            if (
                target not in state.models  # reported below, at the final state
                or target_app is None
                or not target_app.migrated
                or state.is_uncertain(*target)
                or state.is_uncertain(app, model_name)
                or {app, target[0]} & project.broken_apps  # no reliable plan order
            ):
                continue
            creator = state.models[target].origin
            yield self.finding(
                project.migration_paths[migration], span,
                f"{app}.{model_name}.{name} points to '{target[0]}.{target[1]}', which does not exist yet "
                f"when this migration runs (it is created by {target[0]}.{creator[0] if creator else '?'}, "
                "later in Django's plan); migrate fails with \"Related model cannot be resolved\". "
                "Add that migration to this migration's dependencies",
                app=app, model=model_name, field=name,
            )  # fmt: skip
        for (app, _), model in sorted(state.models.items()):
            for name, field in model.fields.items():
                for key in ("to", "through"):
                    if key not in field.kwargs:
                        continue
                    target = resolve_relation(field.kwargs[key], app, model.name)
                    unit = f"relation {app}.{model.name}.{name}"
                    if target is None:
                        project.unjudged.append(Unjudged("settings-value", unit, detail=f"{key}={field.kwargs[key]!r}"[:120]))
                        continue
                    target_app = project.apps.get(target[0])
                    if target_app is None or not target_app.migrated or state.is_uncertain(*target):
                        reason = "dependency-outside-tree" if target_app is None else (
                            state.why(*target)[0] if state.is_uncertain(*target) else "dependency-outside-tree")
                        project.unjudged.append(Unjudged(reason, unit, detail=f"to {target[0]}.{target[1]}"))
                        continue
                    if target in state.models:
                        continue
                    migration, span = field.origin if field.origin else (None, None)
                    path = project.migration_paths.get(migration, "")
                    yield self.finding(
                        path, span,
                        f"{app}.{model.name}.{name} points to '{target[0]}.{target[1]}' ({key}), which no "
                        f"migration of app '{target[0]}' creates; Django fails with a lazy-reference error. "
                        "Fix the model name or add the migration that creates it",
                        app=app, model=model.name, field=name,
                    )  # fmt: skip
