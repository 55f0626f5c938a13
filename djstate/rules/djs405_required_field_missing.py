from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule
from djstate.rules.djs401_unknown_serializer_field import APP, HEADER, MODELS, serializer_case

# Django fields whose empty value is None, not "": without a default, saving one the
# serializer never set sends NULL (Field.empty_strings_allowed is False)
NULL_WHEN_EMPTY = {
    "IntegerField", "BooleanField", "DateField", "DateTimeField", "TimeField", "DecimalField", "FloatField",
    "DurationField", "UUIDField", "GenericIPAddressField", "JSONField", "ForeignKey",
}  # fmt: skip
AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
# serializer methods that may set values before the object is created
SERIALIZER_HOOKS = {"create", "save", "validate", "to_internal_value", "run_validation", "__init__", "get_fields"}
# model methods that may fill a column before the insert
MODEL_HOOKS = {"save", "__init__", "save_base"}

VIEW = (
    "from rest_framework import generics\n\nfrom .serializers import ProductSerializer\n\n\n"
    "class ProductList(generics.ListCreateAPIView):\n    serializer_class = ProductSerializer\n"
)

# a view's get_serializer_class/get_serializer returning another serializer than its
# serializer_class (label-studio's ExportListAPI); tests/test_djs405_returned_serializers.py
# runs these views with DRF
READ = (
    "class ProductRead(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
    "        fields = ['id', 'title', 'stock']\n        read_only_fields = ['title', 'stock']\n\n\n"
)
RETURNED_VIEWS = (
    "from rest_framework import generics\n\nfrom shop import serializers\nfrom shop.models import Product\n"
    "from shop.serializers import ProductCreate, ProductRead\n\n\n"
    "class ProductList(generics.ListCreateAPIView):\n"
    "    queryset = Product.objects.all()\n    serializer_class = ProductRead\n\n"
    "    def get_serializer_class(self):\n"
    "        if self.request.method == 'POST':\n            return ProductCreate\n"
    "        return super().get_serializer_class()\n"
)
RETURNED_VALID = serializer_case(  # each view passes the columns to save(), or never creates
    READ + "class ProductCreate(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
    "        fields = ['id', 'vendor', 'title']\n\n\n"
    "class ProductNote(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
    "        fields = ['id', 'title']\n\n\n"
    "class ProductEdit(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
    "        fields = ['id', 'title']\n",
    **{"shop/views.py": RETURNED_VIEWS + "\n    def perform_create(self, serializer):\n"
       "        serializer.save(stock=0)\n\n\n"
       "class NoteList(generics.ListCreateAPIView):\n"
       "    queryset = Product.objects.all()\n    serializer_class = ProductRead\n\n"
       "    def get_serializer(self, *args, **kwargs):\n"
       "        from shop.serializers import ProductNote\n\n"
       "        kwargs.setdefault('context', self.get_serializer_context())\n"
       "        if self.request.method == 'POST':\n            return ProductNote(*args, **kwargs)\n"
       "        return ProductRead(*args, **kwargs)\n\n"
       "    def perform_create(self, serializer):\n"
       "        serializer.save(stock=0, vendor_id=1)\n\n\n"
       "class ProductDetail(generics.RetrieveUpdateAPIView):\n"
       "    queryset = Product.objects.all()\n    serializer_class = ProductRead\n\n"
       "    def get_serializer_class(self):\n"
       "        return serializers.ProductEdit if self.request.method in ('PUT', 'PATCH') else ProductRead\n"},
)  # fmt: skip
RETURNED_INVALID = serializer_case(  # DRF's own create saves it: a warning naming the view
    READ + "class ProductCreate(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
    "        fields = ['id', 'vendor', 'title']  # expect: DJS405\n",
    **{"shop/views.py": RETURNED_VIEWS},
)  # fmt: skip


class RequiredFieldMissing(Rule):
    """A serializer that creates objects but leaves out a required model field.

    ## What it does
    For each ModelSerializer that a create view (``CreateAPIView``, ``ListCreateAPIView``,
    ``ModelViewSet`` or ``CreateModelMixin``) uses with DRF's own ``create``, lists the
    model's columns that must be set on insert: not null, no ``default`` or
    ``db_default``, not set automatically, and of a type whose empty value is NULL. A
    column the serializer does not write is reported. Views or serializers that override
    ``perform_create``/``create``/``save``/``validate``, models with their own ``save`` or
    managers, and models with ``pre_save`` receivers are not judged: they may set it.

    A writable ModelSerializer that no view names as its ``serializer_class`` (and that is
    neither a base of other serializers nor nested in one) is checked the same way, and a
    missing column is reported as a warning: code elsewhere may pass it to ``save()``.

    ## Why it matters
    Every valid POST fails with ``IntegrityError: NOT NULL constraint failed`` and a 500,
    although the serializer accepted the data.

    ## Example
    ```python
    class Product(models.Model):
        stock = models.IntegerField()  # required

    class ProductSerializer(serializers.ModelSerializer):
        class Meta:
            model = Product
            fields = ["id", "title"]
    ```

    ## Fix
    Add the field to ``Meta.fields``, give the model field a default, or set it in
    ``perform_create`` (``serializer.save(stock=0)``).
    """

    code = "DJS405"
    name = "required-field-missing"
    needs_serializers = True

    VALID = [
        serializer_case(  # a viewset routed only with as_view({...}) mappings without "create" (galaxy-ng)
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n",
            **{"shop/views.py": "from rest_framework import viewsets\n\nfrom shop.serializers import ProductSerializer\n\n\n"
               "class ProductViewSet(viewsets.ModelViewSet):\n    serializer_class = ProductSerializer\n",
               "shop/urls.py": "from shop.views import ProductViewSet\n\n"
               "urlpatterns = [ProductViewSet.as_view({'get': 'list'}), ProductViewSet.as_view({'put': 'update'})]\n"},
        ),
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor', 'title', 'stock']\n",
            **{"shop/views.py": VIEW},
        ),
        serializer_case(  # the view sets the missing columns itself
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n",
            **{"shop/views.py": VIEW + "\n    def perform_create(self, serializer):\n"
               "        serializer.save(stock=0, vendor_id=1)\n"},
        ),
        serializer_case(  # the column by its attname; a view that does not accept POST
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    vendor_id = serializers.IntegerField()\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor_id', 'title', 'stock']\n\n\n"
            "class Short(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n",
            **{"shop/views.py": VIEW.replace("import ProductSerializer", "import ProductSerializer, Short")
               + "\n\nclass ShortView(generics.ListCreateAPIView):\n"
               "    serializer_class = Short\n    http_method_names = ['get', 'head']\n"},
        ),
        serializer_case(  # __init__ adds the fields; a pre_save receiver named by string
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id']\n\n"
            "    def __init__(self, *args, **kwargs):\n"
            "        super().__init__(*args, **kwargs)\n"
            "        self.fields['stock'] = serializers.IntegerField()\n",
            **{"shop/views.py": VIEW},
        ),
        Case({  # a field class that sets its own default; a pre_save receiver named by string
            **APP, "shop/models.py": MODELS.replace("    stock = models.IntegerField()", "    stock = StockField()")
            .replace("from django.db import models\n", "from django.db import models\n\nfrom .fields import StockField\n")
            + "\n\nclass Order(models.Model):\n    total = models.IntegerField()\n",
            "shop/fields.py": "from django.db import models\n\n\nclass StockField(models.IntegerField):\n"
            "    def __init__(self, *args, **kwargs):\n        kwargs.setdefault('default', 0)\n"
            "        super().__init__(*args, **kwargs)\n",
            "shop/signals.py": "from django.db.models.signals import pre_save\n\n\n"
            "def fill(sender, instance, **kwargs):\n    instance.total = 0\n\n\n"
            "pre_save.connect(fill, sender='shop.Order')\n",
            "shop/serializers.py": HEADER.replace("Product, Vendor", "Order, Product, Vendor")
            + "class ProductSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Product\n"
            "        fields = ['id', 'vendor', 'title']\n\n\n"
            "class OrderSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Order\n"
            "        fields = ['id']\n",
            "shop/views.py": VIEW.replace("import ProductSerializer", "import OrderSerializer, ProductSerializer")
            + "\n\nclass OrderList(generics.CreateAPIView):\n"
            "    serializer_class = OrderSerializer\n",
        }),
        serializer_case(  # no view creates with it, and it writes nothing; a nested one; a base
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n"
            "        read_only_fields = ['title']\n\n\n"
            "class ProductBase(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n\n\n"
            "class ProductFull(ProductBase):\n"
            "    class Meta(ProductBase.Meta):\n"
            "        fields = ['id', 'title', 'vendor', 'stock']\n\n\n"
            "class ProductLine(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['title']\n\n\n"
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    products = ProductLine(many=True)\n\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['name', 'products']\n"
        ),
        RETURNED_VALID,
    ]  # fmt: skip
    INVALID = [
        serializer_case(  # no view is seen creating with it: a warning
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']  # expect: DJS405\n"
        ),
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'vendor']  # expect: DJS405\n",
            **{"shop/views.py": VIEW},
        ),
        RETURNED_INVALID,
    ]

    def check(self, project) -> Iterable[Finding]:
        analysis = project.serializers
        seen: set[tuple[str, str]] = set()
        judged: set[str] = set()
        returned_creating: dict[str, list[str]] = {}  # serializer -> the creating views returning it
        for view in analysis.create_views:
            if view.returned:  # maybe not the serializer it creates with: a warning below
                returned_creating.setdefault(view.serializer, []).append(view.path)
                continue
            serializer = analysis.by_path(view.serializer)
            if serializer is None or not serializer.is_model or serializer.file.startswith("/"):
                continue
            judged.add(serializer.path)
            for info, name in _missing(analysis, serializer):
                if (serializer.path, name) in seen:
                    continue
                seen.add((serializer.path, name))
                path, span = serializer.meta_span("fields" if serializer.meta_value("fields") is not None else "exclude")
                yield self.finding(
                    path, span,
                    f"{serializer.name} creates {info.key[0]}.{info.name} objects (through "
                    f"{view.path.rsplit('.', 1)[-1]}) without `{name}`, a NOT NULL column with no default: "
                    f"every create fails with IntegrityError. Add it to the serializer, give it a default, "
                    f"or set it in perform_create",
                    app=info.key[0], model=info.name, field=name,
                )  # fmt: skip
        # no view is seen creating with it: a warning, since the serializer may only read, or be
        # saved by code that passes the column (serializer.save(stock=0))
        used = set(analysis.view_serializers)
        for path, views in analysis.returned_serializers.items():
            if views - set(returned_creating.get(path, ())):
                used.add(path)  # a view that overrides perform_create/create may pass the column, or never creates
        bases = set().union(*(s.ancestors for s in analysis.serializers)) if analysis.serializers else set()
        nested = {d.serializer for s in analysis.serializers for d in s.declared.values() if d.serializer}
        for serializer, result in analysis.checked():
            if not serializer.is_model or serializer.path in judged or serializer.path in used:
                continue
            if serializer.path in bases or serializer.path in nested:
                continue  # a base for other serializers, or a nested one: its parent decides how it saves
            if not any(f.read_only is False for f in result.fields.values()):
                continue  # nothing to write: never creates through DRF's own create
            creating = sorted(returned_creating.get(serializer.path, ()))
            seen_by = (
                f"{creating[0].rsplit('.', 1)[-1]} returns it from get_serializer_class or get_serializer and "
                f"creates with DRF's own create, which passes nothing to save()" if creating
                else "No view was seen creating with it"
            )  # fmt: skip
            for info, name in _missing(analysis, serializer):
                path, span = serializer.meta_span("fields" if serializer.meta_value("fields") is not None else "exclude")
                yield self.finding(
                    path, span,
                    f"{serializer.name} is a writable serializer of {info.key[0]}.{info.name} without `{name}`, "
                    f"a NOT NULL column with no default: saving a new object through it fails with "
                    f"IntegrityError unless the caller passes `{name}` to save(). {seen_by}. "
                    f"Add it to the serializer, give it a default, or make the serializer read-only",
                    app=info.key[0], model=info.name, field=name, severity="warning",
                )  # fmt: skip


def _missing(analysis, serializer) -> list:
    """(model info, column) for each NOT NULL column without a default that DRF's own
    ``create`` would leave unset; empty when djstate cannot be sure of any."""
    result = analysis.result(serializer)
    info = result.model
    if info is None or not result.names_certain or result.errors or not info.known:
        return []
    if serializer.members & SERIALIZER_HOOKS or any(d.source == "*" for d in serializer.declared.values()):
        return []  # fields added in __init__, or a nested serializer writing into this one
    catalog = analysis.catalog
    model_class = catalog.state.classes.get(info.key)
    if model_class is None or model_class.managers:
        return []
    if catalog.model_methods(model_class.path) & MODEL_HOOKS or info.name.lower() in analysis.save_hooks:
        return []
    written = {f.model_field or f.name for f in result.fields.values() if f.read_only is False}
    written |= {f.name for f in result.fields.values() if f.origin == "hidden"}
    for declared in serializer.declared.values():
        if declared.read_only is False or declared.drf_class == "HiddenField":
            source = declared.source if isinstance(declared.source, str) else declared.name
            written.add(source.split(".")[0])
    written |= {name[:-3] for name in written if name.endswith("_id")}  # `vendor_id` sets `vendor`
    return [(info, name) for name, state in info.all_fields.items()
            if name not in written and _required(state, info.chains.get(name, []))]  # fmt: skip


def _required(state, chain: list[str]) -> bool:
    kwargs = state.kwargs
    if not chain or chain[0] in AUTO or AUTO & set(chain):
        return False
    if not state.known or not state.path.startswith("django.db.models."):
        return False  # a field subclass may set its own default in __init__
    if kwargs.get("primary_key") or kwargs.get("null") or "default" in kwargs or "db_default" in kwargs:
        return False
    if kwargs.get("auto_now") or kwargs.get("auto_now_add") or kwargs.get("serialize") is False:
        return False
    if "ManyToManyField" in chain or "GeneratedField" in chain:
        return False
    return bool(NULL_WHEN_EMPTY & set(chain))
