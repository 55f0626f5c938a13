"""django-polymorphic read from a project's virtualenv: the installed version decides.

``PolymorphicModelBase`` (polymorphic's metaclass) returns the class it builds after changing
it, so read as code every polymorphic model was unjudged with a virtualenv ("metaclass
polymorphic.base.PolymorphicModelBase may change its fields"; django-filer's File and Image),
although djstate bundles what ``PolymorphicModel`` gives a child (thirdparty.json, measured
with django-polymorphic 4.11.7). In 4.11.7 the metaclass adds no field and no Meta option: it
pops ``_meta_skip``, wraps each ForeignKey's ``on_delete`` in a ``PolymorphicGuard`` (which
compares and serializes as the wrapped action) and swaps the parent-link descriptors. So the
description is used for a virtualenv's copy of 4.11.7 only; any other version is read as code.

Django is the oracle (django-polymorphic 4.11.7 installed with pip into a cached folder; the
tests skip only when the package index cannot be reached): ``ModelState.from_model`` gives a
concrete child, an MTI child and grandchild (through an abstract intermediate, as
django-filer's Image) and a proxy exactly their own fields plus the described
``polymorphic_ctype``; makemigrations writes nothing more after its own migrations; and an
edited field (max_length, null, on_delete) is an AlterField for both Django and djstate.
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
from djstate.facts.values import Ref
from djstate.state.thirdparty_descriptions import third_party_base
from djstate.state.thirdparty import _installed_version, described_for_installed
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.pip_site import installed_site
from tests.test_oracle_drift import apps_py, django_operations

VERSION = "4.11.7"
SITE = Path("~/.cache/djstate/venvs/site-django-polymorphic-" + VERSION).expanduser()

MODELS = '''\
from django.db import models
from polymorphic.models import PolymorphicModel


class Owner(models.Model):
    name = models.CharField(max_length=50)


class Item(PolymorphicModel):
    title = models.CharField(max_length=100)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="items")
    editor = models.ForeignKey(Owner, null=True, on_delete=models.SET_NULL, related_name="edited")


class BasePicture(Item):
    width = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Picture(BasePicture):
    alt = models.CharField(max_length=30, blank=True)


class Thumbnail(Picture):
    size = models.CharField(max_length=10)
    source = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="thumbnails")


class ItemProxy(Item):
    class Meta:
        proxy = True
'''

# Each model's fields as ModelState.from_model holds them, their kwargs as a migration writes
# them, and which relations the metaclass wrapped in a PolymorphicGuard.
FROM_MODEL = r'''
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.apps import apps
from django.db.migrations.state import ModelState
from django.db.migrations.writer import MigrationWriter
out = {}
for model in apps.get_app_config("shop").get_models():
    state = ModelState.from_model(model)
    out[model.__name__] = {
        "fields": {n: {k: MigrationWriter.serialize(v)[0] for k, v in f.deconstruct()[3].items()}
                   for n, f in state.fields.items()},
        "guarded": sorted(n for n, f in state.fields.items()
                          if f.remote_field is not None and type(f.remote_field.on_delete).__name__ == "PolymorphicGuard"),
        "managers": [m[0] for m in state.managers],
        "bases": [b if isinstance(b, str) else b.__name__ for b in state.bases],
    }
json.dump(out, sys.stdout)
'''


@pytest.fixture(scope="module")
def polymorphic_site() -> Path:
    """A folder holding django-polymorphic 4.11.7 as pip installs it (its dist-info included)."""
    return installed_site(SITE, "django-polymorphic", VERSION, "polymorphic/base.py")


@pytest.fixture
def with_polymorphic(polymorphic_site, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(polymorphic_site))
    return polymorphic_site


def _project(root: Path, models: str = MODELS) -> Path:
    write_project(root, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": models,
                         "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(root, ["shop"])
    return root


def _scan(root: Path, site: Path):
    config = load_config(root, {"site_packages": (str(site),)})
    return scan(root, config, FactsStore(root, None, jobs=1))


def _django_models(root: Path, site: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", FROM_MODEL], capture_output=True, text=True, timeout=120, cwd=root,
                          env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{site}"}, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_the_installed_version_is_read_from_its_dist_info(with_polymorphic):
    models = str(with_polymorphic / "polymorphic" / "models.py")
    assert _installed_version("django-polymorphic", "polymorphic.models", models) == VERSION
    assert described_for_installed("polymorphic.models.PolymorphicModel", "polymorphic.models", models)
    assert not described_for_installed("polymorphic.models.PolymorphicModel", "polymorphic.models", "/nowhere/polymorphic/models.py")


def test_polymorphic_4_11_7_gives_a_child_only_the_described_field(with_polymorphic, tmp_path):
    django = _django_models(_project(tmp_path), with_polymorphic)
    assert {n: list(m["fields"]) for n, m in django.items()} == {
        "Owner": ["id", "name"],
        "Item": ["id", "polymorphic_ctype", "title", "owner", "editor"],
        "Picture": ["item_ptr", "width", "alt"],
        "Thumbnail": ["picture_ptr", "size", "source"],
        "ItemProxy": [],
    }
    assert {n: m["bases"] for n, m in django.items() if n != "Owner"} == {
        "Item": ["Model"], "Picture": ["shop.item"], "Thumbnail": ["shop.picture"], "ItemProxy": ["shop.item"],
    }  # fmt: skip
    assert all(m["managers"] == [] for m in django.values())  # PolymorphicManager is not used in migrations
    # the metaclass wrapped every relation of a polymorphic model, yet a migration writes the action itself
    assert django["Item"]["guarded"] == ["editor", "owner", "polymorphic_ctype"]
    assert django["Thumbnail"]["guarded"] == ["picture_ptr", "source"]
    assert django["Item"]["fields"]["owner"]["on_delete"] == "django.db.models.deletion.CASCADE"
    assert django["Item"]["fields"]["editor"]["on_delete"] == "django.db.models.deletion.SET_NULL"
    assert django["Thumbnail"]["fields"]["source"]["on_delete"] == "django.db.models.deletion.PROTECT"
    # the one field PolymorphicModel adds is the one djstate describes
    spec = third_party_base("polymorphic.models.PolymorphicModel")
    assert [(n, p) for n, p, _ in spec.fields] == [("polymorphic_ctype", "django.db.models.ForeignKey")]
    described = {k: f"django.db.models.deletion.{v.path.rsplit('.', 1)[-1]}" if isinstance(v, Ref) else repr(v)
                 for k, v in dict(spec.fields[0][2]).items()}  # fmt: skip
    assert described == django["Item"]["fields"]["polymorphic_ctype"]


def test_polymorphic_models_of_4_11_7_are_judged_with_no_finding(with_polymorphic, tmp_path):
    root = _project(tmp_path)
    assert django_operations(root, ["shop"]) == set()
    result = _scan(root, with_polymorphic)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [5, 5]
    assert not [u for u in result.project.unjudged if "metaclass" in u.detail]
    state = result.project.models_state.models
    assert list(state[("shop", "item")].fields) == ["id", "polymorphic_ctype", "title", "owner", "editor"]
    assert list(state[("shop", "thumbnail")].fields) == ["picture_ptr", "size", "source"]


@pytest.mark.parametrize(
    "old,new,model,field",
    [
        ("title = models.CharField(max_length=100)", "title = models.CharField(max_length=120)", "Item", "title"),
        ("size = models.CharField(max_length=10)", "size = models.CharField(max_length=10, null=True)", "Thumbnail", "size"),
        ("null=True, on_delete=models.SET_NULL", "null=True, on_delete=models.PROTECT", "Item", "editor"),
        ('on_delete=models.CASCADE, related_name="items"', 'on_delete=models.SET_NULL, null=True, related_name="items"',
         "Item", "owner"),
        ("on_delete=models.PROTECT", "on_delete=models.CASCADE", "Thumbnail", "source"),
        ("alt = models.CharField(max_length=30, blank=True)", "alt = models.CharField(max_length=30, null=True)",
         "Picture", "alt"),
    ],
    ids=["max_length", "null-grandchild", "on_delete-set_null", "on_delete-cascade", "on_delete-grandchild", "null-child"],
)  # fmt: skip
def test_an_edited_field_is_reported_where_django_writes_a_migration(with_polymorphic, tmp_path, old, new, model, field):
    root = _project(tmp_path)
    models = root / "shop" / "models.py"
    assert old in models.read_text()
    models.write_text(models.read_text().replace(old, new))
    assert django_operations(root, ["shop"]) == {("AlterField", model.lower(), field)}
    findings = _scan(root, with_polymorphic).findings
    assert [(f.code, f.model, f.field) for f in findings] == [("DJS212", model, field)], [f.message for f in findings]


def test_another_installed_version_is_still_read_as_code(with_polymorphic, tmp_path):
    """A copy of 4.11.7 labelled 3.1.0: the metaclass was not read for that version."""
    site = tmp_path / "site"
    shutil.copytree(with_polymorphic / "polymorphic", site / "polymorphic")
    (site / "django_polymorphic-3.1.0.dist-info").mkdir()
    root = _project(tmp_path / "proj")
    result = _scan(root, site)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [1, 5]
    assert any("PolymorphicModelBase" in u.detail for u in result.project.unjudged)
