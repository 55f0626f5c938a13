"""Generate djstate/data/django_paths.json from an installed Django (run in the test venv).

For every public class and function of Django's modules that migrations and models use, it
records the path Django itself writes into a migration for that object: a field class's
shortened deconstruct path, a @deconstructible class's path, an index's or constraint's
shortened path, or ``module.qualname`` for plain functions and classes. djstate maps every
import alias through this table, so ``models.CASCADE`` and
``django.db.models.deletion.CASCADE`` compare equal without importing Django.

    .venv/bin/python tools/gen_django_paths.py
"""

from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import sys

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sites", "django.contrib.postgres"]
)
django.setup()

from django.db.models import Field, Index, Q  # noqa: E402
from django.db.models.constraints import BaseConstraint  # noqa: E402

MODULES = [
    "django.db.models", "django.db.models.fields", "django.db.models.fields.related",
    "django.db.models.fields.files", "django.db.models.fields.json", "django.db.models.deletion",
    "django.db.models.functions", "django.db.models.expressions", "django.db.models.lookups",
    "django.db.models.indexes", "django.db.models.constraints", "django.db.models.query_utils",
    "django.db.models.manager", "django.db.models.base", "django.db.models.enums",
    "django.db.migrations", "django.db.migrations.operations", "django.core.validators",
    "django.utils.timezone", "django.contrib.auth.validators", "django.contrib.auth.models",
    "django.contrib.postgres.fields", "django.contrib.postgres.indexes",
    "django.contrib.postgres.constraints", "django.contrib.postgres.operations",
    "django.contrib.postgres.search", "django.contrib.postgres.functions",
    "django.core.files.storage", "django.contrib.contenttypes.fields",
    "django.contrib.contenttypes.models", "django.contrib.sites.models",
    "django.contrib.auth.base_user", "django.db.models.fields.generated",
]  # fmt: skip


def written_path(obj) -> str:
    """The path Django writes for obj in a migration."""
    own = f"{obj.__module__}.{obj.__qualname__}"
    if inspect.isclass(obj):
        if issubclass(obj, Field):
            for sub in ("related", "files", "generated", "json", "proxy", "composite", ""):
                prefix = "django.db.models.fields" + (f".{sub}" if sub else "")
                if own.startswith(prefix + "."):
                    return own.replace(prefix, "django.db.models", 1)
            return own
        if issubclass(obj, Index):
            return own.replace("django.db.models.indexes", "django.db.models")
        if issubclass(obj, BaseConstraint):
            return own.replace("django.db.models.constraints", "django.db.models")
        if issubclass(obj, Q):
            return own.replace("django.db.models.query_utils", "django.db.models")
        decon = obj.__dict__.get("deconstruct")
        if decon is not None and getattr(decon, "__closure__", None):
            cells = dict(zip(decon.__code__.co_freevars, (c.cell_contents for c in decon.__closure__)))
            if cells.get("klass") is obj and cells.get("path"):
                return cells["path"]
        return f"{obj.__module__}.{obj.__name__}"
    return own


def main() -> None:
    table: dict[str, str] = {}
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # optional dependency (psycopg) missing
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            obj = getattr(module, attr)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("django."):
                continue
            target = written_path(obj)
            for alias in (f"{name}.{attr}", f"{obj.__module__}.{obj.__qualname__}"):
                if alias != target:
                    table[alias] = target
    out = pathlib.Path(__file__).resolve().parent.parent / "djstate" / "data" / "django_paths.json"
    out.write_text(
        json.dumps({"django": django.get_version(), "paths": dict(sorted(table.items()))}, indent=0) + "\n"
    )
    print(f"{len(table)} aliases from Django {django.get_version()} -> {out}")


if __name__ == "__main__":
    main()
