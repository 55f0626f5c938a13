from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source
from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS
from djstate.rules.djs211_field_without_migration import FOREIGN_MIGRATION, FOREIGN_MODELS, FOREIGN_UTILS


_JOB_MIGRATION = migration_source(header="import datetime", operations="""
        migrations.CreateModel(name='Job', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('every', models.DurationField(default=datetime.timedelta(seconds=21600))),
            ('level', models.IntegerField(choices=[(10, 'debug'), (30, 'warning')], default=20)),
        ]),
    """)
_JOB_MODELS = (
    "import logging\nfrom datetime import timedelta\n\nfrom django.db import models\n\n\nclass Job(models.Model):\n"
    "    every = models.DurationField(default=timedelta(hours=6))\n"
    "    level = models.IntegerField(choices=[(logging.DEBUG, 'debug'), (logging.WARNING, 'warning')], default=logging.INFO)\n"
)
_PATCH = (
    "from django.db import models\n\n\nclass ConfigItem:\n    pass\n\n\n_original = models.Field.deconstruct\n\n\n"
    "def _deconstruct(self):\n    name, path, args, kwargs = _original(self)\n"
    "    return name, path, args, {k: v for k, v in kwargs.items() if not isinstance(v, ConfigItem)}\n\n\n"
    "models.Field.deconstruct = _deconstruct\n"
)


# a migration's to_field naming the target's primary key (pattern I): Django's autodetector
# writes an AlterField (the bound field's deconstruct drops it, the migration's keeps it) that
# runs no SQL, so it is a warning; dropping a to_field that names another column is an error
_TO_FIELD_MIGRATION = migration_source(operations="""
        migrations.CreateModel(name='Author', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('code', models.CharField(max_length=10, unique=True)),
        ]),
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.author', to_field='id')),
            ('editor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='shop.author', to_field='code')),
        ]),
    """)
_TO_FIELD_MODELS = (
    "from django.db import models\n\n\nclass Author(models.Model):\n    code = models.CharField(max_length=10, unique=True)\n\n\n"
    "class Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)  # expect: DJS212\n"
    "    editor = models.ForeignKey(Author, on_delete=models.CASCADE, related_name='+', to_field='code')\n"
)


class FieldDiffers(Rule):
    """A field whose definition differs from what the migrations built.

    ## What it does
    Compares each field's class and deconstructed keyword arguments (with each class's
    defaults, e.g. ``EmailField(max_length=254)``) with the migrations' state and reports the
    ``AlterField`` that ``makemigrations`` would write, naming every changed argument.
    A change that alters the database (type, ``null``, ``max_length``, ``unique``,
    ``db_index``, ``db_column``, a relation's target or ``on_delete`` ...) is an error; one that
    only alters Django's state (``choices``, ``help_text``, ``verbose_name``, ``blank``,
    ``default``, validators ...) is a warning.

    ## Why it matters
    The code believes in a column the database does not have: longer strings are
    truncated or rejected, ``NULL`` inserts fail, or a relation deletes differently than the
    model says.

    ## Example
    ```python
    name = models.CharField(max_length=80)  # the migrations still say max_length=50
    ```

    ## Fix
    Run ``python manage.py makemigrations <app>``.
    """

    code = "DJS212"
    name = "field-differs"
    needs_models = True

    VALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS.replace("max_length=100", "max_length=100, null=False")}),
        # the project replaces Field.deconstruct to drop state-only attributes (NetBox, pretix)
        Case({
            **APP, "shop/migrations/0001_initial.py": MIGRATION,
            "shop/models.py": MODELS.replace("max_length=100", "max_length=100, help_text='x'"),
            "shop/apps.py": "from django.db import models\n\ndef quiet(field):\n    return field\n\nmodels.Field.deconstruct = quiet\n",
        }),
        # a models module nested in an app's package without AppConfig or migrations belongs to
        # that app (django-sql-explorer's explorer/ee/db_connections): the FK target is shop.publisher
        Case({**APP, "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
              "shop/migrations/0001_initial.py": MIGRATION.replace("        ]),\n", "        ]),\n"
                  "        migrations.CreateModel(name='Publisher', fields=[('id', models.AutoField(auto_created=True, "
                  "primary_key=True, serialize=False, verbose_name='ID'))]),\n"
                  "        migrations.AddField(model_name='book', name='publisher', field=models.ForeignKey("
                  "on_delete=django.db.models.deletion.CASCADE, to='shop.publisher')),\n", 1),
              "shop/ee/__init__.py": "", "shop/ee/publishing/__init__.py": "",
              "shop/ee/publishing/models.py": "from django.db import models\n\n\nclass Publisher(models.Model):\n    pass\n",
              "shop/models.py": "from shop.ee.publishing.models import Publisher\n" + MODELS
              + "    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE)\n"}),
        # default_auto_field inherited from a base AppConfig of the same module (django.contrib.admin's
        # AdminConfig(SimpleAdminConfig)) wins over the settings' DEFAULT_AUTO_FIELD
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS,
              "shop/apps.py": "from django.apps import AppConfig\n\n\nclass SimpleShopConfig(AppConfig):\n"
                              "    default_auto_field = 'django.db.models.AutoField'\n    name = 'shop'\n\n\n"
                              "class ShopConfig(SimpleShopConfig):\n    default = True\n",
              "settings.py": "INSTALLED_APPS = ['shop']\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"}),
        # equal values spelled differently: computed, not compared as text (pattern E)
        Case({**APP, "shop/migrations/0001_initial.py": _JOB_MIGRATION, "shop/models.py": _JOB_MODELS}),
        # a patched deconstruct that drops kwargs by their value's type (pattern F)
        Case({**APP, "shop/migrations/0001_initial.py": _JOB_MIGRATION.replace("default=datetime.timedelta(seconds=21600)", ""),
              "shop/models.py": _PATCH + _JOB_MODELS.replace("default=timedelta(hours=6)", "default=ConfigItem(6)")}),
        # a field class built on another package's field: its kwargs are unverified (dump_kwargs
        # is not deconstructed there), never "differs" (pattern D)
        Case({**APP, "shop/migrations/0001_initial.py": FOREIGN_MIGRATION, "shop/models.py": FOREIGN_MODELS,
              "shop/utils.py": FOREIGN_UTILS}),
    ]  # fmt: skip
    INVALID = [
        Case({**APP, "shop/migrations/0001_initial.py": _JOB_MIGRATION,
              "shop/models.py": _JOB_MODELS.replace("every = models.DurationField(default=timedelta(hours=6))",
                                                    "every = models.DurationField(default=timedelta(hours=7))  # expect: DJS212")}),
        Case({**APP, "shop/migrations/0001_initial.py": _JOB_MIGRATION.replace("default=datetime.timedelta(seconds=21600)", ""),
              "shop/models.py": _PATCH + _JOB_MODELS.replace("every = models.DurationField(default=timedelta(hours=6))",
                                                             "every = models.DurationField(default=ConfigItem(6), null=True)  # expect: DJS212")}),
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS.replace("title = models.CharField(max_length=100)", "title = models.CharField(max_length=120)  # expect: DJS212")}),
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS.replace("title = models.CharField(max_length=100)", "title = models.CharField(max_length=100, help_text='x')  # expect: DJS212")}),
        # to_field='id' (the primary key) in the migration only: a warning, as makemigrations writes it
        Case({**APP, "shop/migrations/0001_initial.py": _TO_FIELD_MIGRATION, "shop/models.py": _TO_FIELD_MODELS}),
        # to_field='code' dropped from the model: the column changes (an error)
        Case({**APP, "shop/migrations/0001_initial.py": _TO_FIELD_MIGRATION.replace("to_field='id'", ""),
              "shop/models.py": _TO_FIELD_MODELS.replace("  # expect: DJS212", "")
              .replace(", to_field='code')", ")  # expect: DJS212")}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for drift in project.drift.drifts:
            if drift.operation == "AlterField":
                kind = "changes the database" if drift.severity == "error" else "changes only Django's state"
                yield self.finding(
                    drift.path, drift.span,
                    f"{drift.app}.{drift.model}: {drift.detail} ({kind}); makemigrations would write "
                    f"AlterField. Run `manage.py makemigrations {drift.app}`",
                    app=drift.app, model=drift.model, field=drift.field, severity=drift.severity,
                )  # fmt: skip
