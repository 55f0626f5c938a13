"""Reading the project's Django version (djstate/django_version.py), the django_version key,
and what the version changes in the drift comparison (djstate/state/versions.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.config import ConfigError, load_config
from djstate.django_version import LATEST, find_django_version, judge_spec, requirement_spec
from djstate.state.fields import FieldState
from djstate.facts.values import Call
from djstate.state.versions import adjust_field, alter_operations, changed_object, version_adjust
from tests.conftest import run_scan, write_project


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Django>=4.2,<5.0", (4, 2)),  # the highest the range allows
        ("django==3.2.25", (3, 2)),
        ("Django[argon2]~=4.1.0", (4, 1)),
        ("Django~=5.0", (5, 2)),  # ~=5.0 is >=5.0,==5.*
        ("Django==4.2.*", (4, 2)),
        ("Django (>=4.0, <4.2)", (4, 1)),
        ('django<5.3,!=5.2.*; python_version > "3.8"', (5, 1)),
        ("Django>=4.2", LATEST),
        ("Django", LATEST),
        ("Django==2.2.28", (3, 2)),  # older than supported: judged as the oldest
        ("Django>=7.0", LATEST),
    ],
)
def test_requirement_lines(line, expected):
    spec = requirement_spec(line)
    assert spec is not None
    assert judge_spec(spec)[0] == expected


@pytest.mark.parametrize("line", ["django-filter>=2", "djangorestframework==3.15", "# Django==4.2", "-r base.txt"])
def test_other_packages_are_not_django(line):
    assert requirement_spec(line) is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("^4.2", (4, 2)), ("~4.1", (4, 1)), ("4.2.*", (4, 2)), ("4.2.11", (4, 2)), ("^5", (5, 2)), ("*", LATEST),
     (">=3.2,<4.1", (4, 0))],
)  # fmt: skip
def test_poetry_constraints(spec, expected):
    assert judge_spec(spec)[0] == expected


def found(tmp_path: Path, files: dict, root: str = ".", **kwargs):
    write_project(tmp_path, files)
    return find_django_version((tmp_path / root).resolve(), **kwargs)


def test_requirements_txt_with_include(tmp_path):
    result = found(tmp_path, {"requirements.txt": "-r requirements/base.txt\nrequests\n",
                              "requirements/base.txt": "celery>=5\nDjango>=4.1,<4.2  # LTS soon\n"})  # fmt: skip
    assert (result.version, result.source) == ((4, 1), "requirements.txt")
    assert result.detail == "Django>=4.1,<4.2"


def test_pip_compile_output(tmp_path):
    text = "asgiref==3.8.1 \\\n    --hash=sha256:aa\ndjango==4.2.16 \\\n    --hash=sha256:bb \\\n    --hash=sha256:cc\n    # via -r requirements.in\n"
    result = found(tmp_path, {"requirements.txt": text})
    assert (result.version, result.detail) == ((4, 2), "Django==4.2.16")


def test_requirements_folder(tmp_path):
    result = found(tmp_path, {"requirements/prod.txt": "django==4.0.10\n"})
    assert (result.version, result.source) == ((4, 0), "requirements/prod.txt")


def test_include_cycle_terminates(tmp_path):
    result = found(tmp_path, {"requirements.txt": "-r other.txt\n", "other.txt": "-r requirements.txt\nDjango==5.0.1\n"})
    assert result.version == (5, 0)


def test_pyproject_project_dependencies(tmp_path):
    text = '[project]\nname = "x"\ndependencies = ["requests", "Django>=5.0,<5.1"]\n'
    assert found(tmp_path, {"pyproject.toml": text}).version == (5, 0)


def test_pyproject_optional_dependencies(tmp_path):
    text = '[project]\nname = "x"\n[project.optional-dependencies]\nweb = ["django~=4.2.0"]\n'
    assert found(tmp_path, {"pyproject.toml": text}).version == (4, 2)


def test_pyproject_poetry(tmp_path):
    text = '[tool.poetry.dependencies]\npython = "^3.10"\nDjango = {version = "^4.1", extras = ["argon2"]}\n'
    result = found(tmp_path, {"pyproject.toml": text})
    assert (result.version, result.source) == ((4, 2), "pyproject.toml")  # ^4.1: >=4.1,<5


def test_lock_files_win_over_ranges(tmp_path):
    files = {
        "requirements.txt": "Django>=4.2\n",
        "uv.lock": 'version = 1\n[[package]]\nname = "django"\nversion = "4.2.16"\n',
    }
    result = found(tmp_path, files)
    assert (result.version, result.source, result.detail) == ((4, 2), "uv.lock", "Django==4.2.16")


def test_poetry_lock(tmp_path):
    text = '[[package]]\nname = "asgiref"\nversion = "3.8.1"\n\n[[package]]\nname = "Django"\nversion = "5.1.4"\n'
    assert found(tmp_path, {"poetry.lock": text}).version == (5, 1)


def test_pipfile_lock(tmp_path):
    text = json.dumps({"_meta": {}, "default": {"django": {"version": "==3.2.25"}}, "develop": {}})
    assert found(tmp_path, {"Pipfile.lock": text}).version == (3, 2)


def test_setup_cfg(tmp_path):
    text = "[metadata]\nname = x\n[options]\ninstall_requires =\n    requests\n    Django>=4.0,<4.1\n"
    assert found(tmp_path, {"setup.cfg": text}).version == (4, 0)


def test_setup_py_is_read_not_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\nsetup(install_requires=['Django>=4.2,<5.0', 'pillow'])\n"
    assert found(tmp_path, {"setup.py": text}).version == (4, 2)
    assert not marker.exists()


def test_walks_up_to_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    result = found(tmp_path, {"requirements.txt": "Django==4.2.7\n", "backend/app/models.py": ""}, root="backend")
    assert (result.version, result.source) == ((4, 2), "../requirements.txt")


def test_does_not_walk_above_a_folder_outside_any_repository(tmp_path):
    result = found(tmp_path, {"requirements.txt": "Django==4.2.7\n", "backend/app/models.py": ""}, root="backend")
    assert result.assumed and result.version == LATEST


def test_site_packages(tmp_path):
    files = {"venv/site/django/__init__.py": 'from x import y\n\nVERSION = (4, 1, 13, "final", 0)\n'}
    result = found(tmp_path, files, site_packages=("venv/site",))
    assert (result.version, result.source, result.detail) == ((4, 1), "site-packages", "Django 4.1.13")


def test_site_packages_dist_info(tmp_path):
    files = {"site/django-5.0.3.dist-info/METADATA": "Metadata-Version: 2.1\nName: Django\nVersion: 5.0.3\n"}
    assert found(tmp_path, files, site_packages=("site",)).version == (5, 0)


def test_config_overrides_files(tmp_path):
    result = found(tmp_path, {"requirements.txt": "Django==4.2.7\n"}, configured="3.2")
    assert (result.version, result.source) == ((3, 2), "config")


@pytest.mark.parametrize("value", ["4.2", "5.2.1"])
def test_config_key(tmp_path, value):
    write_project(tmp_path, {}, config={"django_version": value})
    assert load_config(tmp_path).django_version == value


@pytest.mark.parametrize(("value", "message"), [
    ("4.2", "django[-_]version must be a string"),  # a TOML float
    ('"four"', "django[-_]version must be a string"), ("[4, 2]", "django[-_]version must be a string"),
    ('"3.3"', "not one djstate knows"),  # an older release is accepted (tests/test_old_django_drift.py)
])  # fmt: skip
def test_config_key_errors(tmp_path, value, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.djstate]\ndjango_version = {value}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_wrong_type_exits_2(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\ndjango_version = 4.2\n")
    proc = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(tmp_path), "--no-cache"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and re.search("django[-_]version must be a string", proc.stderr), proc.stderr


def test_scan_reports_the_version(tmp_path):
    write_project(tmp_path, {"requirements.txt": "Django>=4.2,<5.0\n"})
    assert run_scan(tmp_path).stats["django_version"] == {"version": "4.2", "source": "requirements.txt",
                                                          "requirement": "Django>=4.2,<5.0"}  # fmt: skip


def test_summary_says_when_the_version_is_assumed(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(tmp_path), "--no-cache"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0
    # the summary's version part (the environment part follows it)
    assert f"; Django {LATEST[0]}.{LATEST[1]} assumed (no pin found; set django_version)" in proc.stdout.strip().splitlines()[-1]
    (tmp_path / "requirements.txt").write_text("Django==5.1\n")
    proc = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(tmp_path), "--no-cache", "--format", "json"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert json.loads(proc.stdout)["stats"]["django_version"]["version"] == "5.1"


# --- what the version changes -----------------------------------------------------------------


class Model:  # the parts of a ModelState versions.py reads
    def __init__(self, app: str, name: str, options: dict | None = None):
        self.app, self.name, self.options = app, name, options or {}


FK = {"on_delete": "CASCADE", "to": "blog.author"}


def test_related_name_is_formatted_before_4_0():
    kwargs = {**FK, "related_name": "%(app_label)s_%(class)ss", "related_query_name": "%(class)s"}
    old = version_adjust("django.db.models.ForeignKey", kwargs, (3, 2), Model("Blog", "Article"))
    assert old["related_name"] == "blog_articles" and old["related_query_name"] == "article"
    assert version_adjust("django.db.models.ForeignKey", kwargs, (4, 0), Model("blog", "Article")) is kwargs


def test_default_related_name_is_copied_before_4_0():
    model = Model("blog", "Article", {"default_related_name": "%(model_name)ss"})
    assert version_adjust("django.db.models.ForeignKey", dict(FK), (3, 2), model)["related_name"] == "articles"
    assert "related_name" not in version_adjust("django.db.models.ForeignKey", dict(FK), (4, 2), model)


def test_hidden_m2m_is_renamed_before_4_0():
    kwargs = {"to": "blog.author", "related_name": "%(class)s+"}
    out = version_adjust("django.db.models.ManyToManyField", kwargs, (3, 2), Model("blog", "Person"), "fans")
    assert out["related_name"] == "_blog_person_fans_+"


def test_m2m_to_its_own_model_is_not_judged_before_4_0():
    state = FieldState("django.db.models.ManyToManyField", {"to": "blog.person", "blank": True})
    assert adjust_field(state, Model("blog", "Person"), (3, 2), "friends").known is False
    assert adjust_field(state, Model("blog", "Person"), (4, 0), "friends") is state


def test_constraint_message_only_is_alter_constraint_from_5_2():
    def check(message):
        return [Call("django.db.models.CheckConstraint", (), {"condition": "Q", "name": "c", "violation_error_message": message})]

    assert changed_object("constraints", check("a"), check("b"), "c", (5, 1)) == ("RemoveConstraint+AddConstraint", True)
    assert changed_object("constraints", check("a"), check("b"), "c", (5, 2)) == ("AlterConstraint", False)
    other = [Call("django.db.models.CheckConstraint", (), {"condition": "Q2", "name": "c", "violation_error_message": "b"})]
    assert changed_object("constraints", check("a"), other, "c", (6, 1)) == ("RemoveConstraint+AddConstraint", True)


def test_through_fields_only_from_5_2():
    kwargs = {"to": "blog.tag", "through": "blog.Tagging", "through_fields": ("article", "tag")}
    assert "through_fields" not in version_adjust("django.db.models.ManyToManyField", kwargs, (5, 1))
    assert version_adjust("django.db.models.ManyToManyField", kwargs, (5, 2))["through_fields"] == ("article", "tag")


def test_m2m_retarget_is_remove_and_add_from_6_1():
    old = FieldState("django.db.models.ManyToManyField", {"to": "blog.tag"})
    new = FieldState("django.db.models.ManyToManyField", {"to": "blog.label"})
    assert alter_operations(old, new, {"to"}, (6, 0)) == ("AlterField",)
    assert alter_operations(old, new, {"to"}, (6, 1)) == ("RemoveField", "AddField")
    fk_old, fk_new = FieldState("django.db.models.ForeignKey", {**FK}), FieldState("django.db.models.ForeignKey", {**FK, "to": "x.y"})
    assert alter_operations(fk_old, fk_new, {"to"}, (6, 1)) == ("AlterField",)


ABSTRACT_MODELS = '''\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)


class Written(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="%(class)ss")

    class Meta:
        abstract = True


class Article(Written):
    title = models.CharField(max_length=50)
'''

# what Django 3.2's makemigrations writes: the related_name already formatted
MIGRATION_32 = '''\
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=50)),
            ],
        ),
        migrations.CreateModel(
            name='Article',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=50)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='articles', to='blog.author')),
            ],
            options={'abstract': False},
        ),
    ]
'''


@pytest.mark.parametrize(("pin", "drift"), [("Django==3.2.25", set()), ("Django>=4.2,<5.0", {("DJS212", "author")})])
def test_a_project_pinned_to_3_2_has_no_false_alter_field(tmp_path, pin, drift):
    write_project(tmp_path, {
        "requirements.txt": pin + "\n",
        "settings.py": 'INSTALLED_APPS = ["blog"]\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n',
        "manage.py": 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")\n',
        "blog/__init__.py": "", "blog/models.py": ABSTRACT_MODELS,
        "blog/migrations/__init__.py": "", "blog/migrations/0001_initial.py": MIGRATION_32,
    })  # fmt: skip
    result = run_scan(tmp_path)
    assert {(f.code, f.field) for f in result.findings if f.code.startswith("DJS21")} == drift


def test_diff_judges_both_sides_with_the_checkout_version(tmp_path):
    """requirements.txt is not materialised for the left side: both sides use the checkout's pin."""
    from djstate.diff import run_diff

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@x", "PATH": "/usr/bin:/bin"})  # fmt: skip

    write_project(tmp_path, {"requirements.txt": "Django==3.2.25\n", "blog/__init__.py": "", "blog/models.py": ABSTRACT_MODELS,
                             "blog/migrations/__init__.py": "", "blog/migrations/0001_initial.py": MIGRATION_32})  # fmt: skip
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    (tmp_path / "blog/models.py").write_text(ABSTRACT_MODELS + "    # a comment\n")
    result = run_diff(tmp_path, "HEAD", None, None, {})
    for side in (result.left, result.right):
        assert side.result.stats["django_version"]["version"] == "3.2"
    assert result.new_findings == [] and result.fixed_findings == []


def test_release_metadata_of_an_unpacked_wheel(tmp_path):
    """A released package's own Requires-Dist says which Django its migrations were made with."""
    info = tmp_path / "shop-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: shop\nRequires-Dist: Django (>=4.2,<5.0)\n"
        'Requires-Dist: django-debug-toolbar ; extra == "dev"\n'
    )
    found = find_django_version(tmp_path)
    assert (found.version, found.source) == ((4, 2), "shop-1.0.dist-info/METADATA")


def test_a_pin_older_than_supported_leaves_drift_unjudged(tmp_path):
    """A Django older than 1.7 had no migrations: nothing is reported and the models are counted
    unverified. 1.7 to 3.1 are compared where they agree with 3.2 (tests/test_old_django_drift.py):
    a max_length change is reported there."""
    from djstate.rules.djs210_model_without_migration import APP, MODELS, MIGRATION

    old = MIGRATION.replace("('title', models.CharField(max_length=100)),", "('title', models.CharField(max_length=90)),")
    write_project(tmp_path, {**APP, "shop/migrations/0001_initial.py": old, "shop/models.py": MODELS,
                             "requirements.txt": "Django<1.7\n"})  # fmt: skip
    result = run_scan(tmp_path)
    assert result.project.django_version.below_supported
    assert not [f for f in result.findings if f.code.startswith("DJS21")]
    assert result.project.drift.unverified >= 1
    assert result.stats["django_version"]["judged"] is False
    for pin in ("Django>=1.8,<2\n", "Django>=4.2,<5\n"):
        (tmp_path / "requirements.txt").write_text(pin)
        assert [f.code for f in run_scan(tmp_path).findings if f.code.startswith("DJS21")] == ["DJS212"]
