"""Generate djstate/data/django_lookups.json from an installed Django (run in the test venv).

For every model field class Django ships (every ``Field`` subclass defined in ``django.*`` once
Django's models, contenttypes, contrib.postgres and, with GDAL, contrib.gis are imported) it
records what a query may put after the field's name, as Django itself answers it:

- ``lookups``: ``field.get_lookups()`` (``exact``, ``icontains``, ``year``'s ``gte`` ...);
- ``transforms``: ``field.get_transforms()``, each with the written path of the field class its
  output has (``year`` on a DateField gives an IntegerField), so a chain such as
  ``published_on__year__gte`` can be followed; None when the output cannot be probed;
- ``any_transform``: the field accepts any name as a transform (``JSONField``'s key lookups,
  ``ArrayField``'s indexes and slices): names after it are never judged;
- ``mro``: every dotted name by which a Django module exports the class or one of its Field
  ancestors, so a project's ``CharField.register_lookup(...)`` is known to reach SlugField.

Besides the field table, ``lookup_classes`` maps every dotted name by which a Django module
exports a Lookup or Transform class to its ``lookup_name`` (a project's ``class
IExact(lookups.IExact)`` registers under Django's name).

It is run twice, in two processes: once without ``django.contrib.postgres`` (neither installed
nor imported) and once with it, because ``PostgresConfig.ready()`` and the import of
``contrib.postgres.fields.ranges`` register more lookups (``unaccent``, ``trigram_similar``,
``contained_by`` ...) on Django's own fields. The second run's additions, and the field classes
only it defines (``ArrayField``), are stored under ``postgres``. Never edit the JSON by hand.

    .venv/bin/python tools/gen_django_lookups.py
"""

from __future__ import annotations

import importlib
import json
import pathlib
import pkgutil
import subprocess
import sys

OUT = pathlib.Path(__file__).resolve().parent.parent / "djstate" / "data" / "django_lookups.json"
PACKAGES = ["django.db.models", "django.contrib.contenttypes", "django.contrib.postgres", "django.contrib.gis.db.models"]


def _collect(with_postgres: bool) -> dict:
    import django
    from django.conf import settings

    apps = ["django.contrib.contenttypes", "django.contrib.auth"]
    try:  # contrib.gis needs the GDAL library
        from django.contrib.gis import gdal  # noqa: F401

        apps.append("django.contrib.gis")
    except Exception:  # noqa: BLE001
        pass
    settings.configure(INSTALLED_APPS=apps + (["django.contrib.postgres"] if with_postgres else []))
    django.setup()
    from django.db import models
    from django.db.models import Field, Value
    from django.db.models.lookups import Lookup, Transform

    for package in PACKAGES:
        if with_postgres or not package.startswith("django.contrib.postgres"):
            _import_all(package)  # importing contrib.postgres registers lookups on Django's fields
    exported = _exported_names()
    table: dict[str, dict] = {}
    for cls in dict.fromkeys([Field, *_subclasses(Field)]):
        if not cls.__module__.startswith("django."):
            continue
        probe = next(_probes(cls, models), None)
        path = _written_path(cls, probe)
        # get_lookups() holds both kinds: Django asks get_lookup() for a final name and
        # get_transform() for any name, and each accepts only its own kind
        registered = (cls if probe is None else probe).get_lookups()
        lookups = sorted(n for n, c in registered.items() if issubclass(c, Lookup))
        transforms = {n: _output_path(c, probe, Value) for n, c in sorted(registered.items()) if issubclass(c, Transform)}
        any_transform = False
        if probe is not None:
            for name in ("djstate_probe_key", "0"):
                try:
                    any_transform = any_transform or probe.get_transform(name) is not None
                except Exception:  # noqa: BLE001
                    pass
        mro = sorted({name for c in cls.__mro__ if isinstance(c, type) and issubclass(c, Field) for name in exported.get(c, ())})
        table[path] = {"class": cls.__name__, "lookups": lookups, "transforms": transforms, "any_transform": any_transform,
                       "mro": mro}  # fmt: skip
    lookup_classes = {name: c.lookup_name for c, names in exported.items() if issubclass(c, (Lookup, Transform))
                      and isinstance(getattr(c, "lookup_name", None), str) for name in names}  # fmt: skip
    return {"django": django.get_version(), "fields": table, "lookup_classes": dict(sorted(lookup_classes.items()))}


def _exported_names() -> dict[type, set[str]]:
    """Every class to the dotted names Django's imported modules export it under."""
    names: dict[type, set[str]] = {}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("django.") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if issubclass(type(value), type) and str(getattr(value, "__module__", "")).startswith("django."):  # no lazy object is touched
                names.setdefault(value, set()).add(f"{module_name}.{attr}")
    return names


def _written_path(cls: type, probe) -> str:
    if probe is not None:
        try:
            return probe.deconstruct()[1]
        except Exception:  # noqa: BLE001
            pass
    return f"{cls.__module__}.{cls.__qualname__}"


def _output_path(transform: type, probe, value_class) -> str | None:
    """The written path of the field class a transform's output has, probed on the field."""
    if probe is None:
        return None
    try:
        output = transform(value_class(None, output_field=probe)).output_field
    except Exception:  # noqa: BLE001
        return None
    return _written_path(type(output), output)


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


def _probes(cls: type, models):
    """Instances of the field class, built with each argument list it accepts."""
    attempts = [
        ((), {}), ((), {"max_digits": 6, "decimal_places": 2}), ((models.IntegerField(),), {}),
        (("contenttypes.ContentType",), {"on_delete": models.CASCADE}), (("contenttypes.ContentType",), {}),
        ((), {"from_fields": ["id"], "to_fields": ["id"], "to": "contenttypes.ContentType", "on_delete": models.CASCADE}),
        ((), {"expression": models.Value(1), "output_field": models.IntegerField(), "db_persist": True}),
    ]  # fmt: skip
    for args, kwargs in attempts:
        try:
            yield cls(*args, **kwargs)
        except Exception:  # noqa: BLE001, S112
            continue


def main() -> None:
    if sys.argv[1:] in (["--base"], ["--postgres"]):
        print(json.dumps(_collect(sys.argv[1] == "--postgres")))
        return
    runs = {}
    for mode in ("--base", "--postgres"):
        proc = subprocess.run([sys.executable, __file__, mode], capture_output=True, text=True, check=True)
        runs[mode] = json.loads(proc.stdout)
    base, extra = runs["--base"], runs["--postgres"]
    postgres = {}
    for path, entry in extra["fields"].items():
        before = base["fields"].get(path)
        if before is None:
            postgres[path] = entry
            continue
        added = {
            "lookups": sorted(set(entry["lookups"]) - set(before["lookups"])),
            "transforms": {n: o for n, o in entry["transforms"].items() if n not in before["transforms"]},
        }
        if added["lookups"] or added["transforms"]:
            postgres[path] = added
    lookup_classes = {**base["lookup_classes"], **extra["lookup_classes"]}
    data = {"django": base["django"], "fields": base["fields"], "postgres": postgres,
            "lookup_classes": dict(sorted(lookup_classes.items()))}
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}: {len(base['fields'])} field classes, {len(postgres)} with contrib.postgres additions")


if __name__ == "__main__":
    main()
