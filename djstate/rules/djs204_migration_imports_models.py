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
    needs_models = True  # to tell model classes from functions, constants and Choices classes

    VALID = [
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(header="from shop.fields import MoneyField")}),
        # a function, a constant and a Choices class are today's code, and fine to use
        Case({**_SHOP, "shop/models.py": "from django.db import models\n\nLIMIT = 3\n\n\ndef slugify(x):\n    return x\n\n\n"
              "class Status(models.TextChoices):\n    A = 'a'\n\n\nclass Book(models.Model):\n    pass\n",
              "shop/migrations/0001_initial.py": migration_source(
            header="from shop.models import LIMIT, Status, slugify\n\ndef seed(apps, editor):\n    slugify(Status.A * LIMIT)")}),
        # Django itself writes `import app.models.fields` for custom fields used by operations
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            operations="migrations.AddField('book', 'price', shop.models.MoneyField())", header="import shop.models")}),
    ]
    INVALID = [
        Case({**_SHOP, "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    pass\n",
              "shop/migrations/0001_initial.py": migration_source(
            header="from shop.models import Book, slugify  # expect: DJS204\n\ndef seed(apps, editor):\n    Book.objects.create()")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from shop.models import Book  # expect: DJS204\n\ndef seed(apps, editor):\n    Book.objects.create()")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from .. import models as m  # expect: DJS204\n\ndef seed(apps, editor):\n    m.Book.objects.all()")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="import shop.models  # expect: DJS204\n\ndef seed(apps, editor):\n    shop.models.Book.objects.all()")}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        model_modules = {f"{a.module}.models": label for label, a in project.apps.items() if a.dir.models_files and a.module}
        builder = project.models_builder
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
                message = self._message(builder, imp, model_modules, label)
                if message is None:
                    continue  # a function, a constant or a Choices class: today's code is fine to use
                yield self.finding(path, imp.span, message, app=key[0])

    @staticmethod
    def _message(builder, imp, model_modules: dict[str, str], label: str) -> str | None:
        """What the import brings in: model classes (the bug), a whole models module (may reach
        them), or only other names (None: nothing to report)."""
        advice = "into a migration that runs against the historical schema; use apps.get_model() inside RunPython instead"
        names = [n for n in imp.names if f"{imp.module}.{n}" not in model_modules]  # `from app import models`
        if not imp.names or len(names) < len(imp.names):
            module = imp.module if not imp.names else f"{imp.module}.{next(n for n in imp.names if n not in names)}"
            return f"imports {module}, today's models of app '{label}', {advice}"
        models = [n for n in names if _is_model(builder, f"{imp.module}.{n}")]
        if not models:
            return None
        shown = ", ".join(models)
        what = "model class" if len(models) == 1 else "model classes"
        return f"imports the {what} {shown} from {imp.module} (today's models of app '{label}') {advice}"


def _is_model(builder, path: str) -> bool:
    """A model class of the tree; a name djstate cannot find counts when it is spelt like a
    class (CapWords, not a Choices class), as a constant or function is not."""
    if builder is not None and builder.class_facts(path) is not None:
        return builder.model_class(path) is not None
    name = path.rsplit(".", 1)[-1]
    constant = name.isupper() and len(name) > 1
    return name[:1].isupper() and not constant and not name.endswith("Choices")
