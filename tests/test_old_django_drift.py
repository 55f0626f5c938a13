"""Models vs migrations on a project pinned to a Django older than 3.2 (shuup: ``Django<2,>=1.8``).

djstate compares what every autodetector since 1.7 sees the same way (djstate/state/old_django.py)
and leaves the rest unjudged under ``django-version``. The newest Django (this venv) writes the
fixture's migration and confirms that each mutation is a migration it would write. No Django
older than 3.2 runs here, so what 1.11 does differently is read from its source (shuup's oracle
venv holds Django 1.11.29): a missing ``on_delete`` is CASCADE (``ForeignKey.__init__``), and
``BooleanField.deconstruct`` drops ``blank``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from djstate.django_version import find_django_version, older_release
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations

MODELS = """from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, null=True, related_name="+", on_delete=models.SET_NULL)
    flag = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["title"], name="shop_title_idx")]
"""
OLD_PIN = "Django>=1.8,<2\n"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The fixture with the migration the newest Django writes for it."""
    root = tmp_path_factory.mktemp("old-django")
    write_project(root, {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": MODELS})
    make_migrations(root, ["shop"])
    assert (root / "shop" / "migrations" / "0001_initial.py").exists()
    return root


def _copy(written: Path, tmp_path: Path, old: str | None = None, new: str = "", pin: str = OLD_PIN) -> Path:
    root = tmp_path / "p"
    shutil.copytree(written, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "requirements.txt").write_text(pin)
    if old is not None:
        models = root / "shop" / "models.py"
        assert models.read_text().count(old) == 1, old
        models.write_text(models.read_text().replace(old, new))
    return root


def _django_writes(root: Path) -> bool:
    """Whether the newest Django's makemigrations writes a migration for ``root``'s models."""
    before = set((root / "shop" / "migrations").glob("0*.py"))
    make_migrations(root, ["shop"])
    added = set((root / "shop" / "migrations").glob("0*.py")) - before
    for path in added:
        path.unlink()
    return bool(added)


def _drift(root: Path) -> list[tuple[str, str, str]]:
    result = run_scan(root)
    return [(f.code, f.severity, f.message.split(":")[0]) for f in result.findings if f.code.startswith("DJS21")]


def _unjudged(root: Path) -> list[str]:
    return [f"{u.unit}: {u.detail}" for u in run_scan(root).project.unjudged if u.reason == "django-version"]


def test_the_pin_is_read_as_the_newest_older_release():
    assert older_release("<2,>=1.8") == (1, 11)
    assert older_release("~=2.2") == (2, 2)
    assert older_release("<3.2") == (3, 1)  # was judged as the newest before
    assert older_release(">=4.2") is None


def test_the_unchanged_project_has_no_drift(written, tmp_path):
    root = _copy(written, tmp_path)
    assert find_django_version(root).pinned == (1, 11)
    assert _drift(root) == []
    assert run_scan(root).stats["django_version"] == {
        "version": "3.2", "source": "requirements.txt", "judged": "partly", "compared_as": "1.11",
        "requirement": "Django>=1.8,<2 (older than 3.2: models vs migrations judged where they did not change)",
    }  # fmt: skip


@pytest.mark.parametrize(
    "old, new, model, field",
    [
        ('title = models.CharField(max_length=100)', 'title = models.CharField(max_length=120)', "Book", "title"),
        ('name = models.CharField(max_length=100)', 'name = models.CharField(max_length=100, null=True)', "Author", "name"),
        ('related_name="books", on_delete=models.CASCADE', 'related_name="books", on_delete=models.PROTECT', "Book", "author"),
    ],
)  # fmt: skip
def test_an_altered_field_is_reported_on_an_old_pin(written, tmp_path, old, new, model, field):
    root = _copy(written, tmp_path, old, new)
    assert _django_writes(root)
    assert ("DJS212", "error", f"shop.{model}") in _drift(root)
    assert any(f"field {field} changed" in f.message for f in run_scan(root).findings)


def test_a_field_without_migration_and_a_removed_one_are_reported(written, tmp_path):
    root = _copy(written, tmp_path, "    flag = models.BooleanField(default=False)\n",
                 "    flag = models.BooleanField(default=False)\n    pages = models.IntegerField(default=0)\n")  # fmt: skip
    assert _django_writes(root)
    assert [(f.code, f.severity) for f in run_scan(root).findings if "field pages" in f.message] == [("DJS211", "error")]
    root2 = _copy(written, tmp_path / "b", "    flag = models.BooleanField(default=False)\n", "")
    assert _django_writes(root2)
    assert [(f.code, f.severity) for f in run_scan(root2).findings if "field flag" in f.message] == [("DJS211", "error")]


def test_a_foreign_key_without_on_delete_is_cascade_before_2_0(written, tmp_path):
    """Django 1.11's ForeignKey.__init__ makes a missing on_delete CASCADE (a warning), so the
    migration's on_delete=CASCADE is no change; with a 3.2+ pin the argument is required."""
    root = _copy(written, tmp_path, 'related_name="books", on_delete=models.CASCADE', 'related_name="books"')
    assert _drift(root) == []
    (root / "requirements.txt").write_text("Django>=4.2,<5\n")
    assert ("DJS212", "error", "shop.Book") in _drift(root)


def test_what_1_11_deconstructs_differently_is_unjudged_not_reported(written, tmp_path):
    """1.11's BooleanField drops blank from deconstruct (the newest Django writes AlterField
    for it), and 1.11 names Meta.indexes differently: both are left unjudged, with the reason."""
    root = _copy(written, tmp_path, "flag = models.BooleanField(default=False)",
                 "flag = models.BooleanField(default=False, blank=True)")  # fmt: skip
    assert _django_writes(root)  # the newest Django sees a change 1.11 does not
    assert _drift(root) == []
    assert _unjudged(root) == ["field shop.Book.flag: blank differ: Django 1.11's deconstruct of these is not 3.2's"]
    (root / "requirements.txt").write_text("Django>=3.2,<4\n")
    assert ("DJS212", "warning", "shop.Book") in _drift(root)

    root = _copy(written, tmp_path / "i", 'name="shop_title_idx"', 'name="shop_title_ix"')
    assert _django_writes(root)
    assert _drift(root) == []
    assert _unjudged(root) == [
        "Meta indexes of shop.Book: indexes differ: Django 1.11 names and deconstructs Meta.indexes differently from 3.2+"
    ]


def test_an_old_release_can_be_configured_and_djstate_diff_keeps_it(written, tmp_path):
    """``django_version = "1.11"`` judges like the pin; ``djstate diff`` passes the checkout's
    judgement to both sides as that setting (it passed "3.2", which judged an old pin whole)."""
    from djstate.config import load_config
    from djstate.diff import _with_django_version

    root = _copy(written, tmp_path, "flag = models.BooleanField(default=False)",
                 "flag = models.BooleanField(default=False, blank=True)")  # fmt: skip
    assert _with_django_version(root, {})["django_version"] == "1.11"
    (root / "requirements.txt").unlink()
    (root / "pyproject.toml").write_text('[tool.djstate]\ndjango_version = "1.11"\n')
    assert load_config(root).django_version == "1.11"
    assert find_django_version(root, "1.11").compared == (1, 11)
    assert _drift(root) == [] and len(_unjudged(root)) == 1
    (root / "pyproject.toml").write_text('[tool.djstate]\ndjango_version = "1.6"\n')  # before migrations
    assert find_django_version(root, "1.6").setting == "1.6"
    assert [u.unit for u in run_scan(root).project.unjudged if u.reason == "django-version"] == [
        "model shop.author", "model shop.book"
    ]


def test_the_automatic_primary_key_is_an_autofield_before_3_2(written, tmp_path):
    """DEFAULT_AUTO_FIELD came with 3.2; 1.11's Options._prepare adds AutoField(verbose_name='ID',
    primary_key=True, auto_created=True), so the id is judged, not left to settings. The newest
    Django with DEFAULT_AUTO_FIELD = AutoField (the fixture's settings) wrote the same field."""
    root = _copy(written, tmp_path)
    assert [u for u in run_scan(root).project.unjudged if u.unit.endswith(".id")] == []
    (root / "requirements.txt").write_text("Django>=4.2,<5\n")
    assert [u.reason for u in run_scan(root).project.unjudged if u.unit.endswith(".id")] == ["settings-value"] * 2
