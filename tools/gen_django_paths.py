"""Generate djstate/data/django_paths.json from an installed Django (run in the test venv).

For every public class and function of Django's modules that migrations and models use, it
records the path Django itself writes into a migration for that object: a field class's
shortened deconstruct path, a @deconstructible class's path, an index's or constraint's
shortened path, or ``module.qualname`` for plain functions and classes. djstate maps every
import alias through this table, so ``models.CASCADE`` and
``django.db.models.deletion.CASCADE`` compare equal without importing Django.

It also discovers every model field class Django ships (every ``Field`` subclass defined in
``django.*`` once Django's model, contrib.postgres, contrib.gis (when GDAL is installed) and
contenttypes modules are imported), never a hand-written list, and records for each under
``fields``: its written path, the written paths of its field bases (nearest first), whether
the class itself defines ``__init__`` or ``deconstruct`` (then its kwargs follow rules of its
own), and whether ``ModelState.from_model`` leaves it out (a private field such as
``GenericForeignKey``).

    .venv/bin/python tools/gen_django_paths.py
"""

from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import pkgutil
import sys

import django
from django.conf import settings

try:  # contrib.gis needs the GDAL library
    from django.contrib.gis import gdal  # noqa: F401

    GIS = ["django.contrib.gis"]
except Exception as exc:  # noqa: BLE001
    print(f"no contrib.gis: {exc}", file=sys.stderr)
    GIS = []
settings.configure(
    INSTALLED_APPS=[
        "django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sites",
        "django.contrib.postgres", *GIS,
    ]
)  # fmt: skip
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
    "django.contrib.postgres.fields.array", "django.contrib.postgres.fields.hstore",
    "django.contrib.postgres.fields.ranges", "django.contrib.postgres.fields.citext",
    "django.contrib.postgres.fields.jsonb", "django.db.models.fields.composite",
    "django.contrib.gis.db.models", "django.contrib.gis.db.models.fields",
]  # fmt: skip
# every module below these packages is imported, so that every Field subclass is defined
FIELD_PACKAGES = ["django.db.models", "django.contrib.postgres", "django.contrib.contenttypes", "django.contrib.gis.db"]


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


def _import_all(package: str) -> None:
    try:
        root = importlib.import_module(package)
    except Exception as exc:  # noqa: BLE001  (contrib.gis without GDAL)
        print(f"skip {package}: {exc}", file=sys.stderr)
        return
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), prefix=package + "."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001  (a backend's driver missing)
            print(f"skip {info.name}: {exc}", file=sys.stderr)


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def _probes(cls: type):
    """Instances of the field class, built with each argument list it accepts."""
    from django.db import models

    attempts = [
        ((), {}), ((models.IntegerField(),), {}), (("contenttypes.ContentType",), {}),
        (("contenttypes.ContentType",), {"on_delete": models.CASCADE}),
        ((), {"from_fields": ["id"], "to_fields": ["id"], "to": "contenttypes.ContentType", "on_delete": models.CASCADE}),
        ((), {"expression": models.Value(1), "output_field": models.IntegerField(), "db_persist": True}),
        (("id",), {}),
    ]  # fmt: skip
    for args, kwargs in attempts:
        try:
            yield cls(*args, **kwargs)
        except Exception:  # noqa: BLE001, S112
            continue


_PROBES = 0


def _private(field) -> bool | None:
    """Whether ModelState.from_model leaves the field out (None: it cannot be tried)."""
    global _PROBES
    from django.db import models
    from django.db.migrations.state import ModelState

    _PROBES += 1
    meta = type("Meta", (), {"app_label": "djstate_probe"})
    attrs = {"__module__": "djstate_probe.models", "Meta": meta, "probe": field}
    try:
        model = type(f"Probe{_PROBES}", (models.Model,), attrs)
        state = ModelState.from_model(model)
    except Exception:  # noqa: BLE001
        return None
    return "probe" not in state.fields


def field_table() -> tuple[dict[str, dict], dict[type, str]]:
    """Every field class Django defines: written path -> what djstate needs to know of it,
    and each class's written path (what its deconstruct returns)."""
    for package in FIELD_PACKAGES:
        _import_all(package)
    classes = []
    for cls in dict.fromkeys([Field, *_subclasses(Field)]):
        if not cls.__module__.startswith("django.") or cls.__name__.startswith("_"):
            continue
        if any(part.startswith("_") or part == "tests" for part in cls.__module__.split(".")):
            continue
        classes.append(cls)
    paths: dict[type, str] = {}
    private: dict[type, bool] = {}
    for cls in classes:
        paths[cls] = written_path(cls)
        for instance in _probes(cls):  # the first instance that deconstructs and fits a model
            try:
                path = instance.deconstruct()[1]
            except Exception:  # noqa: BLE001, S112
                continue
            left_out = _private(instance)
            if left_out is not None:
                paths[cls], private[cls] = path, left_out
                break
        else:
            print(f"no instance of {cls.__module__}.{cls.__qualname__} fits a model", file=sys.stderr)
    fields: dict[str, dict] = {}
    for cls, path in paths.items():
        fields[path] = {
            "bases": [paths.get(b, written_path(b)) for b in cls.__mro__[1:] if issubclass(b, Field)],
            "own_rules": "__init__" in cls.__dict__ or "deconstruct" in cls.__dict__,
            "private": private.get(cls, False),
        }
    return fields, paths


FIELDS, FIELD_PATHS = field_table()


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
            target = FIELD_PATHS.get(obj, written_path(obj))
            for alias in (f"{name}.{attr}", f"{obj.__module__}.{obj.__qualname__}"):
                if alias != target:
                    table[alias] = target
    for cls, target in FIELD_PATHS.items():  # ArrayField: the module's path -> the written one
        own = f"{cls.__module__}.{cls.__qualname__}"
        if own != target:
            table[own] = target
    out = pathlib.Path(__file__).resolve().parent.parent / "djstate" / "data" / "django_paths.json"
    data = {"django": django.get_version(), "paths": dict(sorted(table.items())), "fields": dict(sorted(FIELDS.items()))}
    out.write_text(json.dumps(data, indent=0) + "\n")
    print(f"{len(table)} aliases, {len(FIELDS)} field classes from Django {django.get_version()} -> {out}")


if __name__ == "__main__":
    main()
