"""Query recall with the project's virtualenv (issue 13, DJS5xx), without false errors:

- a manager class of the virtualenv (mptt's TreeManager, treebeard's MP_NodeManager) is read like
  the tree's: its get_queryset() that returns ``super().get_queryset().order_by(...)`` adds no
  name, so queries through it are judged (mayan-edms' IndexTemplateNode, wagtail's Collection);
- a hop through django.contrib's auth.User is judged on the User read from the virtualenv
  (mayan-edms' ``UserOTPData.objects.get(user__username=...)``); a name that a package of the
  virtualenv may give the user as a reverse relation (``pins``) stays unjudged;
- a ``related_query_name`` on a relation to a model of the virtualenv (auth's Group) names that
  model only: another model is judged (wagtail's EditingSession.user).

Every line marked ``# expect:`` is run against Django with SQLite (the virtualenv's apps
installed) and must raise FieldError, every other line of ``good``/``bad`` must run."""

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

HEAD = "import django.db.models.deletion\nfrom django.conf import settings\nfrom django.db import migrations, models\n\n\n"
ID = '("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))'
APPS = ["django.contrib.contenttypes", "django.contrib.auth", "pinboard", "grove"]

SITE = {  # the virtualenv's site-packages: a tree library and an installed app
    "treelib/__init__.py": "",
    "treelib/managers.py": textwrap.dedent('''\
        from django.db import models


        class TreeQuerySet(models.QuerySet):
            def roots(self):
                return self.filter(parent=None)


        class TreeManager(models.Manager.from_queryset(TreeQuerySet)):
            """mptt's: keeps nodes in tree order."""

            order_attr = "label"

            def get_queryset(self, *args, **kwargs):
                return super().get_queryset(*args, **kwargs).order_by(self.order_attr)
        '''),
    "pinboard/__init__.py": "",
    "pinboard/apps.py": "from django.apps import AppConfig\n\n\nclass PinboardConfig(AppConfig):\n    name = 'pinboard'\n",
    "pinboard/models.py": textwrap.dedent('''\
        from django.conf import settings
        from django.db import models


        class Pin(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="pins")
        '''),
    "pinboard/migrations/__init__.py": "",
    "pinboard/migrations/0001_initial.py": HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            operations = [
                migrations.CreateModel(name="Pin", fields=[
                    {ID},
                    ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pins", to=settings.AUTH_USER_MODEL)),
                ]),
            ]
        '''),
}

TREE = {
    "settings.py": f"INSTALLED_APPS = {APPS!r}\n",
    "grove/__init__.py": "",
    "grove/apps.py": "from django.apps import AppConfig\n\n\nclass GroveConfig(AppConfig):\n    name = 'grove'\n",
    "grove/models.py": textwrap.dedent('''\
        from django.conf import settings
        from django.contrib.auth.models import Group
        from django.db import models

        from treelib.managers import TreeManager


        class Node(models.Model):
            label = models.CharField(max_length=50)
            parent = models.ForeignKey("self", models.CASCADE, null=True, related_name="children")
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, related_name="nodes")
            groups = models.ManyToManyField(Group, blank=True, related_query_name="member")

            objects = TreeManager()
        '''),
    "grove/migrations/__init__.py": "",
    "grove/migrations/0001_initial.py": HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL), ("auth", "0012_alter_user_first_name_max_length")]
            operations = [
                migrations.CreateModel(name="Node", fields=[
                    {ID},
                    ("label", models.CharField(max_length=50)),
                    ("parent", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="children", to="grove.node")),
                    ("owner", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="nodes", to=settings.AUTH_USER_MODEL)),
                    ("groups", models.ManyToManyField(blank=True, related_query_name="member", to="auth.group")),
                ]),
            ]
        '''),
    "grove/queries.py": textwrap.dedent('''\
        from grove.models import Node


        def good():
            Node.objects.filter(label="x").exists()
            Node.objects.roots().filter(children__label="x").exists()
            Node.objects.filter(owner__username="x").exists()
            Node.objects.filter(owner__groups__name="x").exists()
            Node.objects.filter(owner__nodes__label="x").exists()
            Node.objects.filter(owner__pins__isnull=True).exists()
            Node.objects.select_related("owner").exists()
            Node.objects.filter(groups__member__label="x").exists()


        def bad():
            Node.objects.filter(lable="x")  # expect: DJS501
            Node.objects.roots().exclude(lable="x")  # expect: DJS501
            Node.objects.filter(owner__djsmuthop__username="x")  # expect: DJS501
            Node.objects.filter(owner__usernme="x")  # expect: DJS501
            Node.objects.values("owner__groups__nme")  # expect: DJS501
            Node.objects.filter(member__label="x")  # expect: DJS501
        '''),
}


def _layout(tmp_path):
    # Django is in the virtualenv too: auth.User is read from it
    site = write_project(tmp_path / "venv" / "site-packages", SITE, symlinks={"django": os.path.dirname(django.__file__)})
    root = write_project(tmp_path / "proj", TREE)
    return root, site


def _scan(root, site_packages):
    config = load_config(root, {"site_packages": site_packages, "settings": "settings"})
    return scan(root, config, FactsStore(root, None, jobs=1))


def _query_findings(result):
    return {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}


def test_with_the_virtualenv_djstate_reports_exactly_the_marked_lines(tmp_path):
    root, site = _layout(tmp_path)
    result = _scan(root, (str(site),))
    assert _query_findings(result) == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    unjudged = {u.line for u in result.project.unjudged if u.reason == "query-unknown" and u.path == "grove/queries.py"}
    source = (root / "grove/queries.py").read_text().splitlines()
    assert source.index('    Node.objects.filter(owner__pins__isnull=True).exists()') + 1 in unjudged


def test_without_a_virtualenv_the_hops_through_the_user_stay_unjudged(tmp_path):
    root, _ = _layout(tmp_path)
    reported = {line for _, line, _ in _query_findings(_scan(root, ()))}
    source = (root / "grove/queries.py").read_text().splitlines()
    through_user = {number for number, line in enumerate(source, 1) if "owner__" in line}
    assert len(through_user) == 7 and not reported & through_user


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root, site = _layout(tmp_path)
    proc = subprocess.run([sys.executable, "-c", RUNNER, "grove.queries", "good,bad", ",".join(APPS), "{}", "0"],
                          capture_output=True, text=True, timeout=300, cwd=root,
                          env=dict(os.environ, PYTHONPATH=f"{root}{os.pathsep}{site}"), check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout)
    marked = {line for path, line, _ in expected_markers(root) if path == "grove/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if int(line) in marked else None), (line, error)
    assert len(marked) == 6 and marked <= {int(line) for line in outcome}
