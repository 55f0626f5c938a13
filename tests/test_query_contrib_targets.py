"""A hop through a django.contrib model other than the user, group or content type (sites.Site,
auth.Permission, redirects, flatpages, admin's LogEntry) is judged on that model read from the
project's virtualenv (a name other packages' relations may give it stays unjudged): django-newsletter's ``Newsletter.objects.filter(site__id=...)``. Without a
virtualenv the hop stays unjudged. Every marked line raises FieldError in Django (SQLite, the
contrib apps installed); every other line runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import django

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import scan
from tests.conftest import expected_markers, write_project
from tests.oracle.statements import RUNNER

APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sites", "letters"]
TREE = {
    "letters/__init__.py": "",
    "letters/apps.py": "from django.apps import AppConfig\n\n\nclass LettersConfig(AppConfig):\n    name = 'letters'\n",
    "letters/models.py": textwrap.dedent('''\
        from django.contrib.sites.models import Site
        from django.db import models


        class Letter(models.Model):
            title = models.CharField(max_length=20)
            site = models.ForeignKey(Site, on_delete=models.CASCADE)
            permissions = models.ManyToManyField("auth.Permission")
        '''),
    "letters/migrations/__init__.py": "",
    "letters/migrations/0001_initial.py": textwrap.dedent('''\
        import django.db.models.deletion
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = [("auth", "0012_alter_user_first_name_max_length"), ("sites", "0002_alter_domain_unique")]
            operations = [
                migrations.CreateModel(
                    name="Letter",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=20)),
                        ("site", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="sites.site")),
                        ("permissions", models.ManyToManyField(to="auth.permission")),
                    ],
                ),
            ]
        '''),
    "letters/queries.py": textwrap.dedent('''\
        from letters.models import Letter


        def good():
            Letter.objects.filter(site__domain="x", permissions__codename="y").count()


        def bad():
            Letter.objects.filter(site__domian="x").count()  # expect: DJS501
        '''),
}


def _layout(tmp_path):
    site = write_project(tmp_path / "venv" / "site-packages", {"placeholder.py": ""},
                         symlinks={"django": os.path.dirname(django.__file__)})  # fmt: skip
    root = write_project(tmp_path / "proj", TREE)
    return root, site


def _reported(root, site_packages):
    config = load_config(root, {"site_packages": site_packages})
    result = scan(root, config, FactsStore(root, None, jobs=1))
    return {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}


def test_with_the_virtualenv_the_contrib_hops_are_judged(tmp_path):
    root, site = _layout(tmp_path)
    assert _reported(root, (str(site),)) == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    assert _reported(root, ()) == set()  # without it, the hops stay unjudged


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root, _ = _layout(tmp_path)
    proc = subprocess.run([sys.executable, "-c", RUNNER, "letters.queries", "good,bad", ",".join(APPS), "{}", "0"],
                          capture_output=True, text=True, timeout=300, cwd=root,
                          env=dict(os.environ, PYTHONPATH=str(root)), check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = {int(line): error for line, error in json.loads(proc.stdout).items()}
    marked = {line for path, line, _ in expected_markers(root) if path == "letters/queries.py"}
    assert outcome == {line: ("FieldError" if line in marked else None) for line in outcome} and len(marked) == 1
