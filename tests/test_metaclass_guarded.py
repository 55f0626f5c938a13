"""A metaclass that changes a class only under a guard, or only sets plain attributes in its
``__init__``, leaves the models it does not change judged.

The shape is a CMS's page metaclass: ``__new__`` gives a Meta (permissions, unique_together) and a
namespace item only to a root model (not abstract, no concrete model among its bases), and
``__init__`` sets plain class attributes (a template path, booleans, None) and registers the
class in a module's list. A model built on a concrete root runs neither change, so its fields
and options are what ModelBase built; the root itself stays unjudged. Its migrations name the
parent link with a value computed at import time (``f"{page}_ptr"`` of a swappable model).

Django's autodetector is the oracle: makemigrations writes the starting migrations, then an edit
of the models is judged by both.
"""

from __future__ import annotations

import libcst as cst
import pytest

from djstate.parse.metaclasses import NAMES, NONE, init_effect, new_effect
from djstate.state.guards import guard_holds
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

BASE = '''\
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def camel_to_snake(name):
    return name.lower()


NODE_CLASSES = []


class RootMeta:
    verbose_name = "node"
    unique_together = [("slug", "parent_key")]


class Codes:
    def __init__(self, model_name):
        self.ADD = f"add_{model_name}"


class NodeBase(models.base.ModelBase):
    def __new__(cls, name, bases, dct, **kwargs):
        meta = dct.get("Meta", None)
        is_abstract = meta is not None and getattr(meta, "abstract", False)
        is_root = not is_abstract and not any(
            isinstance(base, models.base.ModelBase)
            and (base._meta.all_parents or not base._meta.abstract)
            for base in bases
        )
        if is_root:
            if meta is None:
                meta = type("Meta", (RootMeta,), {})
                dct["Meta"] = meta
            elif not issubclass(meta, RootMeta):
                raise ImproperlyConfigured(f"Meta of {name} must inherit from RootMeta")
            model_name = name.lower()
            if not hasattr(meta, "permissions"):
                meta.permissions = [(f"publish_{model_name}", "Can publish")]
            dct["CODES"] = Codes(model_name)
        return super().__new__(cls, name, bases, dct, **kwargs)

    def __init__(cls, name, bases, dct):
        super().__init__(name, bases, dct)
        if "template" not in dct:
            cls.template = "{}/{}.html".format(cls._meta.app_label, camel_to_snake(name))
        if "ajax_template" not in dct:
            cls.ajax_template = None
        cls._cached_children = None
        root = cls.root_model
        if "is_creatable" not in dct:
            cls.is_creatable = not cls._meta.abstract and cls is not root
        if not cls._meta.abstract:
            NODE_CLASSES.append(cls)


class AbstractNode(models.Model, metaclass=NodeBase):
    slug = models.SlugField(max_length=50)
    parent_key = models.IntegerField(default=0)

    root_model = None

    class Meta:
        abstract = True
'''
MODELS = '''\
from django.db import models

from site_app.base import AbstractNode


class Node(AbstractNode):
    title = models.CharField(max_length=40)


class Article(Node):
    body = models.TextField(blank=True)
    teaser = models.CharField(max_length=80)
'''


def _project(tmp_path):
    files = {"site_app/__init__.py": "", "site_app/apps.py": apps_py("site_app"), "site_app/base.py": BASE,
             "site_app/models.py": MODELS, "site_app/migrations/__init__.py": ""}  # fmt: skip
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["site_app"])


def _unjudged_models(tmp_path) -> set[str]:
    return {u.unit for u in run_scan(tmp_path).project.unjudged if u.unit.startswith("model ")}


@pytest.mark.oracle
def test_django_gives_the_root_model_its_meta(tmp_path):
    """The guard holds for the root: Django's migration has the Meta the metaclass gave it."""
    _project(tmp_path)
    migration = (tmp_path / "site_app" / "migrations" / "0001_initial.py").read_text()
    assert "publish_node" in migration and "unique_together" in migration
    assert "publish_article" not in migration  # the child's Meta is its own


@pytest.mark.oracle
@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("    teaser = models.CharField(max_length=80)\n",
                      "    teaser = models.CharField(max_length=80)\n    lead = models.TextField(default='')\n"), id="add_field"),
        pytest.param(("max_length=80", "max_length=90"), id="alter_max_length"),
        pytest.param(("body = models.TextField(blank=True)", "body = models.TextField(blank=True, null=True)"), id="alter_null"),
    ],
)
def test_a_model_the_guard_leaves_alone_is_judged(tmp_path, edit):
    _project(tmp_path)
    operations, _, _ = djstate_operations(tmp_path)
    assert operations == set()
    assert _unjudged_models(tmp_path) == {"model site_app.Node"}  # the root: its Meta is the metaclass's
    models = tmp_path / "site_app" / "models.py"
    models.write_text(models.read_text().replace(*edit))
    expected = django_operations(tmp_path, ["site_app"])
    assert expected and all(op[1] == "article" for op in expected)
    assert djstate_operations(tmp_path)[0] == expected


@pytest.mark.oracle
def test_the_root_model_stays_unjudged(tmp_path):
    _project(tmp_path)
    models = tmp_path / "site_app" / "models.py"
    models.write_text(models.read_text().replace("max_length=40", "max_length=60"))
    assert django_operations(tmp_path, ["site_app"]) == {("AlterField", "node", "title")}
    assert djstate_operations(tmp_path)[0] == set()
    assert "model site_app.Node" in _unjudged_models(tmp_path)


@pytest.mark.oracle
def test_a_metaclass_init_that_may_add_a_field_leaves_the_model_unjudged(tmp_path):
    _project(tmp_path)
    base = tmp_path / "site_app" / "base.py"
    base.write_text(base.read_text().replace("cls._cached_children = None", "cls.add_to_class('extra', models.IntegerField(default=0))"))
    make_migrations(tmp_path, ["site_app"])  # Django writes the added field: the tree is in sync again
    models = tmp_path / "site_app" / "models.py"
    models.write_text(models.read_text().replace("max_length=80", "max_length=90"))
    assert django_operations(tmp_path, ["site_app"]) == {("AlterField", "article", "teaser")}
    assert djstate_operations(tmp_path)[0] == set()
    assert "model site_app.Article" in _unjudged_models(tmp_path)


@pytest.mark.oracle
def test_a_parent_link_named_at_import_time_is_matched(tmp_path):
    """The migration names the parent link with a computed value, as migrations of a model built
    on a swappable one do; the one parent link of the model is that field."""
    _project(tmp_path)
    migration = tmp_path / "site_app" / "migrations" / "0001_initial.py"
    text = migration.read_text()
    assert "('node_ptr'," in text
    text = text.replace("class Migration(", 'parent_rel_name = "_".join([str.lower("Node"), "ptr"])\n\n\nclass Migration(', 1)
    migration.write_text(text.replace("('node_ptr',", "(parent_rel_name,", 1))
    assert django_operations(tmp_path, ["site_app"]) == set()
    operations, _, _ = djstate_operations(tmp_path)
    assert operations == set()
    items = [u for u in run_scan(tmp_path).project.unjudged if "Article.node_ptr" in u.unit]
    assert items == []
    models = tmp_path / "site_app" / "models.py"
    models.write_text(models.read_text().replace("max_length=80", "max_length=90"))
    assert djstate_operations(tmp_path)[0] == django_operations(tmp_path, ["site_app"]) == {("AlterField", "article", "teaser")}


def _method(source: str) -> cst.FunctionDef:
    return cst.parse_module(source).body[0]


def _base_methods():
    klass = next(s for s in cst.parse_module(BASE).body if isinstance(s, cst.ClassDef) and s.name.value == "NodeBase")
    return {f.name.value: f for f in klass.body.body if isinstance(f, cst.FunctionDef)}


def test_guarded_effects_hold_only_for_a_root_model():
    effect = new_effect(_base_methods()["__new__"])
    assert effect[0] == NONE and effect[4]
    concrete_parent, abstract_parent = (True, False), (True, True)
    for guard, _, _ in effect[4]:
        assert guard_holds(guard, False, None, [concrete_parent]) is False  # a child of a concrete model
        assert guard_holds(guard, True, True, [abstract_parent]) is False  # an abstract model
    # a root model: no concrete base; the base's all_parents is not read, so djstate cannot tell
    assert all(guard_holds(g, False, None, [abstract_parent]) is not False for g, _, _ in effect[4])


def test_init_setting_plain_attributes_and_registering_changes_no_field():
    effect = init_effect(_base_methods()["__init__"])
    assert effect[0] == NONE and not effect[4]
    assert set(effect[5]) == {"template", "ajax_template", "_cached_children", "is_creatable"}


@pytest.mark.parametrize(
    "statement",
    [
        "cls.add_to_class('extra', models.IntegerField())",
        "cls._meta.local_fields = []",
        "register(cls)",  # a function given the class may do anything with it
        "cls.__init_subclass__ = None",
    ],
)
def test_init_that_may_change_fields_is_not_plain(statement):
    source = f"def __init__(cls, name, bases, dct):\n    super().__init__(name, bases, dct)\n    {statement}\n"
    assert init_effect(_method(source))[0] != NONE


SETATTR_AFTER_BUILD = r'''
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.db import models
from django.db.migrations.state import ModelState


class Base(models.base.ModelBase):
    def __init__(cls, name, bases, dct, **kwargs):
        super().__init__(name, bases, dct, **kwargs)
        cls.extra = models.IntegerField()


class Item(models.Model, metaclass=Base):
    size = models.IntegerField()

    class Meta:
        app_label = "contenttypes"


print(sorted(ModelState.from_model(Item).fields), hasattr(Item, "extra"))
'''


def test_a_field_set_on_the_built_class_is_a_plain_attribute():
    """ModelBase adds fields only through add_to_class: a setattr on the built class is no field."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", SETATTR_AFTER_BUILD], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["['id',", "'size']", "True"]
    source = "def __init__(cls, name, bases, dct):\n    super().__init__(name, bases, dct)\n    cls.extra = models.IntegerField()\n"
    effect = init_effect(_method(source))
    assert effect[0] == NONE and "extra" in effect[5]


def test_unguarded_namespace_write_still_counts():
    source = (
        "def __new__(cls, name, bases, dct, **kwargs):\n"
        "    dct['CODES'] = Codes(name)\n"
        "    return super().__new__(cls, name, bases, dct, **kwargs)\n"
    )
    assert new_effect(_method(source))[0] == NAMES


def test_a_guard_djstate_cannot_read_counts():
    source = (
        "def __new__(cls, name, bases, dct, **kwargs):\n"
        "    if settings.X:\n"
        "        dct['CODES'] = Codes(name)\n"
        "    return super().__new__(cls, name, bases, dct, **kwargs)\n"
    )
    effect = new_effect(_method(source))
    assert effect[0] == NONE and [guard_holds(g, False, None, [(True, False)]) for g, _, _ in effect[4]] == [None]
