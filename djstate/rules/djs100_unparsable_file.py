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
    """A migration, models, serializers, app config or settings file that cannot be read as Python source.

    ## What it does
    Reports files djstate needs (migrations, models modules, serializer modules, ``apps.py``,
    the settings module) that have a syntax error, are not valid UTF-8 (or their declared
    encoding), contain NUL bytes, or cannot be read (errors), or are over djstate's size limit
    of 4 MiB (a warning: Django can import them, djstate does not read them).

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
        # a models module that cannot be parsed is named, not only counted as unverified
        Case({**_INIT, "shop/migrations/0001_initial.py": migration_source(), "shop/models.py": "class Book(:  # expect: DJS100\n"}),
        Case({**_INIT, "shop/migrations/0001_initial.py": migration_source(),
              "shop/serializers.py": "from rest_framework import serializers\nclass S(serializers.Serializer:  # expect: DJS100\n"}),
    ]

    def check(self, project) -> Iterable[Finding]:
        migrations = {path: key[0] for key, path in project.migration_paths.items()}
        for path, facts in sorted(project.files.items()):
            if facts.problem is None:
                continue
            problem = facts.problem
            app = migrations.get(path)
            if app is None and facts.module:
                owner = project.app_of_module(facts.module)
                app = owner.label if owner else None
            if path == project.settings_path or facts.settings is not None:
                role, effect = "settings", "the settings it would give (INSTALLED_APPS, AUTH_USER_MODEL, ...) are unverified"
            elif path in migrations:
                role, effect = "migration", "its app's migration state is unverified"
            elif facts.app_configs or path.endswith("apps.py"):
                role, effect = "app config", "its app's label and options are unverified"
            else:
                role, effect = "module", "the models and serializers it defines are unverified"
            if problem.kind == "too-large":
                text = (f"djstate skips this {role} file, over its size limit ({problem.message}). Django can still import it; "
                        f"{effect}. Exclude the file or split it")  # fmt: skip
                severity = "warning"
            else:
                text = (f"cannot read this {role} file ({problem.message}); Django cannot import it. "
                        f"Fix the file; until then {effect}")  # fmt: skip
                severity = None
            yield self.finding(path, problem.span, text, app=app, severity=severity)
