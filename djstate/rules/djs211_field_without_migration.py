from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule
from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS

# django.contrib.postgres fields, as makemigrations writes them (issue 9, pattern C)
PG_MIGRATION = MIGRATION.replace(
    "('title', models.CharField(max_length=100)),",
    "('title', models.CharField(max_length=100)),\n"
    "            ('search', django.contrib.postgres.search.SearchVectorField(null=True)),\n"
    "            ('attrs', django.contrib.postgres.fields.hstore.HStoreField(null=True)),\n"
    "            ('tags', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=20), size=None)),\n"
    "            ('pages', django.contrib.postgres.fields.ranges.IntegerRangeField(null=True)),\n"
    "            ('code', django.contrib.postgres.fields.citext.CICharField(max_length=10)),",
).replace("from django.db import", "import django.contrib.postgres.fields\nimport django.contrib.postgres.search\nfrom django.db import")
# a project field class on a field class of another package, in a module not named "fields"
# (pattern D), and a project class on an outside base djstate cannot place
FOREIGN_MIGRATION = MIGRATION.replace(
    "('title', models.CharField(max_length=100)),",
    "('title', models.CharField(max_length=100)),\n"
    "            ('payload', shop.utils.PayloadField(default=dict)),\n"
    "            ('hits', shop.utils.Counter(default=0)),",
).replace("from django.db import", "import shop.utils\nfrom django.db import")
FOREIGN_UTILS = (
    "import thirdparty\nfrom jsonfield import JSONField\n\n\nclass PayloadField(JSONField):\n    pass\n\n\n"
    "class Counter(thirdparty.Base):\n    pass\n"
)
FOREIGN_MODELS = (
    "from shop.utils import Counter, PayloadField\n" + MODELS
    + "    payload = PayloadField(default=dict, dump_kwargs={'indent': 2})\n    hits = Counter(default=0)\n"
)
# the app's models/ package holds a module named models.py (pattern H): still the app's models
MODELS_PACKAGE = {
    **APP, "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/migrations/0001_initial.py": MIGRATION,
    "shop/models/__init__.py": "from .models import *  # noqa\n", "shop/models/models.py": MODELS,
}  # fmt: skip
PG_MODELS = (
    "from django.contrib.postgres.fields import ArrayField, CICharField, HStoreField, IntegerRangeField\n"
    "from django.contrib.postgres.search import SearchVectorField\n" + MODELS
    + "    search = SearchVectorField(null=True)\n    attrs = HStoreField(null=True)\n"
    "    tags = ArrayField(models.CharField(max_length=20))\n    pages = IntegerRangeField(null=True)\n"
    "    code = CICharField(max_length=10)\n"
)


class FieldWithoutMigration(Rule):
    """A model field that no migration adds, or a migrated field the model no longer has.

    ## What it does
    Compares each model's fields with the fields its migrations build and reports the
    ``AddField`` or ``RemoveField`` that ``makemigrations`` would write. Fields that
    packages add at runtime (``add_to_class``, mptt's tree fields) are not reported.

    ## Why it matters
    The column is missing from (or left behind in) the database: inserts fail with
    "column does not exist" or "null value violates not-null constraint" once the code runs
    against a real schema.

    ## Example
    ```python
    class Book(models.Model):
        title = models.CharField(max_length=100)
        is_featured = models.BooleanField(default=False)  # no migration adds it
    ```

    ## Fix
    Run ``python manage.py makemigrations <app>``; if the field was renamed, edit the
    generated migration into a ``RenameField``.
    """

    code = "DJS211"
    name = "field-without-migration"
    needs_models = True

    VALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS}),
        Case({
            **APP, "shop/migrations/0001_initial.py": MIGRATION,
            "shop/models.py": MODELS + "\n\nBook.add_to_class('subtitle', models.CharField(max_length=9))\n",
        }),
        # django-modeltranslation adds title_en / title_de at runtime
        Case({
            **APP,
            "shop/migrations/0001_initial.py": MIGRATION.replace(
                "('title', models.CharField(max_length=100)),",
                "('title', models.CharField(max_length=100)),\n            ('title_en', models.CharField(max_length=100, null=True)),",
            ),
            "shop/models.py": MODELS,
            "shop/translation.py": "from modeltranslation.translator import register, TranslationOptions\n",
        }),
        # every field class Django ships is a field: SearchVectorField & co are not "missing"
        Case({**APP, "shop/migrations/0001_initial.py": PG_MIGRATION, "shop/models.py": PG_MODELS}),
        Case({**APP, "shop/migrations/0001_initial.py": FOREIGN_MIGRATION, "shop/models.py": FOREIGN_MODELS,
              "shop/utils.py": FOREIGN_UTILS}),
        Case(MODELS_PACKAGE),
        # a class whose base is computed at import time cannot be placed: maybe a field
        Case({**APP, "shop/migrations/0001_initial.py": FOREIGN_MIGRATION,
              "shop/models.py": FOREIGN_MODELS.replace("import Counter,", "import Dyn as Counter,"),
              "shop/utils.py": FOREIGN_UTILS + "\n\ndef base():\n    return object\n\n\nclass Dyn(base()):\n    pass\n"}),
    ]  # fmt: skip
    INVALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS + "    is_featured = models.BooleanField(default=False)  # expect: DJS211\n"}),
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/models.py": MODELS.replace("    title = models.CharField(max_length=100)\n", "    pass\n")
              .replace("class Book(models.Model):", "class Book(models.Model):  # expect: DJS211")}),
        # a postgres field really dropped from the model is still a RemoveField
        Case({**APP, "shop/migrations/0001_initial.py": PG_MIGRATION,
              "shop/models.py": PG_MODELS.replace("    search = SearchVectorField(null=True)\n", "")
              .replace("class Book(models.Model):", "class Book(models.Model):  # expect: DJS211")}),
        # the project's JSON field really dropped from the model
        Case({**APP, "shop/migrations/0001_initial.py": FOREIGN_MIGRATION, "shop/utils.py": FOREIGN_UTILS,
              "shop/models.py": FOREIGN_MODELS.replace("    payload = PayloadField(default=dict, dump_kwargs={'indent': 2})\n", "")
              .replace("    hits = Counter(default=0)\n", "")
              .replace("class Book(models.Model):", "class Book(models.Model):  # expect: DJS211")}),
        # a field added in app/models/models.py is seen (the module was once a separate app "models")
        Case({**MODELS_PACKAGE,
              "shop/models/models.py": MODELS + "    is_featured = models.BooleanField(default=False)  # expect: DJS211\n"}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for drift in project.drift.drifts:
            if drift.operation in ("AddField", "RemoveField"):
                yield self.finding(
                    drift.path, drift.span,
                    f"{drift.app}.{drift.model}: {drift.detail}; makemigrations would write "
                    f"{drift.operation}. Run `manage.py makemigrations {drift.app}`",
                    app=drift.app, model=drift.model, field=drift.field, severity=drift.severity,
                )  # fmt: skip
