from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

APP = {"shop/__init__.py": "", "shop/migrations/__init__.py": ""}
MIGRATION = migration_source(operations="""
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('title', models.CharField(max_length=100)),
        ]),
    """)
MODELS = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=100)\n"


class ModelWithoutMigration(Rule):
    """A model that no migration creates, or a migrated model whose class is gone.

    ## What it does
    Compares the models defined in the app's modules with the models its migrations
    create, as ``makemigrations`` does, and reports the ``CreateModel`` or ``DeleteModel``
    it would write. Models without a table (proxy, unmanaged) are warnings.

    ## Why it matters
    The database never gets the table (or keeps one the code no longer knows), so the first
    query fails in production although every unit test that builds its own schema passes.

    ## Example
    ```python
    class Coupon(models.Model):  # added to models.py, no migration
        code = models.CharField(max_length=20)
    ```

    ## Fix
    Run ``python manage.py makemigrations <app>`` and commit the migration.
    """

    code = "DJS210"
    name = "model-without-migration"
    needs_models = True

    VALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS}),
        # django-simple-history creates HistoricalBook at runtime; only migrations name it
        Case({
            **APP,
            "shop/migrations/0001_initial.py": MIGRATION.replace(
                "        ]),\n", "        ]),\n        migrations.CreateModel(name='HistoricalBook', fields=[\n"
                "            ('id', models.IntegerField(blank=True, db_index=True)),\n        ]),\n", 1),
            "shop/models.py": "from simple_history.models import HistoricalRecords\n" + MODELS + "    history = HistoricalRecords()\n",
        }),
        # django-hierarkey generates <Model>_SettingsStore at runtime (pretalx's GlobalSettings)
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION.replace("        ]),\n", "        ]),\n"
              "        migrations.CreateModel(name='Book_SettingsStore', fields=[('id', models.AutoField("
              "auto_created=True, primary_key=True, serialize=False, verbose_name='ID'))]),\n", 1),
              "shop/models.py": "import hierarkey\n" + MODELS.replace("class Book", "@hierarkey.add()\nclass Book")}),
        # a model made by a call (django-machina: `Forum = model_factory(AbstractForum)`)
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/abstract.py": MODELS.replace("class Book(models.Model):", "class AbstractBook(models.Model):")
              + "\n    class Meta:\n        abstract = True\n",
              "shop/models.py": "from shop.abstract import AbstractBook\nfrom shop.factory import model_factory\n\n"
                                "Book = model_factory(AbstractBook)\n"}),
        # an app two namespace folders deep (coderedcms/tests/testapp without __init__.py files)
        Case({"pkg/__init__.py": "", "pkg/tests/testapp/migrations/__init__.py": "",
              "pkg/tests/testapp/migrations/0001_initial.py": MIGRATION,
              "pkg/tests/testapp/models.py": "from pkg.base import Base\n\n\nclass Book(Base):\n    pass\n",
              "pkg/base.py": "from wagtail.models import Page\n\n\nclass Base(Page):\n    pass\n"}),
    ]  # fmt: skip
    INVALID = [
        Case({
            **APP, "shop/migrations/0001_initial.py": MIGRATION,
            "shop/models.py": MODELS + "\n\nclass Coupon(models.Model):  # expect: DJS210\n    code = models.CharField(max_length=20)\n",
        }),
        Case({
            **APP, "shop/migrations/0001_initial.py": MIGRATION.replace(
                "('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),",
                "('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n        ]),\n        migrations.CreateModel(name='Gone', fields=[  # expect: DJS210\n            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),",
            ),
            "shop/models.py": MODELS,
        }),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for drift in project.drift.drifts:
            if drift.operation in ("CreateModel", "DeleteModel"):
                yield self.finding(
                    drift.path, drift.span,
                    f"{drift.detail}; makemigrations would write {drift.operation}. "
                    f"Run `manage.py makemigrations {drift.app}`",
                    app=drift.app, model=drift.model, severity=drift.severity,
                )  # fmt: skip
