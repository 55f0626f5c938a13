"""A ``setattr(X, computed, value)`` somewhere in the tree silenced every serializer ``source=``
of the project (pulpcore's tests monkeypatch serializers and handlers): it gives attributes to
X and its subclasses only, so a source on another model is judged (DJS402), and one on X's
model stays unjudged. DRF checked: reading the serializer's data raises AttributeError on the
reported source, and not on the setattr'd model's."""

import subprocess
import sys
import textwrap

from djstate.rules.djs401_unknown_serializer_field import serializer_case
from tests.conftest import run_scan, write_project

SERIALIZERS = (
    "class ProductSerializer(serializers.ModelSerializer):\n"
    "    tag = serializers.CharField(source='label')\n\n"
    "    class Meta:\n        model = Product\n        fields = ['id', 'tag']\n\n\n"
    "class VendorSerializer(serializers.ModelSerializer):\n"
    "    shown = serializers.CharField(source='badge')\n\n"
    "    class Meta:\n        model = Vendor\n        fields = ['id', 'shown']\n"
)
# a helper class of the tree patched in tests, and the Vendor model given computed names
PATCHES = (
    "from .models import Vendor\n\n\nclass Handler:\n    pass\n\n\n"
    "def patch(name):\n    setattr(Handler, name, None)\n    setattr(Vendor, name, 'v')\n\n\n"
    "patch('badge')\n"
)


def _case():
    return serializer_case(SERIALIZERS, **{"shop/patches.py": PATCHES})


def test_setattr_on_another_class_leaves_a_source_judged(tmp_path):
    root = write_project(tmp_path, _case().files)
    result = run_scan(root)
    found = [(f.code, f.model, f.field) for f in result.findings if f.code == "DJS402"]
    assert found == [("DJS402", "Product", "tag")]
    unjudged = sorted((u.reason, u.unit) for u in result.project.unjudged if u.unit.startswith("serializer source"))
    assert unjudged == [("name-maybe-runtime", "serializer source shop.serializers.VendorSerializer.shown")]


DRF_CHECK = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
import shop.patches
from shop.models import Product, Vendor
from shop.serializers import ProductSerializer, VendorSerializer
vendor = Vendor(id=1, name="v")
print("vendor", VendorSerializer(vendor).data["shown"])
try:
    ProductSerializer(Product(id=1, vendor=vendor, title="t", stock=1)).data
except AttributeError as exc:
    print("product AttributeError", "label" in str(exc))
"""


def test_drf_agrees(tmp_path):
    root = write_project(tmp_path, _case().files)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(DRF_CHECK)], cwd=root, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split("\n")[:2] == ["vendor v", "product AttributeError True"]


# pytest's monkeypatch in a test module: setattr(Product, "save", ...) gives Product `save`, no
# other name (before, any setattr on a class left every model's names unjudged)
LITERAL = serializer_case(
    "class ProductSerializer(serializers.ModelSerializer):\n"
    "    class Meta:\n        model = Product\n        fields = ['id', 'title', 'headline']\n",
    **{"shop/test_models.py": "from .models import Product\n\n\n"
       "def test_save(monkeypatch):\n    monkeypatch.setattr(Product, \"save\", lambda *a, **k: None)\n"},
)


def test_a_literal_setattr_name_leaves_other_names_judged(tmp_path):
    root = write_project(tmp_path, LITERAL.files)
    result = run_scan(root)
    assert [(f.code, f.model, f.field) for f in result.findings if f.code == "DJS401"] == [("DJS401", "Product", "headline")]
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(DRF_BUILD)], cwd=root, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ImproperlyConfigured Field name `headline` is not valid for model `Product`"


DRF_BUILD = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from shop.serializers import ProductSerializer
try:
    ProductSerializer().fields
except Exception as exc:
    print(type(exc).__name__, str(exc).split(" in `")[0].rstrip("."))
"""
