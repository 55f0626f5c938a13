"""Nothing aborts a scan: a failure in one unit is skipped, counted and reported as DJS000.

Each test makes one kind of unit fail on purpose (a monkeypatched function that raises) and
checks that the scan finishes, names the unit and the exception, and still reports the
findings of everything else."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from djstate import engine, load
from djstate.cli import app as cli_app
from djstate.rules.base import migration_source
from tests.conftest import run_scan, write_project

APP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n"}
MIGRATION = migration_source(operations="""
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('title', models.CharField(max_length=100)),
        ]),
        migrations.CreateModel(name='Author', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('name', models.CharField(max_length=50)),
        ]),
    """)
# Author drifts (max_length 80 vs 50): DJS212 must survive whatever happens to Book
MODELS = (
    "from django.db import models\n\n\n"
    "class Book(models.Model):\n"  # line 4
    "    title = models.CharField(max_length=100)\n\n\n"
    "class Author(models.Model):\n"  # line 8
    "    name = models.CharField(max_length=80)\n"
)
SERIALIZERS = (
    "from rest_framework import serializers\n\n"
    "from shop.models import Author, Book\n\n\n"
    "class BookSerializer(serializers.ModelSerializer):\n"  # line 6
    "    class Meta:\n"
    "        model = Book\n"
    "        fields = ['title']\n\n\n"
    "class AuthorSerializer(serializers.ModelSerializer):\n"  # line 12
    "    class Meta:\n"
    "        model = Author\n"
    "        fields = ['nmae']\n"  # DJS401
)
FILES = {**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS, "shop/serializers.py": SERIALIZERS}
SUMMARY = "TypeError: 'Opaque' object is not iterable"


def _raise(*args, **kwargs):
    raise TypeError(SUMMARY.split(": ", 1)[1])


def internal(result) -> list:
    return [f for f in result.findings if f.code == "DJS000"]


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


@pytest.fixture
def shop(tmp_path):
    return write_project(tmp_path, FILES)


def test_the_project_is_clean_apart_from_its_planted_findings(shop):
    result = run_scan(shop)
    assert {(f.code, f.path, f.line) for f in result.findings} == {
        ("DJS212", "shop/models.py", 9), ("DJS401", "shop/serializers.py", 15),
    }


def test_star_unpacked_abstract_meta_indexes_do_not_end_the_scan(tmp_path):
    """The crash that started this: ``[*Base.Meta.indexes, GinIndex(...)]`` in a child Meta.
    Either its semantics are understood (no DJS000) or the model alone is skipped."""
    models = (
        "from django.contrib.postgres.indexes import GinIndex\n"
        "from django.db import models\n\n\n"
        "class Base(models.Model):\n"
        "    title = models.CharField(max_length=100)\n\n"
        "    class Meta:\n"
        "        abstract = True\n"
        "        indexes = [models.Index(fields=['title'], name='title_idx')]\n\n\n"
        "class Book(Base):\n"  # line 13
        "    x = models.JSONField()\n\n"
        "    class Meta(Base.Meta):\n"
        "        indexes = [*Base.Meta.indexes, GinIndex(fields=['x'], name='x_gin')]\n"
    )
    root = write_project(tmp_path, {**APP, "shop/migrations/0001_initial.py": migration_source(), "shop/models.py": models})
    result = run_scan(root)  # must not raise
    for finding in internal(result):
        assert (finding.path, finding.line, finding.model) == ("shop/models.py", 13, "Book"), finding
        assert "model shop.Book" in finding.message


def test_a_model_whose_state_fails_is_skipped_alone(shop, monkeypatch):
    from djstate.state.models import ModelsBuilder

    original = ModelsBuilder.options

    def options(self, model, fields):
        if model.facts.name == "Book":
            _raise()
        return original(self, model, fields)

    monkeypatch.setattr(ModelsBuilder, "options", options)
    result = run_scan(shop)
    (finding,) = internal(result)
    assert (finding.path, finding.line, finding.severity, finding.app, finding.model) == (
        "shop/models.py", 4, "warning", "shop", "Book",
    )
    assert "internal error in model shop.Book" in finding.message
    assert SUMMARY in finding.message and "please report it; --debug shows the traceback" in finding.message
    # Book is unverified, not missing: no DeleteModel for it; Author is still judged
    assert not [f for f in result.findings if f.code.startswith("DJS21") and f.model == "Book"]
    assert ("DJS212", "Author") in {(f.code, f.model) for f in result.findings}
    assert "DJS401" in codes(result)
    assert result.stats["unverified"] >= 1
    assert "TypeError" in result.project.internal_errors[0].traceback


def test_a_model_whose_comparison_fails_is_skipped_alone(shop, monkeypatch):
    from djstate.state import drift

    original = drift._fields

    def fields(mine, old, *args):
        if mine.name == "Author":
            _raise()
        return original(mine, old, *args)

    monkeypatch.setattr(drift, "_fields", fields)
    result = run_scan(shop)
    (finding,) = internal(result)
    assert (finding.path, finding.line, finding.model) == ("shop/models.py", 8, "Author")
    assert "DJS212" not in codes(result)  # Author's comparison is all or nothing
    assert "DJS401" in codes(result)


def test_a_serializer_that_fails_is_skipped_alone(shop, monkeypatch):
    from djstate.state import serializers

    original = serializers.build_fields

    def build_fields(serializer, *args):
        if serializer.name == "AuthorSerializer":
            _raise()
        return original(serializer, *args)

    monkeypatch.setattr(serializers, "build_fields", build_fields)
    result = run_scan(shop)
    (finding,) = internal(result)
    assert (finding.path, finding.line) == ("shop/serializers.py", 12)
    assert "internal error in serializer shop.serializers.AuthorSerializer" in finding.message
    assert "DJS401" not in codes(result) and "DJS212" in codes(result)


def test_a_serializer_class_that_cannot_be_read_is_skipped_alone(shop, monkeypatch):
    from djstate.state.serializer_classes import SerializerIndex

    original = SerializerIndex.serializer

    def serializer(self, path, depth=0):
        if path == "shop.serializers.BookSerializer":
            _raise()
        return original(self, path, depth)

    monkeypatch.setattr(SerializerIndex, "serializer", serializer)
    result = run_scan(shop)
    (finding,) = internal(result)
    assert (finding.path, finding.line) == ("shop/serializers.py", 6)
    assert "serializer shop.serializers.BookSerializer" in finding.message
    assert {"DJS401", "DJS212"} <= codes(result)
    assert result.project.serializers.internal_errors == result.project.internal_errors


def test_a_rule_that_fails_keeps_the_other_rules(shop, monkeypatch):
    from djstate.rules.djs212_field_differs import FieldDiffers

    monkeypatch.setattr(FieldDiffers, "check", lambda self, project: _raise())
    result = run_scan(shop)
    (finding,) = internal(result)
    assert "internal error in rule DJS212" in finding.message and finding.path == "."
    assert "DJS401" in codes(result) and "DJS212" not in codes(result)


def test_a_file_whose_facts_fail_is_unknown_not_empty(tmp_path, monkeypatch):
    import djstate.parse

    files = {**FILES, "shop/migrations/0002_more.py": migration_source("('shop', '0001_initial')")}
    files["shop/models.py"] = MODELS + "\n\nclass Extra(models.Model):\n    pass\n"  # no migration
    root = write_project(tmp_path, files)
    original = djstate.parse.parse_file

    def parse_file(path, module, data, kind):
        if path == "shop/migrations/0002_more.py":
            _raise()
        return original(path, module, data, kind)

    monkeypatch.setattr(djstate.parse, "parse_file", parse_file)
    result = run_scan(root)
    (finding,) = internal(result)
    assert finding.path == "shop/migrations/0002_more.py"
    assert "facts of shop/migrations/0002_more.py (read as migration)" in finding.message
    # the migration's content is unknown: its app's state is not judged, and it is no DJS100
    assert "DJS100" not in codes(result) and "DJS210" not in codes(result)
    assert "shop" in result.project.broken_apps
    assert "DJS401" in codes(result)


@pytest.mark.parametrize(
    "target,unit",
    [("build_graph", "the migration graph"), ("replay", "the migrations' replay"),
     ("build_models_state", "the models state"), ("build_serializers", "the serializers"),
     ("_load_settings", "the settings"), ("load_project", "the project (apps and migrations)")],
)  # fmt: skip
def test_a_stage_that_fails_silences_only_what_depends_on_it(shop, monkeypatch, target, unit):
    monkeypatch.setattr(engine if hasattr(engine, target) else load, target, _raise)  # loading stages live in djstate.load
    result = run_scan(shop)
    (finding,) = internal(result)
    assert f"internal error in {unit}: {SUMMARY}" in finding.message
    others = codes(result) - {"DJS000"}
    if target in ("build_graph", "replay"):  # the migrations' state is unknown: nothing drifts
        assert others <= {"DJS401"} and not [f for f in result.findings if f.code.startswith("DJS21")]
    elif target in ("build_models_state", "load_project"):
        assert others == set()
    elif target == "build_serializers":
        assert others == {"DJS212"}
    else:
        assert others == {"DJS212", "DJS401"}


def test_a_failure_in_a_worker_process_is_isolated_too(tmp_path):
    """Cold parses run in worker processes from PARALLEL_MIN files on: an error there comes
    back as the file's DJS000, not as a broken pool. (No monkeypatch reaches a worker, so
    the fault is a real parse_file call with an argument it cannot take.)"""
    from djstate.cache import _parse

    facts, error = _parse(("shop/models.py", "shop.models", None, "models"))
    assert facts.module_facts is None and facts.problem is None
    assert error.unit == "facts of shop/models.py (read as models)" and error.path == "shop/models.py"
    assert error.summary.startswith("TypeError") and "Traceback" in error.traceback
    import pickle

    assert pickle.loads(pickle.dumps((facts, error))) == (facts, error)  # it crosses processes


def test_cli_reports_djs000_as_a_warning_and_debug_prints_the_traceback(shop, monkeypatch):
    from djstate.rules.djs401_unknown_serializer_field import UnknownSerializerField

    monkeypatch.setattr(UnknownSerializerField, "check", lambda self, project: _raise())
    runner = CliRunner()
    plain = runner.invoke(cli_app, ["scan", str(shop), "--no-cache", "--select", "DJS4"])
    assert plain.exit_code == 0, plain.output  # a warning does not fail the default --fail-on error
    assert "DJS000" in plain.stdout and "internal error in rule DJS401" in plain.stdout
    assert "Traceback" not in plain.output
    failing = runner.invoke(cli_app, ["scan", str(shop), "--no-cache", "--select", "DJS4", "--fail-on", "warning"])
    assert failing.exit_code == 1
    debug = runner.invoke(cli_app, ["scan", str(shop), "--no-cache", "--debug"])
    assert debug.exit_code == 1  # DJS212 is an error
    assert "DJS212" in debug.stdout and "DJS000" in debug.stdout
    assert "Traceback (most recent call last)" in debug.stderr and SUMMARY in debug.stderr
    assert "Traceback" not in debug.stdout


def test_a_file_that_is_not_utf8_does_not_silence_the_models(tmp_path):
    """Found reviewing the text pass for fuzz targets: it decoded every related_name= literal
    as UTF-8, so one such file ended the whole models stage (a crash before isolation)."""
    other = b"from django.db import models\n\n\nclass Note(models.Model):\n    book = models.ForeignKey('shop.Book', models.CASCADE, related_name='n\xffotes')\n"
    root = write_project(tmp_path, {**FILES, "shop/other.py": other})
    result = run_scan(root)
    assert internal(result) == []
    assert {"DJS212", "DJS401"} <= codes(result)


@pytest.mark.parametrize("value", ['{"shop": ["x"]}', '{"shop": {"a": 1}}', '{"shop": foo()}'])
def test_a_migration_module_setting_that_is_no_module_path_is_not_followed(tmp_path, value):
    """Found reviewing the loader for fuzz targets: an unhashable MIGRATION_MODULES value
    (a list, a dict) ended the scan; like any value built at runtime, it is not followed."""
    settings = f"INSTALLED_APPS = ['shop']\nMIGRATION_MODULES = {value}\n"
    manage = "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
    root = write_project(tmp_path, {**FILES, "manage.py": manage, "proj/__init__.py": "", "proj/settings.py": settings})
    result = run_scan(root)
    assert internal(result) == [] and result.project.migrations == {}


def test_a_migration_whose_replay_fails_is_skipped_alone(shop, monkeypatch):
    """Per migration: its app's state is then unknown (no drift judged there), the other
    apps' and the serializers' findings stand."""
    from djstate.state.project import Replayer

    original = Replayer.apply

    def apply(self, key, migration):
        if key == ("shop", "0001_initial"):
            _raise()
        return original(self, key, migration)

    monkeypatch.setattr(Replayer, "apply", apply)
    result = run_scan(shop)
    (finding,) = internal(result)
    assert (finding.path, finding.line) == ("shop/migrations/0001_initial.py", 5)
    assert f"internal error in migration shop.0001_initial: {SUMMARY}" in finding.message
    assert "shop" in result.project.state.uncertain_apps
    assert not [f for f in result.findings if f.code.startswith("DJS21")]
    assert "DJS401" in codes(result)


def test_a_create_model_manager_that_is_no_pair_does_not_end_the_replay(tmp_path):
    """Found by the fuzzer (accounts/migrations/0001_initial.py of the bookshop, managers=[...]
    with a comprehension): `tuple(m)` on a manager entry that is not a (name, manager) pair
    ended the whole replay. Either the entry is understood or the migration alone is skipped."""
    operations = """
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('title', models.CharField(max_length=100)),
        ], managers=[foo()]),
    """
    files = {**FILES, "shop/migrations/0001_initial.py": migration_source(operations=operations)}
    files["shop/models.py"] = MODELS.split("\n\n\nclass Author")[0] + "\n"
    files["shop/serializers.py"] = SERIALIZERS.split("\n\n\nclass AuthorSerializer")[0] + "\n"
    result = run_scan(write_project(tmp_path, files))  # must not raise
    for finding in internal(result):
        assert "internal error in migration shop.0001_initial" in finding.message, finding
        assert finding.path == "shop/migrations/0001_initial.py"


def test_managers_that_are_not_pairs_leave_managers_unknown(tmp_path):
    """The fuzzer's DJS000 cause: `managers=[foo()]` in CreateModel/AlterModelManagers no longer
    ends the migration's replay; the managers are just not judged."""
    from djstate.rules.base import migration_source
    from tests.conftest import run_scan, write_project

    create = ("migrations.CreateModel(name='Book', fields=[('id', models.AutoField(auto_created=True, "
              "primary_key=True, serialize=False, verbose_name='ID'))], managers=[foo()]),\n"
              "        migrations.AlterModelManagers(name='book', managers=[[m for m in ['objects', models.Manager()]]])")  # fmt: skip
    write_project(tmp_path, {
        "shop/__init__.py": "", "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": migration_source(operations=create, header="from shop.helpers import foo"),
        "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    pass\n",
    })  # fmt: skip
    result = run_scan(tmp_path)
    assert not [f for f in result.findings if f.code == "DJS000"]
    assert ("shop", "book") in result.project.state.models
