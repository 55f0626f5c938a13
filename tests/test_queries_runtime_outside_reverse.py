"""Reverse names that models of the project's virtualenv may give a model of the tree (issue 13's
recall on pretalx's User and django-comments-xtd's XtdComment).

The AUTH_USER_MODEL target and a model whose concrete parent is read from the virtualenv may be
pointed at by models outside the tree. Without a virtualenv any name may be such a reverse
relation and queries on those models stay unjudged; with one, a name is an error only when no
file of the virtualenv could give it (no literal related_name / related_query_name, no model
class of that name): djstate.state.outside_names. A class with no base or only ``object``
(cssutils' ``class Profiles:``) is no model and gives no name.

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

MIGRATION_HEAD = "import django.db.models.deletion\nfrom django.conf import settings\nfrom django.db import migrations, models\n\n\n"
ID = '("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))'

SITE = {  # the virtualenv's site-packages: two installed apps and a library
    "cssstyles/__init__.py": "",
    "cssstyles/profiles.py": "class Profiles:\n    pass\n\n\nclass Macros(object):\n    pass\n",
    "ledger/__init__.py": "",
    "ledger/apps.py": "from django.apps import AppConfig\n\n\nclass LedgerConfig(AppConfig):\n    name = 'ledger'\n",
    "ledger/models.py": textwrap.dedent('''\
        from django.conf import settings
        from django.db import models


        class Owned(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)

            class Meta:
                abstract = True


        class Entry(Owned):
            """Its abstract base holds the relation: the user gets `entry` in queries."""

            amount = models.IntegerField(default=0)


        class Badge(models.Model):
            holder = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="badges")
        '''),
    "ledger/migrations/__init__.py": "",
    "ledger/migrations/0001_initial.py": MIGRATION_HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            operations = [
                migrations.CreateModel(name="Entry", fields=[
                    {ID},
                    ("amount", models.IntegerField(default=0)),
                    ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
                ]),
                migrations.CreateModel(name="Badge", fields=[
                    {ID},
                    ("holder", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="badges", to=settings.AUTH_USER_MODEL)),
                ]),
            ]
        '''),
    "remarks/__init__.py": "",
    "remarks/apps.py": "from django.apps import AppConfig\n\n\nclass RemarksConfig(AppConfig):\n    name = 'remarks'\n",
    "remarks/models.py": textwrap.dedent('''\
        from django.db import models


        class Remark(models.Model):
            """django_comments' Comment: a concrete parent of a model of the tree."""

            text = models.CharField(max_length=50)


        class Flag(models.Model):
            remark = models.ForeignKey(Remark, models.CASCADE, related_name="flags")
        '''),
    "remarks/migrations/__init__.py": "",
    "remarks/migrations/0001_initial.py": MIGRATION_HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(name="Remark", fields=[{ID}, ("text", models.CharField(max_length=50))]),
                migrations.CreateModel(name="Flag", fields=[
                    {ID},
                    ("remark", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="flags", to="remarks.remark")),
                ]),
            ]
        '''),
}

TREE = {
    "settings.py": "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', 'ledger', 'remarks', 'people', 'crew']\n"
                   "AUTH_USER_MODEL = 'people.User'\n",
    "people/__init__.py": "",
    "people/apps.py": "from django.apps import AppConfig\n\n\nclass PeopleConfig(AppConfig):\n    name = 'people'\n",
    "people/models.py": textwrap.dedent('''\
        from django.conf import settings
        from django.contrib.auth.models import AbstractBaseUser
        from django.db import models

        from remarks.models import Remark


        class User(AbstractBaseUser):
            email = models.EmailField(unique=True)

            USERNAME_FIELD = "email"


        class Team(models.Model):
            members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams")


        class Reply(Remark):
            level = models.IntegerField(default=0)
        '''),
    "people/migrations/__init__.py": "",
    "people/migrations/0001_initial.py": MIGRATION_HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = [("remarks", "0001_initial")]
            operations = [
                migrations.CreateModel(name="User", fields=[
                    {ID},
                    ("password", models.CharField(max_length=128, verbose_name="password")),
                    ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                    ("email", models.EmailField(max_length=254, unique=True)),
                ], options={{"abstract": False}}),
                migrations.CreateModel(name="Team", fields=[
                    {ID},
                    ("members", models.ManyToManyField(related_name="teams", to=settings.AUTH_USER_MODEL)),
                ]),
                migrations.CreateModel(name="Reply", fields=[
                    ("remark_ptr", models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to="remarks.remark")),
                    ("level", models.IntegerField(default=0)),
                ], bases=("remarks.remark",)),
            ]
        '''),
    "crew/__init__.py": "",
    "crew/apps.py": "from django.apps import AppConfig\n\n\nclass CrewConfig(AppConfig):\n    name = 'crew'\n",
    "crew/models.py": textwrap.dedent('''\
        from django.contrib.auth import get_user_model
        from django.db import models

        User = get_user_model()


        class Seat(models.Model):
            """edx-enterprise's user_fk: a relation to get_user_model() is one to AUTH_USER_MODEL."""

            user = models.ForeignKey(User, models.CASCADE, related_name="seats")
            label = models.CharField(max_length=50)
        '''),
    "crew/migrations/__init__.py": "",
    "crew/migrations/0001_initial.py": MIGRATION_HEAD + textwrap.dedent(f'''\
        class Migration(migrations.Migration):
            initial = True
            dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            operations = [
                migrations.CreateModel(name="Seat", fields=[
                    {ID},
                    ("label", models.CharField(max_length=50)),
                    ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="seats", to=settings.AUTH_USER_MODEL)),
                ]),
            ]
        '''),
    "people/queries.py": textwrap.dedent('''\
        from people.models import Reply, User


        def good():
            User.objects.filter(teams__isnull=True, email="x")
            User.objects.filter(entry__amount__gt=1)
            User.objects.filter(badges__isnull=True).prefetch_related("badges", "entry_set")
            Reply.objects.filter(text="x", level__gt=1, flags__isnull=True)
            Reply.objects.order_by("-level").values("remark_ptr__text")
            User.objects.filter(seats__label="x")


        def bad():
            User.objects.filter(team__isnull=True)  # expect: DJS502
            User.objects.filter(emial="x")  # expect: DJS501
            User.objects.filter(teams__djsmuthop__isnull=True)  # expect: DJS501
            Reply.objects.filter(levl__gt=1)  # expect: DJS501
            Reply.objects.filter(flagged__isnull=True)  # expect: DJS501
            User.objects.filter(seat__label="x")  # expect: DJS502
            User.objects.filter(profiles__isnull=True)  # expect: DJS501
            User.objects.filter(macros="x")  # expect: DJS501
        '''),
}

RUNNER = r"""
import ast, json
import django
from django.conf import settings

settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "ledger", "remarks", "people", "crew"],
                   AUTH_USER_MODEL="people.User", DEFAULT_AUTO_FIELD="django.db.models.AutoField",
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from people import queries
source = open(queries.__file__).read()
out = {}
for func in ("good", "bad"):
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == func)
    for stmt in node.body:
        try:
            exec(compile(ast.Module([stmt], []), "<case>", "exec"), vars(queries))
            out[str(stmt.lineno)] = None
        except Exception as exc:
            out[str(stmt.lineno)] = type(exc).__name__
print(json.dumps(out))
"""


def _layout(tmp_path):
    # Django is in the virtualenv too: AbstractBaseUser is read from it
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


def test_without_a_virtualenv_those_models_stay_unjudged(tmp_path):
    root, _ = _layout(tmp_path)
    result = _scan(root, ())
    # only the hop past the user, on Team (no model outside the tree may point at Team), is judged
    assert [(f.model, f.code) for f in result.findings if f.code.startswith("DJS50")] == [("Team", "DJS501")]
    unjudged = {u.unit for u in result.project.unjudged if u.reason == "query-unknown"}
    assert {"query people.User", "query people.Reply"} <= unjudged


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root, site = _layout(tmp_path)
    proc = subprocess.run([sys.executable, "-c", RUNNER], capture_output=True, text=True, timeout=300, cwd=root,
                          env=dict(os.environ, PYTHONPATH=f"{root}{os.pathsep}{site}"), check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout)
    marked = {line for path, line, _ in expected_markers(root) if path == "people/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if int(line) in marked else None), (line, error)
    assert len(marked) == 8 and marked <= {int(line) for line in outcome}
