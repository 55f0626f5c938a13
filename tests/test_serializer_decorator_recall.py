"""Serializer names on models with a class decorator of the tree.

nautobot puts ``@extras_features("graphql", ...)`` on nearly every model: it stores the class in
a registry and returns it unchanged, so DRF accepts and rejects exactly the names it would
without the decorator, and djstate judges them. A decorator that sets an attribute by a literal
name adds that name; one that does anything djstate does not follow leaves the model's names unjudged. Checked against DRF
(tests/oracle/dump_drf_fields.py).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from djstate.parse.class_decorators import FACTORY, PLAIN, class_decorator
from tests.conftest import run_scan, write_project
from tests.oracle.drf import drf_fields
from tests.oracle.makemigrations import make_migrations

EXTRAS_FEATURES = '''
def extras_features(*features):
    """Registers the model for features."""

    def wrapper(model_class):
        if "model_features" not in registry:
            registry["model_features"] = {f: collections.defaultdict(list) for f in EXTRAS_FEATURES}
        for feature in features:
            if feature in EXTRAS_FEATURES:
                registry["feature_models"][feature].append(model_class)
                app_label, model_name = model_class._meta.label_lower.split(".")
                registry["model_features"][feature][app_label].append(model_name)
            else:
                raise ValueError(f"{feature} is not a valid extras feature!")
        return model_class

    return wrapper
'''


def _function(source: str) -> cst.FunctionDef:
    node = cst.parse_module(source).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node


@pytest.mark.parametrize(
    "source,expected",
    [
        pytest.param(EXTRAS_FEATURES, (FACTORY, "", ()), id="nautobot_extras_features"),
        pytest.param("def register(cls):\n    REGISTRY.append(cls)\n    return cls\n", (PLAIN, "", ()), id="plain_registers"),
        pytest.param("def register(cls):\n    REGISTRY[cls.__name__] = cls\n    return cls\n", (PLAIN, "", ()), id="dict_item"),
        pytest.param("def tag(cls):\n    cls.badge = 'x'\n    return cls\n", (PLAIN, "", ("badge",)), id="sets_attribute"),
        pytest.param("def tag(cls):\n    cls.__unicode__ = cls.__str__\n    cls.__str__ = lambda self: 'x'\n    return cls\n",
                     (PLAIN, "", ("__str__", "__unicode__")), id="six_unicode_compatible"),
        pytest.param("def tag(cls):\n    raise ValueError('%s' % cls.__name__)\n    return cls\n", (PLAIN, "", ()), id="raise_with_name"),
        pytest.param("def tag(cls):\n    f = lambda s: 1\n    cls.x = f\n    return cls\n", (PLAIN, "tag defines a lambda", ()), id="lambda_bound"),
        pytest.param("def tag(cls):\n    del cls.badge\n    return cls\n", (PLAIN, "tag sets cls.badge", ()), id="deletes"),
        pytest.param("def tag(cls):\n    cls._meta.x = 1\n    return cls\n", (PLAIN, "tag sets cls._meta.x", ()), id="sets_meta"),
        pytest.param("def tag(cls):\n    setattr(cls, 'badge', 1)\n    return cls\n", (PLAIN, "", ("badge",)), id="setattr"),
        pytest.param("def tag(cls):\n    setattr(cls, cls.__name__, 1)\n    return cls\n", (PLAIN, "tag passes cls to setattr", ()), id="setattr_computed"),
        pytest.param("def tag(cls):\n    other(cls)\n    return cls\n", (PLAIN, "tag passes cls to other", ()), id="passed_on"),
        pytest.param("def tag(cls):\n    meta = cls._meta\n    meta.x = 1\n    return cls\n", (PLAIN, "tag binds cls._meta", ()), id="alias"),
        pytest.param("def tag(cls):\n    cls.contribute()\n    return cls\n", (PLAIN, "tag calls cls.contribute", ()), id="calls_method"),
        pytest.param("def tag(cls):\n    return Wrapped(cls)\n", None, id="returns_other_no_shape"),
        pytest.param("def tag(cls):\n    if cls:\n        return Other\n    return cls\n", (PLAIN, "tag returns Other", ()), id="returns_other"),
        pytest.param("def deco(name):\n    def wrapper(cls):\n        setattr(cls, name, property(lambda s: 1))\n"
                     "        return cls\n    return wrapper\n", (FACTORY, "wrapper passes cls to setattr", ()), id="factory_sets"),
        pytest.param("def deco(*names):\n    def wrapper(cls):\n        return cls\n    wrapper.x = 1\n    return wrapper\n",
                     (FACTORY, "deco changes wrapper before returning it", ()), id="factory_changes_wrapper"),
        pytest.param("def helper(x):\n    x.save()\n    return x.pk\n", None, id="no_decorator_shape"),
    ],
)
def test_what_a_class_decorator_keeps(source, expected):
    assert class_decorator(_function(source)) == expected


# --- against DRF -------------------------------------------------------------------------------

UTILS = '''import collections

registry = {"feature_models": collections.defaultdict(list)}
EXTRAS_FEATURES = ["graphql", "webhooks"]
''' + EXTRAS_FEATURES + '''

def badge(model_class):
    setattr(model_class, "badge", "new")
    return model_class
'''
MODELS = '''from django.db import models

from .utils import badge, extras_features


@extras_features("graphql", "webhooks")
class Device(models.Model):
    name = models.CharField(max_length=80)


@badge
class Cable(models.Model):
    label = models.CharField(max_length=80)
'''
SERIALIZERS = '''from rest_framework import serializers

from .models import Cable, Device


class DeviceNames(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "name"]


class DeviceStale(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "hostname"]


class CableAdded(serializers.ModelSerializer):
    class Meta:
        model = Cable
        fields = ["id", "label", "badge"]


class CableStale(serializers.ModelSerializer):
    class Meta:
        model = Cable
        fields = ["id", "caption"]
'''


def test_decorated_model_names_are_judged_as_drf_does(tmp_path):
    files = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/utils.py": UTILS,
             "shop/models.py": MODELS, "shop/serializers.py": SERIALIZERS}  # fmt: skip
    root = write_project(tmp_path, files)
    make_migrations(root, ["shop"])
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = {path.rsplit(".", 1)[1] for path, entry in oracle.items() if entry["error"]}
    assert rejected == {"DeviceStale", "CableStale"}, oracle  # the fixture does what it says
    assert set(oracle["shop.serializers.CableAdded"]["fields"]) == {"id", "label", "badge"}
    result = run_scan(root)
    reported = {(f.code, f.message.split(":", 1)[0]) for f in result.findings if f.code.startswith("DJS4")}
    # the registering decorator keeps Device's names, the setattr decorator Cable's with `badge`
    # added: the stale ones are reported, `badge` is not
    assert reported == {("DJS401", "DeviceStale"), ("DJS401", "CableStale")}


# --- `class Mixin(object)` and a class attribute with contribute_to_class -----------------------

MIXIN_MODELS = '''from django.db import models


class LabelMixin(object):
    """A py2-style mixin: `object` named as its base."""

    kind = "label"

    def display(self):
        return self.name.title()


class TranslatedNames(object):
    """Adds a class attribute per keyword when ModelBase calls contribute_to_class (parler's
    TranslatedFields does so)."""

    def __init__(self, **names):
        self.names = names

    def contribute_to_class(self, cls, name):
        for key in self.names:
            setattr(cls, key, property(lambda self, key=key: key))


class Shelf(LabelMixin, models.Model):
    name = models.CharField(max_length=80)


class Book(models.Model):
    title = models.CharField(max_length=80)
    translations = TranslatedNames(subtitle="")
'''
MIXIN_SERIALIZERS = '''from rest_framework import serializers

from .models import Book, Shelf


class ShelfNames(serializers.ModelSerializer):
    class Meta:
        model = Shelf
        fields = ["id", "name", "kind", "display"]


class ShelfStale(serializers.ModelSerializer):
    class Meta:
        model = Shelf
        fields = ["id", "label"]


class BookNames(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "subtitle"]
'''


def test_object_mixin_names_are_judged_and_contributed_names_are_not(tmp_path):
    files = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": MIXIN_MODELS,
             "shop/serializers.py": MIXIN_SERIALIZERS}  # fmt: skip
    root = write_project(tmp_path, files)
    make_migrations(root, ["shop"])
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = {path.rsplit(".", 1)[1] for path, entry in oracle.items() if entry["error"]}
    assert rejected == {"ShelfStale"}, oracle  # the fixture does what it says
    assert set(oracle["shop.serializers.BookNames"]["fields"]) == {"id", "title", "subtitle"}
    result = run_scan(root)
    reported = {(f.code, f.message.split(":", 1)[0]) for f in result.findings if f.code.startswith("DJS4")}
    # Shelf's mixin derives from object: its names are known, the stale one is reported
    assert reported == {("DJS401", "ShelfStale")}
    # Book's class attribute adds names through contribute_to_class: not judged, and said
    silenced = {(u.reason, u.unit) for u in result.project.unjudged if u.unit.startswith("serializer field")}
    assert ("name-on-unknown-model", "serializer field shop.serializers.BookNames.subtitle") in silenced


# --- django-simple-history's HistoricalRecords, read from a virtualenv --------------------------

HISTORY_VENV = Path("~/.cache/djstate/oracle-venvs/edx-enterprise-8.18.0").expanduser()
HISTORY_MODELS = '''from django.db import models
from simple_history.models import HistoricalRecords


class Ledger(models.Model):
    name = models.CharField(max_length=80)
    history = HistoricalRecords()
'''
HISTORY_SERIALIZERS = '''from rest_framework import serializers

from .models import Ledger


class LedgerNames(serializers.ModelSerializer):
    class Meta:
        model = Ledger
        fields = ["id", "name", "save_without_historical_record"]


class LedgerStale(serializers.ModelSerializer):
    class Meta:
        model = Ledger
        fields = ["id", "title"]
'''


@pytest.mark.skipif(not (HISTORY_VENV / "bin" / "python").exists(), reason="needs edx-enterprise's oracle venv (simple_history)")
def test_historical_records_names_are_judged_as_drf_does(tmp_path):
    """HistoricalRecords' contribute_to_class gives the model save_without_historical_record;
    DRF (the venv's, with the real package) accepts it and rejects a stale name."""
    import json
    import os
    import subprocess

    site = next((HISTORY_VENV / "lib").glob("python3.*/site-packages"))
    files = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": HISTORY_MODELS,
             "shop/serializers.py": HISTORY_SERIALIZERS}  # fmt: skip
    root = write_project(tmp_path, files, config={"site_packages": [str(site)]})
    oracle_script = Path(__file__).resolve().parent / "oracle" / "dump_drf_fields.py"
    cmd = [str(HISTORY_VENV / "bin" / "python"), str(oracle_script), "--app", "django.contrib.auth", "--app",
           "django.contrib.contenttypes", "--app", "rest_framework", "--app", "simple_history", "--app", "shop",
           "--module", "shop.serializers"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=True)
    oracle = json.loads(done.stdout)
    assert oracle["shop.serializers.LedgerNames"]["error"] is None, oracle
    assert "save_without_historical_record" in oracle["shop.serializers.LedgerNames"]["fields"]
    assert oracle["shop.serializers.LedgerStale"]["error"]["type"] == "ImproperlyConfigured"
    result = run_scan(root)
    assert [(f.code, f.field) for f in result.findings if f.code.startswith("DJS4")] == [("DJS401", "title")]
