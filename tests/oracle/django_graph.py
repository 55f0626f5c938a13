"""Oracle for the graph rules: what Django's MigrationLoader says about a small project.

    python tests/oracle/django_graph.py ROOT app1 app2 ...

Prints JSON: the exception class Django raises while building the graph (if any), the
conflicts ``detect_conflicts()`` reports, and the apps it treats as unmigrated.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    root, apps = sys.argv[1], sys.argv[2:]
    sys.path.insert(0, root)
    import django
    from django.conf import settings

    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *apps],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    )
    django.setup()
    from django.db.migrations.loader import MigrationLoader

    out = {"error": None, "conflicts": {}, "unmigrated": [], "migrate_error": None}
    try:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        out["conflicts"] = loader.detect_conflicts()
        out["unmigrated"] = sorted(loader.unmigrated_apps & set(a.rsplit(".", 1)[-1] for a in apps))
        loader.project_state().apps  # render: lazy-reference errors surface here
    except Exception as exc:  # the oracle reports whatever Django raises
        out["error"] = type(exc).__name__
    if out["error"] is None and not out["conflicts"]:
        from django.core.management import call_command

        try:  # apply everything to an in-memory SQLite database
            call_command("migrate", verbosity=0)
        except Exception as exc:
            out["migrate_error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
