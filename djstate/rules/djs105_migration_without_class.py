from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": migration_source()}


class MigrationWithoutClass(Rule):
    """A module in a migrations package that defines no ``Migration`` class.

    ## What it does
    Reports modules in an app's migrations package (names not starting with ``_`` or
    ``~``) that parse but have no top-level ``class Migration``.

    ## Why it matters
    Django's loader imports every such module and raises ``BadMigrationError`` when the
    class is missing, so no migration command runs. Helper modules belong in a file whose
    name starts with an underscore, or outside the package.

    ## Example
    ```text
    shop/migrations/utils.py   # helpers, no Migration class
    ```

    ## Fix
    Rename the helper to ``_utils.py`` or move it out of ``migrations/``.
    """

    code = "DJS105"
    name = "migration-without-class"

    VALID = [Case({**_SHOP, "shop/migrations/_helpers.py": "def noop(apps, schema_editor):\n    pass\n"})]
    INVALID = [Case({**_SHOP, "shop/migrations/helpers.py": "def noop(apps, schema_editor):  # expect: DJS105\n    pass\n"})]

    def check(self, project) -> Iterable[Finding]:
        for key, path in sorted(project.migration_paths.items()):
            facts = project.files.get(path)
            if facts is None or facts.problem is not None or facts.migration is None:
                continue
            if facts.migration.class_span is None:
                yield self.finding(
                    path, None,
                    f"{key[1]} is in {key[0]}'s migrations package but defines no Migration class; "
                    "Django raises BadMigrationError. Rename it with a leading underscore or move it",
                    app=key[0],
                )  # fmt: skip
