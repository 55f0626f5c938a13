"""A released wheel without manage.py whose settings djstate cannot find (weblate: its one
`settings` module is a string extractor's, `INSTALLED_APPS: list[str] = []`): AUTH_USER_MODEL
is unknown, so a user model of the tree may be the one installed apps point at, and names such
as authtoken's `auth_token` are not reported on it. Django accepts the query once the project's
real settings install authtoken (checked below with Django and DRF on SQLite)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import run_scan, write_project

MODELS = (
    "from django.contrib.auth.models import AbstractUser\n"
    "from django.db import models\n\n\n"
    "class User(AbstractUser):\n"
    "    full_name = models.CharField(max_length=100, blank=True)\n\n\n"
    "class Team(models.Model):\n"
    "    name = models.CharField(max_length=100)\n"
)
QUERIES = (
    "from .models import Team, User\n\n\n"
    "def by_token(key):\n"
    "    return User.objects.get(auth_token__key=key)\n\n\n"
    "def teams():\n"
    "    return Team.objects.filter(nmae='x')\n"
)
FILES = {
    "webapp/__init__.py": "",
    "webapp/accounts/__init__.py": "",
    "webapp/accounts/models.py": MODELS,
    "webapp/accounts/queries.py": QUERIES,
    "webapp/extract/__init__.py": "",
    # a helper command's settings: the only module called settings, and it installs nothing
    "webapp/extract/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS: list[str] = []\n",
}


def test_a_settings_module_that_installs_no_app_is_not_the_projects(tmp_path):
    result = run_scan(write_project(tmp_path, FILES))
    assert result.project.settings_path is None


def test_a_user_model_may_have_reverse_names_of_installed_apps_when_settings_are_unknown(tmp_path):
    # Django read from this venv as source, as weblate's from its own: AbstractUser is known whole
    import sysconfig

    from djstate.cache import FactsStore
    from djstate.config import load_config
    from djstate.engine import scan

    root = write_project(tmp_path, FILES)
    config = load_config(root, {"site_packages": (sysconfig.get_paths()["purelib"],)})
    result = scan(root, config, FactsStore(root, None, jobs=1))
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    # the user model's names are not judged; the other model's still are
    assert got == {("webapp/accounts/queries.py", 9, "DJS501")}


RUNNER = r"""
import json, django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "rest_framework.authtoken",
                    "webapp.accounts"],
    AUTH_USER_MODEL="accounts.User",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()
from django.core.exceptions import FieldError
from webapp.accounts.models import Team, User
out = {}
for name, make in (("auth_token", lambda: User.objects.filter(auth_token__key="k")),
                   ("nmae", lambda: Team.objects.filter(nmae="x"))):
    try:
        str(make().query)
        out[name] = None
    except FieldError as exc:
        out[name] = type(exc).__name__
print(json.dumps(out))
"""


@pytest.mark.oracle
def test_django_accepts_the_reverse_name_and_rejects_the_typo(tmp_path):
    root = write_project(tmp_path, FILES)
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, "-c", RUNNER], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"auth_token": None, "nmae": "FieldError"}
