from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_INIT = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/migrations/__init__.py": "",
}


class UnparsableFile(Rule):
    """A migration, app config or settings file that cannot be read as Python source.

    ## What it does
    Reports files djstate needs (migrations, ``apps.py``, the settings module) that have a
    syntax error, are not valid UTF-8 (or their declared encoding), contain NUL bytes, are
    too large to be source, or cannot be read.

    ## Why it matters
    Django imports every migration module when it builds the migration graph; one broken
    file stops ``migrate``, ``makemigrations`` and ``runserver`` for the whole project.
    A merge marker or a pasted code fence left by an assistant is the usual cause.

    ## Example
    ```python
    class Migration(migrations.Migration):
        operations = [
    <<<<<<< HEAD
    ```

    ## Fix
    Repair the file at the reported line. djstate skips the file and treats its app's
    schema as unverified until then.
    """

    code = "DJS100"
    name = "unparsable-file"

    VALID = [Case({**_INIT, "shop/migrations/0001_initial.py": migration_source()})]
    INVALID = [
        Case({**_INIT, "shop/migrations/0001_initial.py": "class Migration(:  # expect: DJS100\n"}),
        Case({**_INIT, "shop/migrations/0001_initial.py": b"x = '\xff'  # expect: DJS100\n"}),
    ]

    def check(self, project) -> Iterable[Finding]:
        for path, facts in sorted(project.files.items()):
            if facts.problem is None:
                continue
            problem = facts.problem
            yield self.finding(
                path, problem.span,
                f"cannot read this file ({problem.message}); Django cannot import it. "
                "Fix the file; until then its app's state is unverified",
            )  # fmt: skip
