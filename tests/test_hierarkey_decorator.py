"""django-hierarkey's class decorator ``Hierarkey(attribute_name=...).add()`` as the bundled
description (djstate/data/thirdparty.json, "decorators") says: it gives the model class the
attribute (a property) and, through the ``<Model>_<Attribute>Store`` model it creates with a
ForeignKey(model, related_name="_<attribute>_objects"), that reverse accessor; nothing else DRF's
``hasattr``/``build_field`` sees. So a serializer on such a model is judged, where before any
class decorator left every name unjudged (pretalx's ``@hierarkey.add()`` Event).

The description is checked against the real package in the pinned venv of
tools/gen_thirdparty.py; what DRF builds and rejects is checked by running DRF with
django-hierarkey 2.0.2 (pip into a cached folder), on migrations Django wrote with it.
"""

from __future__ import annotations

import importlib.util
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
from djstate.facts.values import Call
from djstate.state.thirdparty import decorator_contribution
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.pip_site import installed_site

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads((ROOT / "djstate" / "data" / "thirdparty.json").read_text())
_spec = importlib.util.spec_from_file_location("gen_thirdparty", ROOT / "tools" / "gen_thirdparty.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

VERSION = "2.0.2"
SITE = Path("~/.cache/djstate/venvs/site-django-hierarkey-" + VERSION).expanduser()
HIERARKEY = "hierarkey.models.Hierarkey"

STORE = """from hierarkey.models import Hierarkey

hierarkey = Hierarkey(attribute_name="settings")
"""
MODELS = """from django.db import models

from shop.store import hierarkey


@hierarkey.add(cache_namespace="book")
class Book(models.Model):
    title = models.CharField(max_length=10)
"""
SERIALIZERS = """from rest_framework import serializers

from shop.models import Book


class WithSettings(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["title", "settings"]


class WithStore(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["title", "_settings_objects"]


class WithUnknown(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["title", "djsmut_unknown"]
"""
FILES = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/store.py": STORE,
         "shop/models.py": MODELS, "shop/serializers.py": SERIALIZERS}  # fmt: skip


@pytest.fixture(scope="module")
def site() -> Path:
    return installed_site(SITE, "django-hierarkey", VERSION, "hierarkey/models.py",
                          "python-dateutil==2.9.0.post0", "six==1.17.0")  # fmt: skip


@pytest.fixture(scope="module")
def written(site, tmp_path_factory) -> Path:
    """The project with the migration Django (and hierarkey) write for it."""
    root = tmp_path_factory.mktemp("hierarkey")
    write_project(root, FILES)
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), old]))
    try:
        make_migrations(root, ["shop"])
    finally:
        os.environ.pop("PYTHONPATH") if old is None else os.environ.__setitem__("PYTHONPATH", old)
    return root


def _drf(root: Path, site: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "oracle" / "dump_drf_fields.py"), "--app", "shop",
         "--module", "shop.serializers"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(site)]), "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def _scan(root: Path, site: Path | None):
    config = load_config(root, {"site_packages": (str(site),)} if site else None)
    return scan(root, config, FactsStore(root, None, jobs=1))


# --- the description against the real package ----------------------------------------------------


@pytest.fixture(scope="module")
def venv_python() -> Path:
    try:
        return gen.ensure_venv()
    except gen.VenvError as exc:
        if exc.offline:
            pytest.skip(f"the package index cannot be reached to build the pinned venv: {str(exc)[:300]}")
        pytest.fail(f"the pinned venv of tools/gen_thirdparty.py cannot be built:\n{exc}")


def test_bundled_entry_is_what_hierarkey_gives(venv_python):
    fresh = gen.run_probe(venv_python, {"django-hierarkey": (["hierarkey.models"], [])})
    assert fresh["versions"]["django-hierarkey"] == DATA["versions"]["django-hierarkey"] == gen.PINS["django-hierarkey"][0]
    assert fresh["decorators"] == {HIERARKEY: DATA["decorators"][HIERARKEY]}
    entry = DATA["decorators"][HIERARKEY]
    # what the rest of this file relies on: two names, one a to-many reverse accessor, no field,
    # a required attribute_name (no default), and add()'s keyword arguments change no name
    assert sorted(entry["adds_names"]) == ["_{attribute_name}_objects", "{attribute_name}"]
    assert entry["reverse"] == [["_{attribute_name}_objects", True]] and entry["adds_fields"] == []
    assert entry["init_params"] == [["attribute_name", "POSITIONAL_OR_KEYWORD", None, True]]
    assert entry["same_with"] == ["cache_namespace", "parent_field"]


# --- the description applied ---------------------------------------------------------------------


def test_contribution_of_the_shapes_measured_and_none_for_others():
    settings = Call(HIERARKEY, (), {"attribute_name": "settings"})
    added = decorator_contribution(settings, "add", Call("x.add", (), {"parent_field": "organizer", "cache_namespace": "e"}))
    assert added is not None and added.names == {"settings", "_settings_objects"}
    assert added.reverse == (("_settings_objects", True),)
    positional = decorator_contribution(Call(HIERARKEY, ("config",), {}), "add", Call("x.add"))
    assert positional is not None and positional.names == {"config", "_config_objects"}
    for owner, method, call in [
        (Call(HIERARKEY, (), {}), "add", Call("x.add")),  # attribute_name is required
        (settings, "add", Call("x.add", (), {"other": 1})),  # a keyword add() does not take
        (settings, "set_global", Call("x.set_global")),  # not a model decorator
        (Call(HIERARKEY, (), {"attribute_name": Call("str", ("x",))}), "add", Call("x.add")),  # not a literal
        (Call("shop.Other", (), {"attribute_name": "settings"}), "add", Call("x.add")),  # not described
    ]:  # fmt: skip
        assert decorator_contribution(owner, method, call) is None, (owner, method, call)


def test_drf_builds_the_added_names_and_rejects_an_unknown_one(written, site):
    out = _drf(written, site)
    settings, store, unknown = (out[f"shop.serializers.{n}"] for n in ("WithSettings", "WithStore", "WithUnknown"))
    assert settings["error"] is None and settings["fields"]["settings"]["class"] == "ReadOnlyField"
    built = store["fields"]["_settings_objects"]
    assert store["error"] is None and built["class"] == "ManyRelatedField" and not built["read_only"]
    assert unknown["error"]["type"] == "ImproperlyConfigured" and "djsmut_unknown" in unknown["error"]["message"]
    # the migration Django wrote creates the store model beside Book
    migration = (written / "shop" / "migrations" / "0001_initial.py").read_text()
    assert "name='Book_SettingsStore'" in migration and "related_name='_settings_objects'" in migration


@pytest.mark.parametrize("with_site", [True, False], ids=["virtualenv", "no-virtualenv"])
def test_djstate_judges_the_serializers_as_drf_does(written, site, with_site):
    result = _scan(written, site if with_site else None)
    errors = [f for f in result.findings if f.severity == "error"]
    assert [(f.code, "djsmut_unknown" in f.message, "WithUnknown" in f.message) for f in errors] == [("DJS401", True, True)]
    assert not [f for f in result.findings if "settings" in f.message.lower()]


def test_an_unmeasured_call_stays_unjudged(written, site, tmp_path):
    root = tmp_path / "project"
    write_project(root, {**FILES, "shop/models.py": MODELS.replace('cache_namespace="book"', 'other="book"'),
                         "shop/migrations/0001_initial.py": (written / "shop/migrations/0001_initial.py").read_text()})
    assert not [f for f in _scan(root, site).findings if f.severity == "error"]
    write_project(root, {"shop/models.py": MODELS, "shop/store.py": STORE.replace('"settings"', 'NAME').replace(
        "hierarkey = ", 'NAME = "settings" if __debug__ else "config"\nhierarkey = ')})  # fmt: skip
    assert not [f for f in _scan(root, site).findings if f.severity == "error"]


def test_another_installed_version_stays_unjudged(written, site, tmp_path):
    """Only the measured 2.0.2 is described: a virtualenv holding another version (here the
    same files under another dist-info name) leaves the decorated model's names unjudged."""
    other = tmp_path / "site"
    shutil.copytree(site, other, ignore=shutil.ignore_patterns("__pycache__"))
    (other / f"django_hierarkey-{VERSION}.dist-info").rename(other / "django_hierarkey-1.0.4.dist-info")
    assert [f.code for f in _scan(written, site).findings if f.severity == "error"] == ["DJS401"]
    assert not [f for f in _scan(written, other).findings if f.severity == "error"]
