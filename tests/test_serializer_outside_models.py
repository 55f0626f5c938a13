"""Serializers on models read from the virtualenv (django.contrib's ContentType, Group and User),
and serializer bases whose ``Meta`` names no model.

The models state holds the tree's models only, so a ``Meta.model`` of an installed app was
"no model djstate knows" and the serializer was not judged (mayan-edms: ContentTypeSerializer,
GroupSerializer, EventSerializer on actstream's Action). With ``--site-packages`` the model
is read from the virtualenv as a concrete parent already is: its fields, properties and
methods are names DRF accepts; a name found on none of them stays unjudged (an installed app
may give the model a reverse accessor djstate does not read), never an error.

A ``Meta`` without ``model`` (mayan-edms' BaseSignatureSerializer) is a base for subclassing,
like a serializer with no ``Meta``: DRF fails only where it is itself used, so it is not
counted as unverified. DRF is the oracle (tests/oracle/dump_drf_fields.py).
"""

from __future__ import annotations

import os

import django
import pytest

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import scan
from tests.conftest import write_project
from tests.oracle.drf import drf_fields
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py

SETTINGS = '''\
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"]
AUTH_USER_MODEL = "auth.User"
'''
MODELS = '''\
from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
'''
SERIALIZERS = '''\
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers


class ContentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        fields = ("app_label", "id", "model", "name")
        model = ContentType


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        fields = ("id", "name", "permissions", "user_set")
        model = Group


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        fields = ("id", "username", "groups", "notes", "is_active", "get_full_name", "natural_key")
        model = get_user_model()


class GroupStale(serializers.ModelSerializer):
    class Meta:
        fields = ("id", "title")
        model = Group


class SignatureBase(serializers.ModelSerializer):
    extra = serializers.CharField()

    class Meta:
        fields = ("extra",)
'''


def _layout(tmp_path):
    site = tmp_path / "venv" / "site-packages"
    site.mkdir(parents=True)
    (site / "django").symlink_to(os.path.dirname(django.__file__))  # Django's own models are read from it
    root = write_project(tmp_path / "proj", {
        "settings.py": SETTINGS, "shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
        "shop/migrations/__init__.py": "", "shop/serializers.py": SERIALIZERS,
    })  # fmt: skip
    make_migrations(root, ["shop"])
    return root, site


def _scan(root, site_packages):
    config = load_config(root, {"site_packages": site_packages, "settings": "settings"})
    return scan(root, config, FactsStore(root, None, jobs=1))


@pytest.fixture
def layout(tmp_path):
    return _layout(tmp_path)


def test_drf_accepts_the_names_on_contrib_models(layout):
    root, _ = layout
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = {path.rsplit(".", 1)[1]: entry["error"]["type"] for path, entry in oracle.items() if entry["error"]}
    assert rejected == {"GroupStale": "ImproperlyConfigured", "SignatureBase": "AssertionError"}, rejected
    assert set(oracle["shop.serializers.GroupSerializer"]["fields"]) == {"id", "name", "permissions", "user_set"}
    assert set(oracle["shop.serializers.UserSerializer"]["fields"]) >= {"notes", "groups", "get_full_name"}


def test_with_the_virtualenv_the_contrib_models_are_judged(layout):
    root, site = layout
    result = _scan(root, (str(site),))
    # a name on none of Group's fields that no relation of the virtualenv's packages can give
    # it (no related_name "title", no class Title): DRF rejects it (the test above)
    assert [(f.code, f.field) for f in result.findings if f.severity == "error"] == [("DJS401", "title")]
    unjudged = {(u.reason, u.unit) for u in result.project.unjudged}
    for name in ("ContentTypeSerializer", "GroupSerializer", "UserSerializer", "SignatureBase"):
        assert ("serializer-unknown", f"serializer shop.serializers.{name}") not in unjudged, name
    # user_set: auth.User's groups gives it (related_name="user_set" in the virtualenv), and
    # djstate does not place relations of the virtualenv's models: not judged
    assert ("name-maybe-reverse", "serializer field shop.serializers.GroupSerializer.user_set") in unjudged
    built = {s.name: set(r.fields) for s, r in result.project.serializers.checked() if r.model is not None}
    assert built["GroupSerializer"] == {"id", "name", "permissions"}
    assert built["ContentTypeSerializer"] == {"app_label", "id", "model", "name"}
    assert {"notes", "groups", "get_full_name", "natural_key"} <= built["UserSerializer"]


def test_without_the_virtualenv_they_stay_unverified(layout):
    root, _ = layout
    result = _scan(root, ())
    assert [f.message for f in result.findings if f.severity == "error"] == []
    unjudged = {(u.reason, u.unit) for u in result.project.unjudged}
    assert ("serializer-unknown", "serializer shop.serializers.GroupSerializer") in unjudged
    assert ("serializer-unknown", "serializer shop.serializers.SignatureBase") not in unjudged
