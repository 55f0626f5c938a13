"""A metaclass that consumes a Meta option of its own leaves the schema judged (pretalx's models).

django-rules' ``RulesModelBaseMixin.__new__`` takes ``rules_permissions`` off the class body's
Meta (Django's Options rejects names it does not know), builds the class through ModelBase and
keeps the value as ``_meta.rules_permissions``. Neither name is anything Django reads, so the
fields and the migrations' options are what ModelBase built. A metaclass that sets a Django
option (``meta.permissions``, ``_meta.ordering``) still leaves the schema unjudged.

Django's autodetector is the oracle: makemigrations writes the starting migrations, then an edit
of the model is judged by both.
"""

from __future__ import annotations

import libcst as cst
import pytest

from djstate.parse.metaclasses import DJANGO_META_OPTIONS, NONE, OPTIONS, OPTIONS_ATTRIBUTES, new_effect
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

# django-rules 3.5's RulesModelBaseMixin, with its add_perm registry in the tree
RULES = '''\
from django.core.exceptions import ImproperlyConfigured
from django.db.models.base import ModelBase

PERMISSIONS = {}


def add_perm(name, predicate):
    PERMISSIONS[name] = predicate


class RulesModelBaseMixin:
    def __new__(cls, name, bases, attrs, **kwargs):
        model_meta = attrs.get("Meta")
        if hasattr(model_meta, "rules_permissions"):
            perms = model_meta.rules_permissions
            del model_meta.rules_permissions
            if not isinstance(perms, dict):
                raise ImproperlyConfigured(
                    "The rules_permissions Meta option of %s must be a dict, not %s."
                    % (name, type(perms))
                )
            perms = perms.copy()
        else:
            perms = {}

        new_class = super().__new__(cls, name, bases, attrs, **kwargs)
        new_class._meta.rules_permissions = perms
        new_class.preprocess_rules_permissions(perms)
        for perm_type, predicate in perms.items():
            add_perm(new_class.get_perm(perm_type), predicate)
        return new_class


class RulesModelBase(RulesModelBaseMixin, ModelBase):
    pass


class RulesModelMixin:
    @classmethod
    def get_perm(cls, perm_type):
        return "%s.%s_%s" % (cls._meta.app_label, perm_type, cls._meta.model_name)

    @classmethod
    def preprocess_rules_permissions(cls, perms):
        pass
'''
MODELS = '''\
from django.db import models

from shop.rules import RulesModelBase, RulesModelMixin


class ShopModel(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    class Meta:
        abstract = True


class Talk(ShopModel):
    title = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        rules_permissions = {"view": bool}
'''


def _project(tmp_path, rules: str = RULES):
    files = {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/rules.py": rules,
             "shop/models.py": MODELS, "shop/migrations/__init__.py": ""}  # fmt: skip
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["shop"])


@pytest.mark.oracle
@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("    note = models.TextField(blank=True)\n", "    note = models.TextField(blank=True)\n    slug = models.SlugField(default='')\n"), id="add_field"),
        pytest.param(("max_length=40", "max_length=60"), id="alter_max_length"),
        pytest.param(("TextField(blank=True)", "TextField(blank=True, null=True)"), id="alter_null"),
    ],
)
def test_a_consumed_meta_option_leaves_the_schema_judged(tmp_path, edit):
    _project(tmp_path)
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified == 0
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace(*edit))
    expected = django_operations(tmp_path, ["shop"])
    assert expected, "the edit must be a change Django migrates"
    assert djstate_operations(tmp_path)[0] == expected


@pytest.mark.oracle
def test_a_metaclass_setting_a_django_option_stays_unjudged(tmp_path):
    """``_meta.ordering`` set after the class is built: Django's state is not what the body says."""
    _project(tmp_path, RULES.replace("new_class._meta.rules_permissions = perms", "new_class._meta.ordering = ['-id']"))
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=40", "max_length=60"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "talk", "title")}
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified >= 1
    items = [u for u in run_scan(tmp_path).project.unjudged if u.unit == "model shop.Talk"]
    assert [u.reason for u in items] == ["runtime-attribute"]


def _effect(body: str):
    func = cst.parse_module(body).body[0]
    return new_effect(func)


@pytest.mark.parametrize(
    "statement,level",
    [
        ("del meta.rules_permissions", NONE),
        ("meta.permissions = []", OPTIONS),  # a Django option: the migrations' options change
        ("new._meta.rules_permissions = {}", NONE),
        ("new._meta.ordering = []", OPTIONS),
        ("new._meta.local_fields = []", OPTIONS),
    ],
)
def test_new_effect_of_meta_writes(statement, level):
    body = (
        "def __new__(cls, name, bases, attrs, **kwargs):\n"
        "    meta = attrs.get('Meta')\n"
        f"    {statement if statement.startswith(('del meta', 'meta')) else 'pass'}\n"
        "    new = super().__new__(cls, name, bases, attrs, **kwargs)\n"
        f"    {statement if statement.startswith('new') else 'pass'}\n"
        "    return new\n"
    )
    assert _effect(body)[0] == level


def test_a_rebound_meta_name_is_not_the_class_bodys_meta():
    body = (
        "def __new__(cls, name, bases, attrs, **kwargs):\n"
        "    meta = attrs.get('Meta')\n"
        "    meta = attrs['fields']\n"
        "    del meta.rules_permissions\n"
        "    return super().__new__(cls, name, bases, attrs, **kwargs)\n"
    )
    assert _effect(body)[0] == OPTIONS


OPTION_NAMES_SCRIPT = """\
import json
import django
from django.conf import settings

settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
from django.contrib.auth.models import Permission
from django.db.models.options import DEFAULT_NAMES, Options

names = set(vars(Permission._meta)) | {n for n in dir(Options) if not n.startswith("__")}
print(json.dumps({"meta": sorted(DEFAULT_NAMES), "options": sorted(names)}))
"""


def test_the_option_names_cover_djangos():
    """Every Meta option and every attribute of a built model's Options, asked of Django."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", OPTION_NAMES_SCRIPT], capture_output=True, text=True, timeout=120, check=True)
    django_names = json.loads(proc.stdout)
    assert set(django_names["meta"]) <= DJANGO_META_OPTIONS
    assert set(django_names["options"]) <= OPTIONS_ATTRIBUTES, sorted(set(django_names["options"]) - OPTIONS_ATTRIBUTES)


# pulpcore 3.123's MasterModelMeta: a plain namespace item and a registry filled per class
MASTER = '''\
from django.db.models.base import ModelBase


class MasterModelMeta(ModelBase):
    def __new__(cls, name, bases, attrs, **kwargs):
        meta = attrs.get("Meta")
        abstract = getattr(meta, "abstract", None)
        if abstract:
            return super().__new__(cls, name, bases, attrs, **kwargs)
        attrs["_model_map"] = {}
        new_class = super().__new__(cls, name, bases, attrs, **kwargs)
        new_class._model_map[new_class.get_type()] = new_class
        return new_class
'''
MASTER_MODELS = '''\
from django.db import models

from shop.master import MasterModelMeta


class MasterModel(models.Model, metaclass=MasterModelMeta):
    TYPE = "master"
    kind = models.CharField(max_length=20)

    class Meta:
        abstract = True

    @classmethod
    def get_type(cls):
        return "{app_label}.{type}".format(app_label=cls._meta.app_label, type=cls.TYPE)


class Remote(MasterModel):
    TYPE = "remote"
    url = models.TextField()
'''


def _master_project(tmp_path, models: str = MASTER_MODELS):
    files = {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/master.py": MASTER,
             "shop/models.py": models, "shop/migrations/__init__.py": ""}  # fmt: skip
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["shop"])


@pytest.mark.oracle
@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("    url = models.TextField()\n", "    url = models.TextField()\n    name = models.SlugField(default='')\n"), id="add_field"),
        pytest.param(("max_length=20", "max_length=30"), id="inherited_max_length"),
        pytest.param(("url = models.TextField()", "url = models.TextField(null=True)"), id="alter_null"),
    ],
)
def test_a_plain_namespace_item_and_a_registry_leave_the_schema_judged(tmp_path, edit):
    _master_project(tmp_path)
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified == 0
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace(*edit))
    expected = django_operations(tmp_path, ["shop"])
    assert expected, "the edit must be a change Django migrates"
    assert djstate_operations(tmp_path)[0] == expected


@pytest.mark.oracle
def test_a_namespace_item_named_like_a_field_replaces_it(tmp_path):
    """``attrs["_model_map"] = {}`` where the body declares a field of that name: Django has no
    such field (the dict replaced it), so djstate does not compare the model."""
    shadowed = MASTER_MODELS.replace('    url = models.TextField()\n', '    url = models.TextField()\n    _model_map = models.TextField(default="")\n')
    _master_project(tmp_path, shadowed)
    migration = (tmp_path / "shop" / "migrations" / "0001_initial.py").read_text()
    assert "_model_map" not in migration  # Django: the field is gone
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified >= 1
    items = [u for u in run_scan(tmp_path).project.unjudged if u.unit == "model shop.Remote"]
    assert [(u.reason, u.detail) for u in items] == [("runtime-attribute", "its metaclass sets _model_map in the class namespace")]


@pytest.mark.parametrize(
    "body,level,attributes",
    [
        ("    attrs['_registry'] = {}\n    return super().__new__(cls, name, bases, attrs)\n", NONE, ("_registry",)),
        ("    attrs['Meta'] = ()\n    return super().__new__(cls, name, bases, attrs)\n", "names", ()),
        ("    attrs['extra'] = make()\n    return super().__new__(cls, name, bases, attrs)\n", "names", ()),  # may be a field
        ("    new = super().__new__(cls, name, bases, attrs)\n    new._registry[name] = new\n    return new\n", NONE, ()),
        ("    new = super().__new__(cls, name, bases, attrs)\n    new._meta.fields[0] = None\n    return new\n", OPTIONS, ()),  # _meta: not a plain container
    ],
)
def test_new_effect_of_namespace_items(body, level, attributes):
    got = _effect("def __new__(cls, name, bases, attrs, **kwargs):\n" + body)
    assert (got[0], got[3]) == (level, attributes), got[1]
