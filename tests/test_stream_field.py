"""wagtail's ``StreamField`` is compared on ``models.Field``'s kwargs; its block definitions are a
leaf djstate never knows (``djstate/state/stream_field.py``).

Django's autodetector compares the whole deconstruction: a change of ``null`` or ``blank`` is an
AlterField, and so is a change of a block. djstate reports the first as Django does, leaves a
field whose Field kwargs agree unjudged (its blocks may differ), and never claims a block change.
The migrations are written by Django's ``makemigrations`` with the test venv's wagtail; Django's
autodetector is the oracle.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import SCRIPT
from tests.test_oracle_drift import AUTODETECT, apps_py, djstate_operations

pytestmark = pytest.mark.oracle

# wagtail.blocks imports wagtail.admin.staticfiles, which needs STATIC_URL configured
WAGTAIL_SETTINGS = ("USE_TZ=True,", 'USE_TZ=True, STATIC_URL="/static/",')

MODELS = '''\
from django.db import models
from wagtail import blocks
from wagtail.fields import StreamField


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=80)
    level = blocks.IntegerBlock(min_value=1, max_value=6)


class Article(models.Model):
    title = models.CharField(max_length=40)
    body = StreamField([("heading", HeadingBlock()), ("paragraph", blocks.RichTextBlock())], blank=True, min_num=1)
'''


def _django(root: Path, script: str) -> str:
    assert WAGTAIL_SETTINGS[0] in script
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", script.replace(*WAGTAIL_SETTINGS), "shop"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=root)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-4000:])
    return proc.stdout


def _django_operations(root: Path) -> set[tuple]:
    return {tuple(op) for op in json.loads(_django(root, AUTODETECT))}


@pytest.fixture
def project(tmp_path) -> Path:
    if importlib.util.find_spec("wagtail") is None:  # the test extra installs it
        pytest.skip("wagtail is not installed")
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    _django(tmp_path, SCRIPT)
    assert "block_lookup" in (tmp_path / "shop/migrations/0001_initial.py").read_text()
    return tmp_path


def _edit(root: Path, old: str, new: str) -> None:
    models = root / "shop" / "models.py"
    assert old in models.read_text()
    models.write_text(models.read_text().replace(old, new))


def test_an_unchanged_stream_field_is_listed_unjudged_for_its_blocks_only(project):
    assert _django_operations(project) == set()
    operations, _, _ = djstate_operations(project)
    assert operations == set()
    unjudged = run_scan(project).project.unjudged
    body = [u for u in unjudged if u.unit == "field shop.Article.body"]
    assert [u.reason for u in body] == ["unknowable-value"]
    assert "block definitions are not compared" in body[0].detail
    # the migration's StreamField is no longer an unknown field class
    assert not [u for u in unjudged if u.reason == "unknown-field-class"]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("blank=True, min_num=1)", "blank=True, null=True, min_num=1)"), id="null"),
        pytest.param(("blank=True, min_num=1)", "min_num=1)"), id="blank"),
        pytest.param(("blank=True, min_num=1)", 'blank=True, min_num=1, help_text="The text")'), id="help_text"),
    ],
)
def test_a_field_kwarg_change_is_reported_as_django_does(project, edit):
    _edit(project, *edit)
    expected = _django_operations(project)
    assert expected == {("AlterField", "article", "body")}
    assert djstate_operations(project)[0] == expected


def test_null_is_a_database_change(project):
    _edit(project, "blank=True, min_num=1)", "blank=True, null=True, min_num=1)")
    _, findings, _ = djstate_operations(project)
    assert [(f.code, f.severity) for f in findings] == [("DJS212", "error")]
    assert "null" in findings[0].message


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("max_length=80", "max_length=120"), id="a_nested_block_kwarg"),
        pytest.param(('("paragraph", blocks.RichTextBlock())', '("paragraph", blocks.TextBlock())'), id="a_block_class"),
    ],
)
def test_a_block_change_is_not_claimed(project, edit):
    _edit(project, *edit)
    assert _django_operations(project) == {("AlterField", "article", "body")}  # Django does migrate it
    assert djstate_operations(project)[0] == set()  # djstate cannot read blocks: unjudged, not claimed


def test_block_options_are_not_deconstructed(project):
    """``min_num`` goes to the top-level block; StreamField.deconstruct never writes it."""
    _edit(project, "min_num=1)", "min_num=2, max_num=5)")
    assert _django_operations(project) == set()
    assert djstate_operations(project)[0] == set()
