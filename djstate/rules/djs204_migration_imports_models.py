from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_SHOP = {"shop/__init__.py": "", "shop/models.py": "from django.db import models\n", "shop/migrations/__init__.py": ""}


class MigrationImportsModels(Rule):
    """A migration that imports a project app's models module.

    ## What it does
    Reports imports of an in-tree app's ``models`` module (or anything below it) inside a
    migration, including relative imports such as ``from ..models import Book``.

    ## Why it matters
    A migration runs against the historical schema, but imported models are today's
    classes: as soon as the model gains a field, old migrations query columns that do not
    exist yet and ``migrate`` fails on a fresh database.

    ## Example
    ```python
    from catalog.models import Book

    def seed(apps, schema_editor):
        Book.objects.create(title="Welcome")
    ```

    ## Fix
    Use the historical model: ``Book = apps.get_model("catalog", "Book")`` inside the
    ``RunPython`` function.
    """

    code = "DJS204"
    name = "migration-imports-models"
    severity = "warning"

    VALID = [
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(header="from shop.fields import MoneyField")}),
        # Django itself writes `import app.models.fields` for custom fields used by operations
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            operations="migrations.AddField('book', 'price', shop.models.MoneyField())", header="import shop.models")}),
    ]
    INVALID = [
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from shop.models import Book  # expect: DJS204\n\ndef seed(apps, editor):\n    Book.objects.create()")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from .. import models as m  # expect: DJS204\n\ndef seed(apps, editor):\n    m.Book.objects.all()")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="import shop.models  # expect: DJS204\n\ndef seed(apps, editor):\n    shop.models.Book.objects.all()")}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        model_modules = {f"{a.module}.models": label for label, a in project.apps.items() if a.dir.models_files and a.module}
        for key, path in sorted(project.migration_paths.items()):
            facts = project.files.get(path)
            if facts is None or facts.migration is None:
                continue
            for imp in facts.migration.imports:
                if not imp.used_at_runtime:
                    continue  # e.g. `import app.models.fields` for a field class: Django writes those
                candidates = [imp.module] + [f"{imp.module}.{n}" for n in imp.names]
                hit = next(
                    (m for m in candidates for mod in model_modules if m == mod or m.startswith(mod + ".")), None
                )
                if hit is None:
                    continue
                label = next(model_modules[mod] for mod in model_modules if hit == mod or hit.startswith(mod + "."))
                yield self.finding(
                    path, imp.span,
                    f"imports {hit}, today's models of app '{label}', into a migration that runs against "
                    "the historical schema; use apps.get_model() inside RunPython instead",
                    app=key[0],
                )  # fmt: skip
