"""A ``Meta.fields`` name on the user model that no package of the virtualenv can give it.

Apps outside the tree may point at ``AUTH_USER_MODEL``, and each of their relations gives the
user model a reverse accessor DRF's ``build_field`` finds: its ``related_name``, else
``<model>_set``. djstate left every unknown name on such a model unjudged (misago's
NotificationActorSerializer, galaxy-ng's LegacyUserSerializer). With ``--site-packages`` those
names are bounded (djstate.state.serializer_reverse_bound): a name that is no literal
related_name and no ``<class>_set`` of the packages is rejected by DRF, and djstate says so.
A package whose related_name is computed leaves the bound open: the name stays unjudged.
DRF is the oracle (tests/oracle/dump_drf_fields.py).
"""

from __future__ import annotations

import os
import subprocess
import sys

import django
import pytest

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import scan
from djstate.state.catalog import _template_matches
from djstate.state.serializer_reverse_bound import OutsideAccessors, outside_accessors, read_relations
from tests.conftest import write_project
from tests.oracle.drf import drf_fields
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py

SETTINGS = '''\
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "badges", "shop"]
AUTH_USER_MODEL = "auth.User"
'''
BADGES = '''\
from django.conf import settings
from django.db import models


class Badge(models.Model):
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")


class Stamp(models.Model):
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
'''
# a related_name computed at runtime: any name may be an accessor
DYNAMIC = '''\
from django.conf import settings
from django.db import models


def relation(name):
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name=name + "s")
'''
MODELS = '''\
from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
'''
SERIALIZERS = '''\
from django.contrib.auth import get_user_model
from rest_framework import serializers


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        fields = ("id", "username", "notes", "badges", "stamp_set")
        model = get_user_model()


class UserStale(serializers.ModelSerializer):
    class Meta:
        fields = ("id", "nickname")
        model = get_user_model()


class UserSource(serializers.ModelSerializer):
    nick = serializers.CharField(source="nickname")
    badge_list = serializers.PrimaryKeyRelatedField(source="badges", many=True, read_only=True)

    class Meta:
        fields = ("id", "nick", "badge_list")
        model = get_user_model()


class UserLink(serializers.ModelSerializer):
    # HyperlinkedIdentityField sets source='*' whatever it is given: "nosuch" is never read
    link = serializers.HyperlinkedIdentityField(view_name="user-detail", source="nosuch")

    class Meta:
        fields = ("id", "link")
        model = get_user_model()
'''


def _layout(tmp_path, dynamic=False):
    site = tmp_path / "venv" / "site-packages"
    site.mkdir(parents=True)
    (site / "django").symlink_to(os.path.dirname(django.__file__))
    write_project(site, {"badges/__init__.py": "", "badges/apps.py": apps_py("badges"), "badges/models.py": BADGES,
                         **({"dynamic/__init__.py": "", "dynamic/models.py": DYNAMIC} if dynamic else {})})  # fmt: skip
    root = write_project(tmp_path / "proj", {
        "settings.py": SETTINGS, "shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
        "shop/migrations/__init__.py": "", "shop/serializers.py": SERIALIZERS,
    })  # fmt: skip
    make_migrations(root, ["shop"])
    return root, site


def _scan(root, site):
    config = load_config(root, {"site_packages": (str(site),), "settings": "settings"})
    return scan(root, config, FactsStore(root, None, jobs=1))


def _errors(result):
    return sorted((f.code, f.field) for f in result.findings if f.severity == "error")


DRF_SOURCE = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "badges", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.contrib.auth.models import User
from shop.serializers import UserSource
try:
    UserSource(User(id=1, username="u")).data
except AttributeError as exc:
    print("AttributeError", "nickname" in str(exc))
from shop.serializers import UserLink
print("link source", UserLink().fields["link"].source)
"""


def test_drf_raises_on_the_missing_source(tmp_path):
    root, site = _layout(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(site)])}
    proc = subprocess.run([sys.executable, "-c", DRF_SOURCE], cwd=root, capture_output=True, text=True,
                          timeout=300, check=False, env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split("\n")[:2] == ["AttributeError True", "link source *"]


def test_drf_accepts_the_packages_accessors_and_rejects_the_rest(tmp_path, monkeypatch):
    root, site = _layout(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(site))
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "badges", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    assert set(oracle["shop.serializers.UserSerializer"]["fields"]) == {"id", "username", "notes", "badges", "stamp_set"}
    assert oracle["shop.serializers.UserStale"]["error"]["type"] == "ImproperlyConfigured"


def test_a_name_no_package_can_give_is_an_error(tmp_path):
    root, site = _layout(tmp_path)
    result = _scan(root, site)
    assert _errors(result) == [("DJS401", "nickname"), ("DJS402", "nick")]
    assert [f.field for f in result.findings if f.code == "DJS402"] == ["nick"]  # not UserLink.link
    unjudged = {u.unit for u in result.project.unjudged}
    # badges: a package's accessor djstate does not place: its source is not judged either
    assert "serializer source shop.serializers.UserSource.badge_list" in unjudged
    assert "serializer field shop.serializers.UserStale.nickname" not in unjudged
    # the packages' accessors (related_name, <class>_set) are left unjudged, never errors
    assert "serializer field shop.serializers.UserSerializer.badges" in unjudged
    assert "serializer field shop.serializers.UserSerializer.stamp_set" in unjudged


def test_a_computed_related_name_leaves_it_unjudged(tmp_path):
    root, site = _layout(tmp_path, dynamic=True)
    result = _scan(root, site)
    assert _errors(result) == []
    assert "serializer field shop.serializers.UserStale.nickname" in {u.unit for u in result.project.unjudged}


@pytest.mark.parametrize("text, bounded", [
    (b'x = models.ForeignKey(User, related_name="a")\n', True),
    (b'related_name = field.related_query_name()\n', True),  # a local variable, passed on or not
    (b"Meta:\n    default_related_name = '%(app_label)s_%(class)s'\n", True),
    (b'x = models.ForeignKey(User, related_name=name)\n', False),
    (b'x = models.ForeignKey(User, related_name="a" + name)\n', False),
    (b'def f(related_name=None):\n    return ForeignKey(User, related_name=related_name)\n', True),  # a caller's
    (b'M = model.__class__(n, (models.Model,), {"o": models.ForeignKey(m, related_name="_%s_x" % a)})\n', True),
    (b'self.remote_field.related_name = name\n', False),
    (b'# related_name="+" suppresses the accessor\n', True),
    (b'kwargs = {"related_name": prefix}\n', False),
    (b'M = type(name, (models.Model,), {"u": models.ForeignKey(User, on_delete=CASCADE)})\n', False),
])  # fmt: skip
def test_what_text_shows_of_a_relations_name(text, bounded):
    assert (read_relations(text) is not None) is bounded


def test_a_formatted_related_name_is_a_pattern():
    names, _, templates = read_relations(b'x = ForeignKey(m, related_name="_%s_objects" % self.name)\n'
                                         b'y = ForeignKey(m, related_name=f"{prefix}_items")\n')
    bound = OutsideAccessors(frozenset(names), frozenset(), frozenset(templates))
    matches = lambda template, name: _template_matches(template, name)
    assert bound.may_give("_settings_objects", matches) and bound.may_give("shop_items", matches)
    assert not bound.may_give("settings", matches) and not bound.may_give("items", matches)


def test_packages_a_path_file_names_are_read_and_an_editable_hook_leaves_it_open(tmp_path):
    site, source = tmp_path / "site", tmp_path / "src"
    write_project(source, {"clubs/__init__.py": "", "clubs/models.py": BADGES.replace("badges", "clubs")})
    write_project(site, {"clubs.pth": f"{source}\n"})
    bound = outside_accessors([site])
    assert bound is not None and "clubs" in bound.names and "stamp" in bound.classes
    write_project(site, {"__editable___clubs_finder.pth": "import __editable___clubs_finder\n"})
    assert outside_accessors([site]) is None
