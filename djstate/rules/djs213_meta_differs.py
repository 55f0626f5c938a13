from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule
from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS

_META = "\n    class Meta:\n        ordering = ['title']\n"


class MetaDiffers(Rule):
    """Model options, indexes, constraints or managers that differ from the migrations.

    ## What it does
    Compares ``Meta`` and the managers with the migrations' state and reports what
    ``makemigrations`` would write: ``AlterModelTable``, ``AlterUniqueTogether``,
    ``AddIndex``/``RemoveIndex``, ``AddConstraint``/``RemoveConstraint`` and
    ``AlterOrderWithRespectTo`` change the database (errors); ``AlterModelOptions`` (ordering,
    verbose names, permissions ...) and ``AlterModelManagers`` only change Django's state
    (warnings).

    ## Why it matters
    A unique constraint or index that only exists in ``Meta`` does not protect or speed up
    anything; a table name that differs points the ORM at a table that does not exist.

    ## Example
    ```python
    class Meta:
        constraints = [models.UniqueConstraint(fields=["isbn"], name="unique_isbn")]  # no migration
    ```

    ## Fix
    Run ``python manage.py makemigrations <app>``.
    """

    code = "DJS213"
    name = "meta-differs"
    needs_models = True

    VALID = [Case({**APP, "shop/migrations/0001_initial.py": MIGRATION.replace("        ]),\n", "        ], options={'ordering': ['title']}),\n"),
                   "shop/models.py": MODELS + _META})]
    INVALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS.replace("class Book(models.Model):", "class Book(models.Model):  # expect: DJS213") + _META}),
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS.replace("class Book(models.Model):", "class Book(models.Model):  # expect: DJS213")
              + "\n    class Meta:\n        db_table = 'books'\n"}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for drift in project.drift.drifts:
            if drift.operation not in ("CreateModel", "DeleteModel", "AddField", "RemoveField", "AlterField"):
                yield self.finding(
                    drift.path, drift.span,
                    f"{drift.app}.{drift.model}: {drift.detail}; makemigrations would write "
                    f"{drift.operation}. Run `manage.py makemigrations {drift.app}`",
                    app=drift.app, model=drift.model, severity=drift.severity,
                )  # fmt: skip
