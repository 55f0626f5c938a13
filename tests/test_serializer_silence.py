"""A Meta.fields name djstate cannot judge is not reported, and is counted under its reason."""

from djstate.rules.djs401_unknown_serializer_field import EXTERNAL_APP, serializer_case
from tests.conftest import run_scan, write_project


def _silenced(tmp_path, case):
    root = write_project(tmp_path, case.files)
    result = run_scan(root)
    assert not [f for f in result.findings if f.code == "DJS401"]
    return sorted((i.reason, i.unit) for i in result.project.unjudged if i.unit.startswith("serializer field"))


def test_a_name_on_a_model_djstate_cannot_read_completely(tmp_path):
    case = serializer_case(
        "class VendorSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Vendor\n"
        "        fields = ['id', 'client_secret']\n"
    )
    models = case.files["shop/models.py"]
    case.files["shop/models.py"] = models.replace(
        "class Vendor(models.Model):", "from somelib import with_secret\n\n\n@with_secret\nclass Vendor(models.Model):"
    )
    assert _silenced(tmp_path, case) == [("name-on-unknown-model", "serializer field shop.serializers.VendorSerializer.client_secret")]


def test_a_name_code_gives_the_model_class_and_a_possible_reverse_accessor(tmp_path):
    case = serializer_case(
        "class VendorSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Vendor\n"
        "        fields = ['id', 'label', 'shop_app']\n",
        **{"shop/views.py": "from .models import Vendor\n\nVendor.label = 'x'\n", **EXTERNAL_APP},
    )
    assert _silenced(tmp_path, case) == [
        ("name-maybe-reverse", "serializer field shop.serializers.VendorSerializer.shop_app"),
        ("name-maybe-runtime", "serializer field shop.serializers.VendorSerializer.label"),
    ]


def _silenced_sources(tmp_path, case):
    root = write_project(tmp_path, case.files)
    result = run_scan(root)
    assert not [f for f in result.findings if f.code == "DJS402"]
    return sorted((i.reason, i.unit) for i in result.project.unjudged if i.unit.startswith("serializer source"))


def test_a_source_annotated_by_a_queryset_or_on_an_unreadable_model_is_counted(tmp_path):
    # pulpcore's AccessPolicySerializer: a source= name that some code sets on instances was
    # silenced by the catalog without an Unjudged; a source that resolves is not counted
    case = serializer_case(
        "class ProductSerializer(serializers.ModelSerializer):\n"
        "    reviews = serializers.IntegerField(source='num_reviews', read_only=True)\n"
        "    vendor_secret = serializers.CharField(source='vendor.client_secret', read_only=True)\n"
        "    vendor_name = serializers.CharField(source='vendor.name', read_only=True)\n\n"
        "    class Meta:\n        model = Product\n"
        "        fields = ['id', 'reviews', 'vendor_secret', 'vendor_name']\n",
        **{"shop/views.py": "from django.db.models import Count\nfrom .models import Product\n\n"
           "queryset = Product.objects.annotate(num_reviews=Count('id'))\n"},
    )
    models = case.files["shop/models.py"]
    case.files["shop/models.py"] = models.replace(
        "class Vendor(models.Model):", "from somelib import with_secret\n\n\n@with_secret\nclass Vendor(models.Model):"
    )
    assert _silenced_sources(tmp_path, case) == [
        ("name-maybe-runtime", "serializer source shop.serializers.ProductSerializer.reviews"),
        ("name-on-unknown-model", "serializer source shop.serializers.ProductSerializer.vendor_secret"),
    ]
