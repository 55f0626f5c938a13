from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule

# A small app for the serializer rules' cases: models, their migration, serializers.
APP = {"shop/__init__.py": "", "shop/migrations/__init__.py": ""}
MODELS = """from django.db import models


class Vendor(models.Model):
    name = models.CharField(max_length=80)
    api_token = models.CharField(max_length=64, blank=True)

    @property
    def display_name(self):
        return self.name.title()


class Product(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=120)
    stock = models.IntegerField()
    active = models.BooleanField(default=True)
    released = models.DateField(null=True)
"""
MIGRATION = """from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Vendor",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80)),
                ("api_token", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="Product",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=120)),
                ("stock", models.IntegerField()),
                ("active", models.BooleanField(default=True)),
                ("released", models.DateField(null=True)),
                ("vendor", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="products", to="shop.vendor")),
            ],
        ),
    ]
"""
HEADER = "from rest_framework import serializers\n\nfrom .models import Product, Vendor\n\n\n"


# a model whose base is outside the tree (its fields unseen), with a templated related_name to
# Vendor as its migration shows (pretix's oauth2_provider models)
EXTERNAL_APP = {
    "shop/models.py": MODELS.replace("from django.db import models\n", "from django.db import models\nfrom oauth2_provider.models import AbstractApplication\n")
    + "\n\nclass App(AbstractApplication):\n    pass\n",
    "shop/migrations/0002_app.py": "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.CreateModel('App', [('id', models.AutoField(primary_key=True)), "
    "('owner', models.ForeignKey(on_delete=models.CASCADE, related_name='%(app_label)s_%(class)s', to='shop.vendor'))])]\n",
}


def serializer_case(source: str, **extra: str) -> Case:
    """The shop app with ``source`` as its serializers.py (after the imports)."""
    return Case({**APP, "shop/models.py": MODELS, "shop/migrations/0001_initial.py": MIGRATION,
                 "shop/serializers.py": HEADER + source, **extra})  # fmt: skip


class UnknownSerializerField(Rule):
    """A name in a ModelSerializer's ``Meta.fields`` that the model does not have.

    ## What it does
    Resolves every name in ``Meta.fields`` the way ``ModelSerializer.build_field`` does: a
    model field or ``pk``, a forward relation, a reverse accessor (``related_name`` or
    ``<model>_set``), a property, method or other attribute of the model class, the URL
    field, or a field declared on the serializer. A name that is none of these is reported.
    A name stays unjudged (listed by ``--unverified`` under its reason) only where djstate can
    say how it could exist at runtime: the model has a base outside the tree or a class
    decorator; a relation djstate cannot place may give it that reverse accessor (for a model
    that apps of the virtualenv may point at, only a name one of their relations can give:
    a literal ``related_name``, ``<model>_set``, or a formatted pattern); code gives
    that model class the attribute (``Model.x = ...``, ``setattr(Model, ...)``,
    ``add_to_class``). Instance attributes, annotations and ``to_attr`` do not count: DRF asks
    ``hasattr(model_class, name)``.

    ## Why it matters
    DRF raises ``ImproperlyConfigured: Field name `x` is not valid for model `M``` the first
    time the serializer's fields are built: every request through it fails. It typically
    happens after a model field is renamed or a ``related_name`` is set, while the
    serializer still says the old name.

    ## Example
    ```python
    class Book(models.Model):
        description = models.TextField()  # was: summary

    class BookSerializer(serializers.ModelSerializer):
        class Meta:
            model = Book
            fields = ["id", "summary"]
    ```

    ## Fix
    Use the model's current name (``"description"``), or declare the field on the
    serializer with a ``source=`` that points to it.
    """

    code = "DJS401"
    name = "unknown-serializer-field"
    needs_serializers = True

    VALID = [
        # a declared field whose serializer class is built by a call (misago's subset_fields)
        serializer_case(
            "Basic = VendorSerializerBase.subset_fields('id')\n\n\n"
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    related = Basic(many=True, read_only=True)\n\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'related']\n",
        ),
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    label = serializers.CharField(source='name')\n\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['pk', 'id', 'name', 'products', 'display_name', 'label', 'url', 'save']\n"
        ),
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ('vendor', 'vendor_id', 'active', 'title', 'delete')\n"
        ),
        # a templated related_name that becomes this name (app label and class of the tree);
        # a class attribute given through an alias of the model
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'shop_app', 'label', 'computed']\n",
            **{"shop/views.py": "from .models import Vendor, Vendor as V\n\nV.label = 'x'\n\nfor key in ['computed']:\n"
               "    setattr(Vendor, key, 1)\n", **EXTERNAL_APP},
        ),
        # a non-symmetrical m2m to self has a reverse accessor; modeltranslation adds title_en;
        # a class attribute set after the class; a custom URL_FIELD_NAME
        Case({**APP, "shop/models.py": "from django.db import models\n\n\nclass Person(models.Model):\n"
              "    title = models.CharField(max_length=9)\n"
              "    follows = models.ManyToManyField('self', symmetrical=False, related_name='followers')\n\n\n"
              "Person.shout = property(lambda self: self.title.upper())\n",
              "shop/translation.py": "from modeltranslation.translator import register, TranslationOptions\n",
              "settings.py": "REST_FRAMEWORK = {'URL_FIELD_NAME': 'link'}\n",
              "shop/serializers.py": "from rest_framework import serializers\nfrom .models import Person\n\n\n"
              "class PersonSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Person\n"
              "        fields = ['id', 'follows', 'followers', 'title_en', 'shout', 'link']\n"}),
        # the reverse accessor of an FK to a proxy; the companion column of a third-party field
        Case({**APP, "shop/models.py": "from django.db import models\nfrom djmoney.models.fields import MoneyField\n\n\n"
              "class Vendor(models.Model):\n    price = MoneyField(max_digits=9, decimal_places=2)\n\n\n"
              "class VendorProxy(Vendor):\n    class Meta:\n        proxy = True\n\n\n"
              "class Invoice(models.Model):\n    vendor = models.ForeignKey(VendorProxy, on_delete=models.CASCADE)\n",
              "shop/serializers.py": "from rest_framework import serializers\nfrom .models import VendorProxy\n\n\n"
              "class VendorSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = VendorProxy\n"
              "        fields = ['id', 'invoice_set', 'price', 'price_currency']\n"}),
        # a base whose Meta.fields names a field only its subclasses declare (edx-enterprise):
        # DRF fails only where the base itself is used
        serializer_case(
            "class VendorBase(serializers.ModelSerializer):\n    class Meta:\n        model = Vendor\n"
            "        fields = ['id', 'name', 'vendor_code']\n\n\n"
            "class VendorWrite(VendorBase):\n    vendor_code = serializers.CharField()\n"
        ),
        # a model whose base class is outside the tree may have any field
        Case({**APP, "shop/models.py": "from django.db import models\nfrom mptt.models import MPTTModel\n\n\n"
              "class Node(MPTTModel):\n    name = models.CharField(max_length=9)\n",
              "shop/serializers.py": "from rest_framework import serializers\nfrom .models import Node\n\n\n"
              "class NodeSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Node\n"
              "        fields = ['id', 'name', 'level', 'children']\n"}),
    ]  # fmt: skip
    INVALID = [
        # a class attribute given to another class of the tree, and a templated related_name
        # (pretix's `%(app_label)s_%(class)s`) that no app label and class of the tree turn into
        # the name, do not make it valid
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'label', 'other_thing']  # expect: DJS401\n",
            **{"shop/views.py": "class Settings:\n    pass\n\n\nSettings.label = 'x'\nsetattr(Settings, 'other' + '_thing', 1)\n",
               **EXTERNAL_APP},
        ),
        # a project whose import root is a package folder of the tree (label-studio):
        # `from shop.models` names src/shop/models.py
        Case({"src/__init__.py": "", "src/shop/__init__.py": "", "src/shop/migrations/__init__.py": "", "src/shop/models.py": MODELS,
              "src/shop/migrations/0001_initial.py": MIGRATION,
              "src/shop/serializers.py": "from rest_framework import serializers\n\nfrom shop.models import Vendor\n\n\n"
              "class VendorSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Vendor\n"
              "        fields = ['id', 'nope']  # expect: DJS401\n"}),
        # an attribute code sets on instances does not make a Meta.fields name valid: DRF asks
        # hasattr(model_class, name) (a renamed field still named here is reported)
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'label']  # expect: DJS401\n",
            **{"shop/views.py": "def annotate(vendor):\n    vendor.label = 'x'\n"},
        ),
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = [\n"
            "            'id',\n"
            "            'product_set',  # expect: DJS401\n"
            "            'titel',  # expect: DJS401\n"
            "        ]\n"
        ),
        # a base whose module falls back to `object` when DRF is missing (i18nfield's
        # I18nAwareModelSerializer): with DRF installed it is a ModelSerializer
        Case({**APP, "shop/models.py": MODELS, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/base.py": "try:\n    from rest_framework.serializers import ModelSerializer\n"
              "except ImportError:\n    ModelSerializer = object\n\n\nclass Base(ModelSerializer):\n    pass\n",
              "shop/serializers.py": "from shop.models import Product\n\nfrom .base import Base\n\n\n"
              "class ProductOut(Base):\n    class Meta:\n        model = Product\n"
              "        fields = ['id', 'nope']  # expect: DJS401\n"}),
        # a serializers/ package whose module derives from a project base only
        Case({**APP, "shop/models.py": MODELS, "shop/migrations/0001_initial.py": MIGRATION,
              "shop/serializers/__init__.py": "",
              "shop/serializers/base.py": "from rest_framework import serializers\n\n\n"
              "class Base(serializers.ModelSerializer):\n    pass\n",
              "shop/serializers/products.py": "from shop.models import Product\n\nfrom .base import Base\n\n\n"
              "class ProductOut(Base):\n    class Meta:\n        model = Product\n"
              "        fields = ['id', 'nope']  # expect: DJS401\n"}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for serializer, result in project.serializers.checked():
            for error in result.errors:
                if error.kind != "unknown-field":
                    continue
                path, span = serializer.meta_span("fields", error.name)
                yield self.finding(
                    path, span,
                    f"{serializer.name}: `{error.name}` is not a field, relation or attribute of "
                    f"{result.model.key[0]}.{result.model.name}; DRF raises ImproperlyConfigured when the "
                    f"serializer's fields are built. Use the model's current name or declare the field "
                    f"with a `source=`",
                    app=result.model.key[0], model=result.model.name, field=error.name,
                )  # fmt: skip
