"""Serializer names on models built by a metaclass, or with a ``property(...)`` attribute.

A metaclass whose ``__new__`` only registers the class, consumes a Meta option or changes a
field's options leaves every name of the model as Django builds it: DRF accepts and rejects
exactly the names it would without the metaclass, so djstate judges them (and leaves the
schema unjudged when options Django reads may change; a Meta option of its own, consumed, is
not one of them). A metaclass that gives the class attributes
(``setattr``, a changed namespace, a hook that writes the class) leaves names unjudged.
Each shape is checked against DRF itself (tests/oracle/dump_drf_fields.py).
"""

from __future__ import annotations

import libcst as cst
import pytest

from djstate.parse.class_writes import writes_class
from djstate.parse.metaclasses import NAMES, NONE, new_effect
from tests.conftest import run_scan, write_project
from tests.oracle.drf import drf_fields
from tests.oracle.makemigrations import make_migrations


def _function(source: str) -> cst.FunctionDef:
    node = cst.parse_module(source).body[0]
    assert isinstance(node, cst.FunctionDef)
    return node


RULES_NEW = '''
def __new__(cls, name, bases, attrs, **kwargs):
    model_meta = attrs.get("Meta")
    if hasattr(model_meta, "rules_permissions"):
        perms = model_meta.rules_permissions
        del model_meta.rules_permissions
        perms = perms.copy()
    else:
        perms = {}
    new_class = super().__new__(cls, name, bases, attrs, **kwargs)
    new_class._meta.rules_permissions = perms
    new_class.preprocess_rules_permissions(perms)
    for perm_type, predicate in perms.items():
        add_perm(new_class.get_perm(perm_type), predicate)
    return new_class
'''
COLLATION_NEW = '''
def __new__(mcs, name, bases, namespace, **kwargs):
    cls = super().__new__(mcs, name, bases, namespace, **kwargs)
    if cls._meta.abstract:
        return cls
    field = cls._meta.get_field("sort_path")
    field.db_collation = getattr(cls._meta.get_field("name"), "db_collation", None)
    return cls
'''


@pytest.mark.parametrize(
    "source,level,hooks",
    [
        # a Meta option of its own, consumed: Django reads neither it nor _meta.rules_permissions
        # (tests/test_metaclass_meta_options.py checks the schema against Django's autodetector)
        pytest.param(RULES_NEW, NONE, ("preprocess_rules_permissions", "get_perm"), id="rules_registers"),
        # one kwarg of one field set to a value djstate does not read: a field option write
        # (effect[6]), that kwarg unknown and the rest judged (tests/test_metaclass_unread_option.py)
        pytest.param(COLLATION_NEW, NONE, (), id="field_option"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    REGISTRY.append(name)\n"
                     "    return super().__new__(mcs, name, bases, attrs)\n", NONE, (), id="registers_name"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    setattr(cls, 'extra', 1)\n    return cls\n", NAMES, (), id="setattr"),
        # a literal namespace item: a plain class attribute of a known name (new_effect's attributes)
        pytest.param("def __new__(mcs, name, bases, attrs):\n    attrs['extra'] = 1\n"
                     "    return super().__new__(mcs, name, bases, attrs)\n", NONE, (), id="namespace_item"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    attrs['extra'] = make()\n"
                     "    return super().__new__(mcs, name, bases, attrs)\n", NAMES, (), id="namespace_call"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    attrs.update(extra=1)\n"
                     "    return super().__new__(mcs, name, bases, attrs)\n", NAMES, (), id="namespace_update"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    new = dict(attrs, extra=1)\n"
                     "    return super().__new__(mcs, name, bases, new)\n", NAMES, (), id="other_namespace"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    cls.extra = 1\n    return cls\n", NONE, (), id="class_attribute"),  # a name hasattr finds (set_after)
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    register(cls)\n    return cls\n", NAMES, (), id="passed_on"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    f = cls._meta.get_field('owner')\n    f.remote_field.related_name = 'x'\n    return cls\n",
                     NAMES, (), id="related_name"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    cls._meta.local_fields.append(1)\n    return cls\n", NAMES, (), id="meta_list_changed"),
        pytest.param("def __new__(mcs, name, bases, attrs):\n    cls = super().__new__(mcs, name, bases, attrs)\n"
                     "    return Other\n", NAMES, (), id="returns_other"),
    ],
)
def test_what_a_metaclass_new_can_change(source, level, hooks):
    got = new_effect(_function(source))
    assert (got[0], got[2]) == (level, hooks), got[1]
    if "cls.extra = 1" in source:
        assert "extra" in got[5]  # the serializers' hasattr finds it (ModelClass.metaclass_names)


@pytest.mark.parametrize(
    "source,writes",
    [
        ("@classmethod\ndef get_perm(cls, perm_type):\n    return '%s.%s' % (cls._meta.app_label, perm_type)\n", False),
        ("@classmethod\ndef hook(cls, perms):\n    '''Does nothing.'''\n", False),
        ("@classmethod\ndef hook(cls, perms):\n    cls.extra = perms\n", True),
        ("@classmethod\ndef hook(cls, perms):\n    setattr(cls, 'extra', perms)\n", True),
        ("@classmethod\ndef hook(cls, perms):\n    register(cls)\n", True),
        ("@classmethod\ndef hook(cls, perms):\n    meta = cls._meta\n    meta.add_field(perms)\n", True),
        ("@classmethod\ndef hook(cls, perms):\n    cls.other(perms)\n", True),
    ],
)
def test_which_hooks_only_read_their_class(source, writes):
    assert writes_class(_function(source)) is writes


# --- against DRF -------------------------------------------------------------------------------

MODELS = '''from django.db import models
from django.db.models.base import ModelBase

REGISTRY = []


class Registering(ModelBase):
    """Registers each model and reads a Meta option of its own, as django-rules' RulesModelBase does."""

    def __new__(cls, name, bases, attrs, **kwargs):
        meta = attrs.get("Meta")
        audit = getattr(meta, "audit", False)
        if hasattr(meta, "audit"):
            del meta.audit
        new_class = super().__new__(cls, name, bases, attrs, **kwargs)
        new_class._meta.audit = audit
        REGISTRY.append(new_class.label_for(audit))
        return new_class


class Adding(ModelBase):
    def __new__(cls, name, bases, attrs, **kwargs):
        new_class = super().__new__(cls, name, bases, attrs, **kwargs)
        setattr(new_class, "badge", "new")
        return new_class


class AuditedModel(models.Model, metaclass=Registering):
    class Meta:
        abstract = True

    @classmethod
    def label_for(cls, audit):
        return "%s:%s" % (cls._meta.label, audit)


def _initials(self):
    return self.name[:2]


class Author(AuditedModel):
    name = models.CharField(max_length=80)
    initials = property(_initials, doc="The first letters")

    class Meta:
        audit = True


class Badge(models.Model, metaclass=Adding):
    title = models.CharField(max_length=80)
'''
SERIALIZERS = '''from rest_framework import serializers

from .models import Author, Badge


class AuthorNames(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name", "initials"]


class AuthorStale(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "full_name"]


class BadgeAdded(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ["id", "title", "badge"]


class BadgeStale(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ["id", "caption"]
'''


def test_metaclass_and_property_names_are_judged_as_drf_does(tmp_path):
    files = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": MODELS,
             "shop/serializers.py": SERIALIZERS}  # fmt: skip
    root = write_project(tmp_path, files)
    make_migrations(root, ["shop"])
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = {path.rsplit(".", 1)[1] for path, entry in oracle.items() if entry["error"]}
    assert rejected == {"AuthorStale", "BadgeStale"}, oracle  # the fixture does what it says
    assert set(oracle["shop.serializers.AuthorNames"]["fields"]) == {"id", "name", "initials"}
    assert set(oracle["shop.serializers.BadgeAdded"]["fields"]) == {"id", "title", "badge"}
    result = run_scan(root)
    reported = {(f.code, f.message.split(":", 1)[0]) for f in result.findings if f.code.startswith("DJS4")}
    # Author's metaclass keeps its names: the stale one is reported, the property is accepted
    assert reported == {("DJS401", "AuthorStale")}
    # Badge's metaclass adds an attribute: its names are not judged, and that is said
    silenced = {(u.reason, u.unit) for u in result.project.unjudged if u.unit.startswith("serializer field")}
    assert ("name-on-unknown-model", "serializer field shop.serializers.BadgeStale.caption") in silenced
    # a metaclass that only consumes a Meta option of its own (audit) leaves the schema judged
    models = {u.unit: u.detail for u in result.project.unjudged if u.unit.startswith("model shop.")}
    assert "model shop.Author" not in models
    assert "setattr" in models["model shop.Badge"]


# --- a base completed by its subclasses; getters set on the instance ----------------------------

SHAPES_MODELS = '''from django.db import models


class Vendor(models.Model):
    name = models.CharField(max_length=80)
'''
SHAPES_SERIALIZERS = '''from rest_framework import serializers

from .models import Vendor


class VendorBase(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "vendor_code"]


class VendorWrite(VendorBase):
    vendor_code = serializers.CharField(source="name")


class VendorTitled(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = ["id", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("title",):
            setattr(self, f"get_{field}", lambda obj, name="name": getattr(obj, name))
'''
# DRF serializes one Vendor through VendorTitled: the getter set in __init__ is found
SERIALIZE = '''
import json
import django
from django.conf import settings

settings.configure(INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from shop.models import Vendor
from shop.serializers import VendorTitled

print(json.dumps(VendorTitled(Vendor(id=1, name="Acme")).data))
'''


def test_subclass_completed_base_and_instance_getters_are_what_drf_accepts(tmp_path):
    import json
    import os
    import subprocess
    import sys

    files = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": SHAPES_MODELS,
             "shop/serializers.py": SHAPES_SERIALIZERS}  # fmt: skip
    root = write_project(tmp_path, files)
    make_migrations(root, ["shop"])
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    # the base fails only when it is built itself; its subclass declares the name
    assert oracle["shop.serializers.VendorBase"]["error"]["type"] == "ImproperlyConfigured"
    assert oracle["shop.serializers.VendorWrite"]["error"] is None
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", SERIALIZE], capture_output=True, text=True, env=env, check=True)
    assert json.loads(done.stdout) == {"id": 1, "title": "Acme"}
    result = run_scan(root)
    assert [f for f in result.findings if f.code in ("DJS401", "DJS408")] == []
    silenced = {(u.reason, u.unit) for u in result.project.unjudged}
    assert ("completed-by-subclass", "serializer field shop.serializers.VendorBase.vendor_code") in silenced
    # the same base with no subclass declaring the name is reported
    (root / "shop" / "serializers.py").write_text(SHAPES_SERIALIZERS.replace('    vendor_code = serializers.CharField(source="name")\n', "    pass\n"))
    result = run_scan(root)
    assert [(f.code, f.field) for f in result.findings if f.code == "DJS401"] == [("DJS401", "vendor_code"), ("DJS401", "vendor_code")]


# --- a concrete parent read from a virtualenv ----------------------------------------------------

PARENT_MODELS = '''from django.db import models


class Comment(models.Model):
    body = models.TextField()
    author_name = models.CharField(max_length=50)

    class Meta:
        app_label = "extcomments"
'''
CHILD_MODELS = '''from django.db import models
from extcomments.models import Comment


class ThreadedComment(Comment):
    level = models.IntegerField(default=0)
'''
CHILD_SERIALIZERS = '''from rest_framework import serializers

from .models import ThreadedComment


class ThreadedNames(serializers.ModelSerializer):
    class Meta:
        model = ThreadedComment
        fields = ["id", "body", "author_name", "level"]


class ThreadedStale(serializers.ModelSerializer):
    class Meta:
        model = ThreadedComment
        fields = ["id", "author_email", "level"]
'''


def test_names_of_a_concrete_parent_from_the_virtualenv_are_judged_as_drf_does(tmp_path):
    site = write_project(tmp_path / "site", {"extcomments/__init__.py": "", "extcomments/migrations/__init__.py": "",
                                             "extcomments/models.py": PARENT_MODELS})  # fmt: skip
    make_migrations(site, ["extcomments"])
    root = write_project(tmp_path / "project", {"shop/__init__.py": "", "shop/migrations/__init__.py": "",
                                                "shop/models.py": CHILD_MODELS, "shop/serializers.py": CHILD_SERIALIZERS},
                         config={"site_packages": [str(site)]})  # fmt: skip
    import os

    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    try:
        make_migrations(root, ["shop"])
        oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "extcomments", "shop"],
                            ["shop.serializers"], path=root)  # fmt: skip
    finally:
        os.environ["PYTHONPATH"] = os.environ["PYTHONPATH"].split(os.pathsep, 1)[1]
    assert oracle["shop.serializers.ThreadedNames"]["error"] is None
    assert oracle["shop.serializers.ThreadedStale"]["error"]["type"] == "ImproperlyConfigured"
    result = run_scan(root)
    assert [(f.code, f.field) for f in result.findings if f.code.startswith("DJS4")] == [("DJS401", "author_email")]
