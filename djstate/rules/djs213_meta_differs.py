from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source
from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS

_META = "\n    class Meta:\n        ordering = ['title']\n"
# an abstract base whose index name is a template, a child that extends the base's list
_PLACE_MODELS = (
    "from django.db import models\n\n\nclass Place(models.Model):\n    city = models.CharField(max_length=50)\n\n"
    "    class Meta:\n        abstract = True\n"
    "        indexes = [models.Index(fields=['city'], name='%(app_label)s_%(class)s_city')]\n\n\n"
    "class Shop(Place):\n    kind = models.CharField(max_length=20)\n\n"
    "    class Meta(Place.Meta):\n        indexes = [*Place.Meta.indexes, models.Index(fields=['kind'], name='shop_kind')]\n"
    "        indexes.append(models.Index(fields=['-kind'], name='shop_kind_desc'))\n"
)
_PLACE_MIGRATION = migration_source(operations="""
        migrations.CreateModel(name='Shop', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('city', models.CharField(max_length=50)),
            ('kind', models.CharField(max_length=20)),
        ], options={'abstract': False, 'indexes': [models.Index(fields=['city'], name='shop_shop_city'),
            models.Index(fields=['kind'], name='shop_kind'), models.Index(fields=['-kind'], name='shop_kind_desc')]}),
    """)


class MetaDiffers(Rule):
    """Model options, indexes, constraints or managers that differ from the migrations.

    ## What it does
    Compares ``Meta`` and the managers with the migrations' state and reports what
    ``makemigrations`` would write: ``AlterModelTable``, ``AlterUniqueTogether``,
    ``AddIndex``/``RemoveIndex``, ``AddConstraint``/``RemoveConstraint`` and
    ``AlterOrderWithRespectTo`` change the database (errors); an index that only changed its
    name is a ``RenameIndex``, as the autodetector writes it; ``AlterModelOptions`` (ordering,
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
                   "shop/models.py": MODELS + _META}),
              # %(app_label)s/%(class)s filled in per concrete model; [*Base.Meta.indexes, X] and
              # .append() after the assignment evaluated (patterns A and B)
              Case({**APP, "shop/migrations/0001_initial.py": _PLACE_MIGRATION, "shop/models.py": _PLACE_MODELS}),
              # a project Index subclass with a positional name: Index.__init__ makes it F() (pretix)
              Case({**APP, "shop/migrations/0001_initial.py": MIGRATION.replace("import django.db.models.deletion",
                        "import django.db.models.deletion\nimport shop.models").replace(
                        "        ]),\n", "        ], options={'indexes': [shop.models.TitleIndex(models.F('title'), "
                        "name='book_title_idx')]}),\n"),
                    "shop/models.py": MODELS.replace("class Book(models.Model):", "class TitleIndex(models.Index):\n"
                                      "    pass\n\n\nclass Book(models.Model):")
                                      + "\n    class Meta:\n        indexes = [TitleIndex('title', name='book_title_idx')]\n"}),
              # a condition built by a private function of the migration (nautobot's dcim 0088):
              # a runtime value on one side, never "changed"
              Case({**APP, "shop/migrations/0001_initial.py": MIGRATION.replace(
                        "class Migration(", "def _condition():\n    return models.Q(title__gt='')\n\n\nclass Migration(").replace(
                        "        ]),\n", "        ], options={'constraints': [models.CheckConstraint(condition=_condition(), "
                        "name='book_title')]}),\n"),
                    "shop/models.py": MODELS + "\n    class Meta:\n        constraints = [models.CheckConstraint("
                                      "condition=models.Q(title__gt='') | models.Q(title='x'), name='book_title')]\n"})]
    INVALID = [
        Case({**APP, "shop/migrations/0001_initial.py": _PLACE_MIGRATION.replace("name='shop_kind_desc'", "name='shop_kind_d'"),
              "shop/models.py": _PLACE_MODELS.replace("class Shop(Place):", "class Shop(Place):  # expect: DJS213")}),
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
