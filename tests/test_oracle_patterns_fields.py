"""Oracle for false positives seen on real projects (issue 9, part 4): djstate agrees with Django.

Each pattern is a small project that once made djstate report something Django does not:
Django's autodetector (``makemigrations --dry-run``, see tests/test_oracle_drift.py) is run
on it in a subprocess, and djstate's drift operations must equal Django's. Where a pattern
also keeps a real error, an edit of the same project shows that Django and djstate still
both report it. The test ids start with the pattern's letter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import AUTODETECT, apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

# The autodetector with django.contrib.postgres installed and a PostgreSQL engine (it never
# connects: MigrationLoader(None) reads the files only). contrib.postgres needs psycopg.
_SQLITE_APPS = 'INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *modules],'
_SQLITE_DB = 'DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},'
assert _SQLITE_APPS in AUTODETECT and _SQLITE_DB in AUTODETECT
PG_AUTODETECT = AUTODETECT.replace(
    _SQLITE_APPS,
    'INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.postgres", *modules],',
).replace(_SQLITE_DB, 'DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "djstate"}},')


def pg_operations(root: Path, modules: list[str]) -> set[tuple[str, str, str | None]]:
    """``django_operations`` with contrib.postgres and a PostgreSQL engine."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, "-c", PG_AUTODETECT, *modules], capture_output=True, text=True, timeout=120, env=env, cwd=root
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the autodetector failed:\n{proc.stderr[-4000:]}")
    return {tuple(op) for op in json.loads(proc.stdout)}


@dataclass
class Pattern:
    id: str
    app: str
    files: dict[str, str]
    postgres: bool = False
    # what both must report (empty: the false positive is gone)
    expected: set = field(default_factory=set)
    # djstate may leave these many things unverified (fields whose kwargs it cannot model)
    max_unverified: int = 0
    # a package outside the scanned tree, on Django's PYTHONPATH only
    vendor: dict[str, str] = field(default_factory=dict)
    more_apps: list[str] = field(default_factory=list)  # further INSTALLED_APPS
    # severity of djstate's finding for (model, field); fields not named must be "error"
    severities: dict = field(default_factory=dict)


PATTERNS: list[Pattern] = []


def _app(name: str, models: str, migrations: dict[str, str]) -> dict[str, str]:
    files = {f"{name}/__init__.py": "", f"{name}/apps.py": apps_py(name), f"{name}/models.py": models,
             f"{name}/migrations/__init__.py": ""}  # fmt: skip
    files.update({f"{name}/migrations/{k}.py": v for k, v in migrations.items()})
    return files


# --- C: django.contrib.postgres fields are fields ------------------------------------------

PG_MODELS = '''\
from django.contrib.postgres.fields import (
    ArrayField, BigIntegerRangeField, CICharField, CIEmailField, CITextField, DateRangeField,
    DateTimeRangeField, DecimalRangeField, HStoreField, IntegerRangeField,
)
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Document(models.Model):
    title = models.CharField(max_length=100)
    search = SearchVectorField(null=True)
    tags = ArrayField(models.CharField(max_length=20), blank=True, default=list)
    grid = ArrayField(ArrayField(models.IntegerField(), size=3), null=True)
    attrs = HStoreField(null=True)
    pages = IntegerRangeField(null=True)
    big = BigIntegerRangeField(null=True)
    price = DecimalRangeField(null=True, default_bounds="[]")
    during = DateTimeRangeField(null=True)
    days = DateRangeField(null=True)
    code = CICharField(max_length=10, blank=True)
    mail = CIEmailField(null=True)
    note = CITextField(default="")
'''

# written by Django 5.2's makemigrations for PG_MODELS
PG_0001 = '''\
import django.contrib.postgres.fields
import django.contrib.postgres.fields.citext
import django.contrib.postgres.fields.hstore
import django.contrib.postgres.fields.ranges
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
                ('search', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('tags', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=20), blank=True, default=list, size=None)),
                ('grid', django.contrib.postgres.fields.ArrayField(base_field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=3), null=True, size=None)),
                ('attrs', django.contrib.postgres.fields.hstore.HStoreField(null=True)),
                ('pages', django.contrib.postgres.fields.ranges.IntegerRangeField(null=True)),
                ('big', django.contrib.postgres.fields.ranges.BigIntegerRangeField(null=True)),
                ('price', django.contrib.postgres.fields.ranges.DecimalRangeField(default_bounds='[]', null=True)),
                ('during', django.contrib.postgres.fields.ranges.DateTimeRangeField(null=True)),
                ('days', django.contrib.postgres.fields.ranges.DateRangeField(null=True)),
                ('code', django.contrib.postgres.fields.citext.CICharField(blank=True, max_length=10)),
                ('mail', django.contrib.postgres.fields.citext.CIEmailField(max_length=254, null=True)),
                ('note', django.contrib.postgres.fields.citext.CITextField(default='')),
            ],
        ),
    ]
'''

# ArrayField (2) and the range fields (5) define __init__/deconstruct of their own: unverified
PG_UNVERIFIED = 2 * 7
PATTERNS += [
    Pattern("C_postgres_fields", "pgshop", _app("pgshop", PG_MODELS, {"0001_initial": PG_0001}),
            postgres=True, max_unverified=PG_UNVERIFIED),
    # fields whose kwargs djstate models exactly (their classes add no __init__/deconstruct)
    Pattern("C_postgres_fields_altered", "pgshop",
            _app("pgshop", PG_MODELS.replace("SearchVectorField(null=True)", "SearchVectorField(null=True, db_index=True)")
                 .replace("HStoreField(null=True)", "HStoreField(null=True, blank=True)")
                 .replace('CITextField(default="")', 'CITextField(default="", db_comment="x")'),
                 {"0001_initial": PG_0001}),
            postgres=True, max_unverified=PG_UNVERIFIED,
            expected={("AlterField", "document", "search"), ("AlterField", "document", "attrs"),
                      ("AlterField", "document", "note")},
            severities={("document", "attrs"): "warning"}),  # blank only changes Django's state
    Pattern("C_postgres_fields_removed", "pgshop",
            _app("pgshop", PG_MODELS.replace("    search = SearchVectorField(null=True)\n", "")
                 .replace("    tags = ArrayField(models.CharField(max_length=20), blank=True, default=list)\n", ""),
                 {"0001_initial": PG_0001}),
            postgres=True, max_unverified=PG_UNVERIFIED,
            expected={("RemoveField", "document", "search"), ("RemoveField", "document", "tags")}),
]  # fmt: skip


# --- D: a project field class built on a field class outside the tree ----------------------

VENDOR = {
    "vendorpkg/__init__.py": "",
    "vendorpkg/jsonish.py": """\
from django.db import models


class JSONishField(models.TextField):
    def __init__(self, *args, dump_kwargs=None, **kwargs):
        self.dump_kwargs = dump_kwargs  # not deconstructed: never in a migration
        super().__init__(*args, **kwargs)


class Base(models.IntegerField):
    pass
""",
}
# a module whose name lacks "fields"
D_UTILS = """\
from vendorpkg import jsonish
from vendorpkg.jsonish import JSONishField


class PayloadField(JSONishField):
    pass


class Counter(jsonish.Base):
    pass
"""
D_MODELS = """\
from django.db import models

from shop.utils import Counter, PayloadField


class Order(models.Model):
    title = models.CharField(max_length=100)
    payload = PayloadField(default="{}", dump_kwargs={"indent": 2})
    hits = Counter(default=0)
"""
# written by Django 5.2's makemigrations for D_MODELS
D_0001 = """\
import shop.utils
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
                ('payload', shop.utils.PayloadField(default='{}')),
                ('hits', shop.utils.Counter(default=0)),
            ],
        ),
    ]
"""
PATTERNS += [
    # payload: a field (its base's name says so) with unverified kwargs; hits: a class djstate
    # cannot place, so the model's field set is not judged: no RemoveField for either (nor its
    # auto-created id: either may be the primary key, c42fa80)
    Pattern("D_foreign_field_base", "shop",
            {**_app("shop", D_MODELS, {"0001_initial": D_0001}), "shop/utils.py": D_UTILS},
            vendor=VENDOR, max_unverified=5),
    # the same field really dropped from the model is still a RemoveField
    Pattern("D_foreign_field_base_removed", "shop",
            {**_app("shop", D_MODELS.replace('    payload = PayloadField(default="{}", dump_kwargs={"indent": 2})\n', "")
                    .replace("    hits = Counter(default=0)\n", ""),
                    {"0001_initial": D_0001}), "shop/utils.py": D_UTILS},
            vendor=VENDOR, max_unverified=4,
            expected={("RemoveField", "order", "payload"), ("RemoveField", "order", "hits")}),
]  # fmt: skip


# --- H: app/models/models.py belongs to its app ---------------------------------------------

H_PRODUCT = """\
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2)
"""
H_COUPON = """\
from django.db import models


class Coupon(models.Model):
    code = models.CharField(max_length=20)
"""
# written by Django 5.2's makemigrations
H_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Coupon',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20)),
            ],
        ),
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('price', models.DecimalField(decimal_places=2, max_digits=8)),
            ],
        ),
    ]
"""
# a real app nested in the app's package: still an app of its own
H_ADDON = """\
from django.db import models


class Addon(models.Model):
    label = models.CharField(max_length=30)
"""
H_ADDON_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Addon',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=30)),
            ],
        ),
    ]
"""


def _models_package(product: str = H_PRODUCT, addon: str = H_ADDON) -> dict[str, str]:
    files = _app("shop", "", {"0001_initial": H_0001})
    del files["shop/models.py"]
    files.update({
        "shop/models/__init__.py": "from .models import *  # noqa: F403\nfrom .extra import Coupon  # noqa: F401\n",
        "shop/models/models.py": product, "shop/models/extra.py": H_COUPON,
        "shop/addons/__init__.py": "", "shop/addons/migrations/__init__.py": "",
        "shop/addons/apps.py": apps_py("addons").replace('name = "addons"', 'name = "shop.addons"'),
        "shop/addons/models.py": addon, "shop/addons/migrations/0001_initial.py": H_ADDON_0001,
    })  # fmt: skip
    return files


PATTERNS += [
    Pattern("H_models_package_models_module", "shop", _models_package(), more_apps=["shop.addons"]),
    # edits in app/models/models.py are seen (they were lost with the models), and in the nested app
    Pattern("H_models_package_models_module_edited", "shop",
            _models_package(H_PRODUCT.replace("max_length=100", "max_length=120") + "    sku = models.CharField(max_length=9, default='')\n",
                            H_ADDON + "    rank = models.IntegerField(default=0)\n"),
            more_apps=["shop.addons"],
            expected={("AlterField", "product", "name"), ("AddField", "product", "sku"), ("AddField", "addon", "rank")}),
]  # fmt: skip


# --- I: a migration's to_field naming the target's primary key ------------------------------

I_MODELS = """\
from django.db import models


class Customer(models.Model):
    code = models.CharField(max_length=10, unique=True)


class Tenant(models.Model):
    slug = models.SlugField(primary_key=True)


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    buyer = models.ForeignKey(Customer, on_delete=models.CASCADE, to_field="id", related_name="+")
    payer = models.ForeignKey(Customer, on_delete=models.CASCADE, to_field="code", related_name="paid")
    tenant = models.ForeignKey("Tenant", on_delete=models.CASCADE, to_field="slug")
    main = models.OneToOneField(Customer, on_delete=models.CASCADE, to_field="id", related_name="main_order")
"""
# what Django 5.2 writes, plus to_field naming the primary key as older releases wrote it
I_0001 = """\
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Customer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=10, unique=True)),
            ],
        ),
        migrations.CreateModel(
            name='Tenant',
            fields=[
                ('slug', models.SlugField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name='Order',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('buyer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='shop.customer', to_field='id')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.customer', to_field='id')),
                ('main', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='main_order', to='shop.customer', to_field='id')),
                ('payer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='paid', to='shop.customer', to_field='code')),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.tenant', to_field='slug')),
            ],
        ),
    ]
"""
# Django's autodetector compares the migration's unbound field (which keeps to_field) with the
# model's bound one (whose deconstruct drops it when it names the primary key): it writes an
# AlterField for each, and sqlmigrate shows each as a no-op, so djstate warns, never errs.
I_PK = {("order", f): "warning" for f in ("buyer", "customer", "main", "tenant")}
PATTERNS += [
    Pattern("I_to_field_pk", "shop", _app("shop", I_MODELS, {"0001_initial": I_0001}),
            expected={("AlterField", "order", f) for _, f in I_PK}, severities=I_PK),
    # the FK that names a column other than the primary key loses it: a real database change
    Pattern("I_to_field_pk_real_change", "shop",
            _app("shop", I_MODELS.replace(', to_field="code", related_name="paid"', ', related_name="paid"'),
                 {"0001_initial": I_0001}),
            expected={("AlterField", "order", f) for f in ("buyer", "customer", "main", "tenant", "payer")},
            severities=I_PK),
]  # fmt: skip


# --- the test ------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.id)
def test_pattern_agrees_with_django(tmp_path, monkeypatch, pattern: Pattern):
    if pattern.postgres:
        pytest.importorskip("psycopg", reason="django.contrib.postgres needs psycopg (the test extra)")
    root = write_project(tmp_path / "project", pattern.files)
    if pattern.vendor:
        vendor = write_project(tmp_path / "vendor", pattern.vendor)
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (str(vendor), os.environ.get("PYTHONPATH")))))
    run = pg_operations if pattern.postgres else django_operations
    expected = run(root, [pattern.app, *pattern.more_apps])
    assert expected == pattern.expected, "the pattern's expectation contradicts Django"
    operations, findings, unverified = djstate_operations(root)
    missing, extra = sorted(expected - operations, key=str), sorted(operations - expected, key=str)
    assert operations == expected, f"missing: {missing}, extra: {extra}"
    assert unverified <= pattern.max_unverified, [f.message for f in findings]
    for finding in findings:
        wanted = pattern.severities.get(((finding.model or "").lower(), finding.field), "error")
        assert finding.severity == wanted, finding.message


# --- G: DRF serializers (DJS406 on an auto primary key, DJS407 on a method validate() calls) ---

G_MODELS = """\
from django.db import models


class Product(models.Model):
    title = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
"""
G_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Product',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
                ('price', models.DecimalField(decimal_places=2, default=0, max_digits=8)),
            ],
        ),
    ]
"""
G_SERIALIZERS = """\
from rest_framework import serializers

from shop.models import Product


class ProductSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(allow_null=True, required=False)

    class Meta:
        model = Product
        fields = ["id", "title"]


class CheckedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "title"]

    def validate_price(self, value):
        if value is not None and float(value) < 0:
            raise serializers.ValidationError("negative")
        return value

    def validate(self, attrs):
        self.validate_price(self.initial_data.get("price"))
        return attrs


class UncheckedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "title"]

    def validate_price(self, value):  # never called: price is not a field here
        raise serializers.ValidationError("negative")


class TextIdSerializer(serializers.ModelSerializer):
    id = serializers.CharField(allow_null=True, required=False)

    class Meta:
        model = Product
        fields = ["id", "title"]
"""
# DRF in a subprocess: save through each serializer into an in-memory SQLite table
DRF_BEHAVIOUR = r"""
import json
import sys

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()

from django.db import connection

from shop.models import Product
from shop.serializers import CheckedSerializer, ProductSerializer, TextIdSerializer, UncheckedSerializer

with connection.schema_editor() as editor:
    editor.create_model(Product)


def save(serializer_class, data):
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        return {"valid": False, "errors": json.loads(json.dumps(serializer.errors, default=str))}
    try:
        return {"valid": True, "pk": serializer.save().pk}
    except Exception as exc:
        return {"valid": True, "save_error": type(exc).__name__}


json.dump({
    "nullable_id": save(ProductSerializer, {"id": None, "title": "a"}),
    "checked": save(CheckedSerializer, {"title": "b", "price": "-1"}),
    "unchecked": save(UncheckedSerializer, {"title": "c", "price": "-1"}),
    "text_id": save(TextIdSerializer, {"id": "abc", "title": "d"}),
}, sys.stdout)
"""


def test_G_drf_serializers(tmp_path):
    """A nullable ``id`` over the auto primary key saves (the database numbers the row), and a
    ``validate_price`` that ``validate()`` calls runs: DJS406/DJS407 stay silent on both.
    What DRF does let through and then fails on (text into the integer key) or never runs
    (an uncalled ``validate_price``) is still reported."""
    pytest.importorskip("rest_framework")
    root = write_project(tmp_path, {**_app("shop", G_MODELS, {"0001_initial": G_0001}), "shop/serializers.py": G_SERIALIZERS})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run([sys.executable, "-c", DRF_BEHAVIOUR], capture_output=True, text=True, timeout=120, env=env, cwd=root)
    assert proc.returncode == 0, proc.stderr[-4000:]
    drf = json.loads(proc.stdout)
    assert drf["nullable_id"]["valid"] and isinstance(drf["nullable_id"].get("pk"), int), drf
    assert drf["checked"] == {"valid": False, "errors": {"non_field_errors": ["negative"]}}, drf
    assert drf["unchecked"]["valid"] and isinstance(drf["unchecked"].get("pk"), int), drf
    assert drf["text_id"].get("save_error") == "ValueError", drf

    result = run_scan(root)
    found = {(f.code, f.message.split(" ", 1)[0]) for f in result.findings if f.code in ("DJS406", "DJS407")}
    assert found == {("DJS407", "UncheckedSerializer.validate_price"), ("DJS406", "TextIdSerializer.id")}


# --- J: AlterField of a field no operation added, on an unmanaged model --------------------

J_MODELS = """\
from django.db import models


class Legacy(models.Model):
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, null=True)

    class Meta:
        managed = False
        db_table = "legacy_table"
"""
J_0001 = """\
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Legacy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
            ],
            options={
                'db_table': 'legacy_table',
                'managed': False,
            },
        ),
    ]
"""
J_0002 = """\
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='legacy',
            name='code',
            field=models.CharField(max_length=20, null=True),
        ),
    ]
"""
# `migrate` on SQLite: "ok", or the exception's class name
MIGRATE = r"""
import sys

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1]}},
)
django.setup()

from django.core.management import call_command

try:
    call_command("migrate", "shop", verbosity=0)
except Exception as exc:
    print(type(exc).__name__)
else:
    print("ok")
"""


def _django_python(version: str) -> str:
    """This venv's Django for 5.2; the cached virtualenv of tests/test_oracle_versions.py else."""
    from tests.test_oracle_versions import venv_python

    return sys.executable if version == "5.2" else str(venv_python(version))


def _run(python: str, root: Path, script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([python, "-W", "ignore", "-c", script, *args], capture_output=True, text=True,
                          timeout=300, env=env, cwd=root)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


@pytest.mark.parametrize("managed", [False, True], ids=["unmanaged", "managed"])
@pytest.mark.parametrize("version", ["5.2", "6.1"])
def test_J_alter_field_never_added(tmp_path, version, managed):
    """Django 5.2 and 6.1 agree: ProjectState.alter_field sets the field whether or not it
    exists, so the autodetector writes nothing; ``migrate`` succeeds on an unmanaged model
    (AlterField.database_forwards skips it) and fails on a managed one (FieldDoesNotExist).
    djstate: DJS201 only for the managed model, no drift either way."""
    models, first = J_MODELS, J_0001
    if managed:
        models = models.replace("        managed = False\n", "")
        first = first.replace("                'managed': False,\n", "")
    root = write_project(tmp_path / "project", _app("shop", models, {"0001_initial": first, "0002_alter": J_0002}))
    python = _django_python(version)
    ran = _run(python, root, AUTODETECT, "shop")
    assert json.loads(ran) == [], ran
    migrate = _run(python, root, MIGRATE, str(tmp_path / "db.sqlite3")).strip()
    assert migrate == ("FieldDoesNotExist" if managed else "ok")

    result = run_scan(root)
    codes = sorted((f.code, f.path) for f in result.findings)
    assert codes == ([("DJS201", "shop/migrations/0002_alter.py")] if managed else []), codes
