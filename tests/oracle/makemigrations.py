"""Let Django itself write a fixture project's migrations (``makemigrations``) in a subprocess,
so a fixture's starting point is exactly what Django generates for its models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Configures Django for the app packages named on the command line, with SQLite in memory.
SETTINGS = r'''
import sys

import django
from django.conf import settings

modules = sys.argv[1:]
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *modules],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
)
django.setup()
'''

SCRIPT = SETTINGS + r'''from django.core.management import call_command

call_command("makemigrations", *[m.rsplit(".", 1)[-1] for m in modules], verbosity=0)
'''


def make_migrations(root: Path, modules: list[str], python: str | None = None) -> None:
    """Write the migrations Django generates for ``modules`` (app packages under ``root``)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [python or sys.executable, "-c", SCRIPT, *modules],
        capture_output=True, text=True, timeout=120, env=env, cwd=root,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"makemigrations failed:\n{proc.stderr[-4000:]}")
