"""``class X(six.with_metaclass(M, *bases))`` is read as ``class X(*bases, metaclass=M)``:
six builds the class with M from those bases (django-polymorphic 2.0's PolymorphicModel and
shuup's models). The base was a call djstate could not follow, so the model, and every
serializer on it, was left unjudged (shuup's HourConditionSerializer: "not in djstate's models
state"). DRF checked with six's own with_metaclass: the unknown name is rejected."""

import subprocess
import sys
import textwrap

from djstate.rules.djs401_unknown_serializer_field import serializer_case
from tests.conftest import run_scan, write_project

# six 1.16's with_metaclass, verbatim
SIX = '''import sys
import types


def with_metaclass(meta, *bases):
    class metaclass(type):
        def __new__(cls, name, this_bases, d):
            if sys.version_info[:2] >= (3, 7):
                resolved_bases = types.resolve_bases(bases)
                if resolved_bases is not bases:
                    d['__orig_bases__'] = bases
            else:
                resolved_bases = bases
            return meta(name, resolved_bases, d)

        @classmethod
        def __prepare__(cls, name, this_bases):
            return meta.__prepare__(name, bases)
    return type.__new__(metaclass, 'temporary_class', (), {})
'''


def _case():
    case = serializer_case(
        "class ProductSerializer(serializers.ModelSerializer):\n"
        "    class Meta:\n        model = Product\n        fields = ['id', 'title', 'vendor', 'headline']\n"
    )
    models = case.files["shop/models.py"]
    case.files["shop/models.py"] = models.replace(
        "from django.db import models\n", "import six\nfrom django.db import models\nfrom django.db.models.base import ModelBase\n"
    ).replace("class Product(models.Model):", "class Product(six.with_metaclass(ModelBase, models.Model)):")
    case.files["six.py"] = SIX
    return case


def test_the_model_is_judged(tmp_path):
    root = write_project(tmp_path, _case().files)
    result = run_scan(root)
    assert [(f.code, f.model, f.field) for f in result.findings if f.severity == "error"] == [("DJS401", "Product", "headline")]
    assert not [u for u in result.project.unjudged if u.unit == "model shop.Product" or u.unit.startswith("serializer")]


DRF_BUILD = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from shop.models import Product
from shop.serializers import ProductSerializer
print(type(Product).__name__, [b.__name__ for b in Product.__bases__])
try:
    ProductSerializer().fields
except Exception as exc:
    print(type(exc).__name__, str(exc).split(" in `")[0].rstrip("."))
"""


def test_drf_agrees(tmp_path):
    root = write_project(tmp_path, _case().files)
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(DRF_BUILD)], cwd=root, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines() == [
        "ModelBase ['Model']",
        "ImproperlyConfigured Field name `headline` is not valid for model `Product`",
    ]
