"""django-mptt read from a project's virtualenv: the installed version decides.

``MPTTModelBase`` (mptt's metaclass) adds the tree fields ``lft``, ``rght``, ``tree_id`` and
``level`` in ``register()``. Read as code it changes the class's names, so every tree model
was unjudged with a virtualenv, although djstate bundles what ``MPTTModel`` gives a child
(thirdparty.json, measured with django-mptt 0.20.0). That description is used for the
virtualenv's copy only when its version is one it holds for: 0.20.0, or 0.18.0, whose
``register()`` adds the same fields (db_index on tree_id only) and the same TreeManager
(checked here with ``ModelState.from_model``). Older releases index all four fields (0.9.1),
so any other version is still read as code and leaves its models unjudged.

mptt 0.18 also appends a (tree_id, lft) index to ``Meta.indexes``, which
``ModelState.from_model`` keeps only when the model's Meta declares ``indexes``: such a model
stays unjudged. A ``class MPTTMeta`` that only sets ``order_insertion_by`` renames no field.

Django's autodetector is the oracle (django-mptt 0.18.0 installed with pip into a cached
folder; the tests skip only when the package index cannot be reached).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import scan
from djstate.state.thirdparty import _installed_version, described_for_installed, renamed_by_child
from djstate.facts.model import ClassAttr, ClassFacts
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.pip_site import installed_site
from tests.test_oracle_drift import apps_py, django_operations

VERSION = "0.18.0"
SITE = Path("~/.cache/djstate/venvs/site-django-mptt-" + VERSION).expanduser()

MODELS = '''\
from django.db import models
from mptt.fields import TreeForeignKey
from mptt.models import MPTTModel


class Category(MPTTModel):
    name = models.CharField(max_length=50)
    parent = TreeForeignKey("self", blank=True, null=True, on_delete=models.CASCADE, related_name="children")

    class MPTTMeta:
        order_insertion_by = ("name",)

    class Meta:
        unique_together = ("parent", "name")


class CategoryProxy(Category):
    class Meta:
        proxy = True


class Node(MPTTModel):
    value = models.CharField(max_length=20)
    parent = TreeForeignKey("self", null=True, on_delete=models.CASCADE)
'''

FROM_MODEL = r'''
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.db.migrations.state import ModelState
from shop.models import Node
state = ModelState.from_model(Node)
out = {n: [f.deconstruct()[1], {k: v for k, v in f.deconstruct()[3].items()}] for n, f in state.fields.items()
       if n in ("lft", "rght", "tree_id", "level")}
json.dump({"fields": out, "managers": [m[0] for m in state.managers], "indexes": len(state.options.get("indexes", []))},
          sys.stdout)
'''


@pytest.fixture(scope="module")
def mptt_site() -> Path:
    """A folder holding django-mptt 0.18.0 as pip installs it (its dist-info included)."""
    return installed_site(SITE, "django-mptt", VERSION, "mptt/models.py")


@pytest.fixture
def with_mptt(mptt_site, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(mptt_site))
    return mptt_site


def _project(root: Path, models: str = MODELS) -> Path:
    write_project(root, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": models,
                         "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(root, ["shop"])
    return root


def _scan(root: Path, site: Path):
    config = load_config(root, {"site_packages": (str(site),)})
    return scan(root, config, FactsStore(root, None, jobs=1))


def test_the_installed_version_is_read_from_its_dist_info(with_mptt):
    models = str(with_mptt / "mptt" / "models.py")
    assert _installed_version("django-mptt", "mptt.models", models) == VERSION
    assert described_for_installed("mptt.models.MPTTModel", "mptt.models", models)
    assert not described_for_installed("mptt.models.MPTTModel", "mptt.models", "/nowhere/mptt/models.py")


def test_mptt_0_18_gives_a_child_what_the_description_measured(with_mptt, tmp_path):
    root = _project(tmp_path)
    proc = subprocess.run([sys.executable, "-c", FROM_MODEL], capture_output=True, text=True, timeout=120, cwd=root,
                          env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{with_mptt}"}, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    django = json.loads(proc.stdout)
    assert django["fields"] == {
        "lft": ["django.db.models.PositiveIntegerField", {"editable": False}],
        "rght": ["django.db.models.PositiveIntegerField", {"editable": False}],
        "tree_id": ["django.db.models.PositiveIntegerField", {"db_index": True, "editable": False}],
        "level": ["django.db.models.PositiveIntegerField", {"editable": False}],
    }
    assert django["indexes"] == 0 and django["managers"] == []  # Meta declares no indexes: the tree index is not kept
    from djstate.state.thirdparty_descriptions import third_party_base

    spec = third_party_base("mptt.models.MPTTModel")
    described = {n: [p, dict(k)] for n, p, k in spec.fields}
    assert described == django["fields"]


def test_tree_models_of_mptt_0_18_are_judged_with_no_finding(with_mptt, tmp_path):
    root = _project(tmp_path)
    assert django_operations(root, ["shop"]) == set()
    result = _scan(root, with_mptt)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [3, 3]
    assert not [u for u in result.project.unjudged if "metaclass" in u.detail]


@pytest.mark.parametrize(
    "old,new,operation",
    [
        ('value = models.CharField(max_length=20)', 'value = models.CharField(max_length=30)', ("AlterField", "node", "value")),
        ('    parent = TreeForeignKey("self", null=True, on_delete=models.CASCADE)\n',
         '    parent = TreeForeignKey("self", null=True, on_delete=models.CASCADE)\n    lft = models.IntegerField(default=0)\n',
         ("AlterField", "node", "lft")),
    ],
    ids=["max_length", "own-lft"],
)  # fmt: skip
def test_a_change_is_reported_where_django_writes_a_migration(with_mptt, tmp_path, old, new, operation):
    root = _project(tmp_path)
    models = root / "shop" / "models.py"
    models.write_text(models.read_text().replace(old, new))
    assert django_operations(root, ["shop"]) == {operation}
    findings = _scan(root, with_mptt).findings
    assert [(f.code, f.model, f.field) for f in findings] == [("DJS212", "Node", operation[2])], [f.message for f in findings]


def test_a_model_declaring_indexes_stays_unjudged(with_mptt, tmp_path):
    """mptt appends its tree index to a declared Meta.indexes: Django's state holds it."""
    declared = MODELS.replace('        unique_together = ("parent", "name")',
                              '        unique_together = ("parent", "name")\n        indexes = [models.Index(fields=["name"])]')  # fmt: skip
    root = write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                                    "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(root, ["shop"])
    (root / "shop" / "models.py").write_text(declared)
    operations = django_operations(root, ["shop"])
    assert {op[0] for op in operations} == {"AddIndex"} and len(operations) == 1
    # Django adds the declared index and mptt's (tree_id, lft) one: djstate knows only the first
    proc = subprocess.run([sys.executable, "-c", _INDEX_FIELDS], capture_output=True, text=True, timeout=120, cwd=root,
                          env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{with_mptt}"}, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout) == [["name"], ["tree_id", "lft"]]
    result = _scan(root, with_mptt)
    assert [f for f in result.findings if f.model == "Category"] == []
    assert any(u.unit == "model shop.Category" and "Meta.indexes" in u.detail for u in result.project.unjudged)


_INDEX_FIELDS = r'''
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.db.migrations.state import ModelState
from shop.models import Category
json.dump([list(i.fields) for i in ModelState.from_model(Category).options["indexes"]], sys.stdout)
'''


def test_a_renaming_mptt_meta_is_told_from_one_that_renames_nothing():
    def child(*names: str, bases: tuple = ()) -> ClassFacts:
        options = ClassFacts(name="MPTTMeta", bases=bases, attributes=[ClassAttr(n, "x") for n in names])
        return ClassFacts(name="Category", bases=(), nested={"MPTTMeta": options})

    assert renamed_by_child("mptt.models.MPTTModel", child("order_insertion_by", "parent_attr")) is None
    assert renamed_by_child("mptt.models.MPTTModel", child("left_attr")) == "MPTTMeta"
    assert renamed_by_child("mptt.models.MPTTModel", child(bases=("Base.MPTTMeta",))) == "MPTTMeta"


def test_another_installed_version_is_still_read_as_code(with_mptt, tmp_path):
    """A copy of 0.18.0 labelled 0.9.1 (which indexes every tree field): the metaclass is read."""
    site = tmp_path / "site"
    shutil.copytree(with_mptt / "mptt", site / "mptt")
    (site / "django_mptt-0.9.1.dist-info").mkdir()
    root = _project(tmp_path / "proj")
    result = _scan(root, site)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [0, 3]
    assert any("MPTTModelBase" in u.detail for u in result.project.unjudged)
