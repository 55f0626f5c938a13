from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_INIT = {"shop/__init__.py": "", "shop/migrations/__init__.py": ""}
_CREATE = migration_source(operations="""
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(primary_key=True, serialize=False)),
            ('title', models.CharField(max_length=100)),
        ]),
    """)


def _then(operations: str, create: str = _CREATE) -> dict[str, str]:
    return {**_INIT, "shop/migrations/0001_initial.py": create,
            "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial')", operations)}  # fmt: skip


# an unmanaged model (issue 9, pattern J): Django's state simply takes the AlterField's field and
# migrate never touches the table, so an AlterField of a field no operation added is no error
_UNMANAGED = _CREATE.replace("        ]),", "        ], options={'managed': False}),")


class UnknownModelOrField(Rule):
    """An operation on a model or field that does not exist at that point of history.

    ## What it does
    Replays the migrations in Django's order and reports operations that touch a model or
    field the state does not have yet (or any more): ``AlterField``, ``RemoveField`` or
    ``RenameField`` of a missing field, ``DeleteModel`` or any model operation on a missing
    model. Models touched by custom operations djstate does not know are not checked.

    An ``AlterField`` of a field no operation added is not reported on an unmanaged (or
    proxy) model: Django's state takes the field as given and ``migrate`` skips the table
    (Django 5.2 and 6.1 alike). An app whose graph Django cannot load (a missing dependency
    or a cycle: DJS102, DJS103) is not checked: Django stops there, and that finding says why.

    ## Why it matters
    Django crashes while applying the migration (``KeyError`` or ``FieldDoesNotExist``), or
    worse, records a state that no longer matches the database. It happens when a
    migration is written against an imagined history.

    ## Example
    ```python
    migrations.AlterField(model_name="book", name="subtitle", field=...)  # never added
    ```

    ## Fix
    Make the migration depend on the one that creates the model or field, or add the field
    first with ``AddField``.
    """

    code = "DJS201"
    name = "unknown-model-or-field"

    VALID = [
        Case(_then("migrations.AlterField(model_name='book', name='title', field=models.CharField(max_length=200))")),
        Case(_then("migrations.RenameField('book', 'title', 'name'), migrations.RemoveField('book', 'name')")),
        Case(_then("migrations.AlterField(model_name='book', name='subtitle', field=models.CharField(max_length=9))",
                   _UNMANAGED)),
    ]
    INVALID = [
        Case(_then("\n        migrations.AlterField(  # expect: DJS201\n            model_name='book', name='subtitle', field=models.CharField(max_length=9)),\n    ")),
        Case(_then("\n        migrations.RemoveField('book', 'title'),\n        migrations.RemoveField('book', 'title'),  # expect: DJS201\n    ")),
        Case(_then("\n        migrations.DeleteModel('Author'),  # expect: DJS201\n    ")),
        # removing a field that is not there fails on unmanaged models too (a KeyError in the state)
        Case(_then("\n        migrations.RemoveField('book', 'subtitle'),  # expect: DJS201\n    ", _UNMANAGED)),
    ]

    def check(self, project) -> Iterable[Finding]:
        for issue in project.state.issues:
            if issue.migration[0] in project.broken_apps:
                continue  # Django stops at the app's graph (DJS102/DJS103): the replay order is not Django's
            if issue.kind in ("missing-model", "missing-field"):
                yield self.finding(
                    project.migration_paths[issue.migration], issue.span,
                    f"{issue.message}. Add the missing operation earlier or fix this migration's dependencies",
                    app=issue.app, model=issue.model, field=issue.field,
                )  # fmt: skip
