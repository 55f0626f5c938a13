from __future__ import annotations

from typing import Iterable

from djstate.facts.model import Span
from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source


class MigrationsWithoutInit(Rule):
    """A ``migrations`` folder without ``__init__.py``.

    ## What it does
    Finds app migration folders that hold migration modules but are not packages.

    ## Why it matters
    Django treats such a folder as a namespace package and silently ignores it: the app
    counts as unmigrated, ``migrate`` never creates its tables, and ``makemigrations``
    offers to write a new ``0001_initial`` over the existing history.

    ## Example
    ```text
    legacy/migrations/0001_initial.py
    legacy/migrations/            # no __init__.py
    ```

    ## Fix
    Add an empty ``__init__.py`` to the folder.
    """

    code = "DJS104"
    name = "migrations-without-init"

    VALID = [Case({"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": migration_source()})]
    INVALID = [Case({"shop/__init__.py": "", "shop/migrations/0001_initial.py": "# expect: DJS104\n" + migration_source()})]

    def check(self, project) -> Iterable[Finding]:
        for label, app in sorted(project.apps.items()):
            folder = app.dir.migrations_dir
            if folder and not app.dir.migrations_has_init and app.dir.migration_files:
                yield self.finding(
                    app.dir.migration_files[0], Span(1, 1),
                    f"{folder}/ has no __init__.py, so Django ignores it and treats app '{label}' as "
                    f"unmigrated: its {len(app.dir.migration_files)} migration(s) never run. "
                    f"Add an empty {folder}/__init__.py",
                    app=label,
                )  # fmt: skip
