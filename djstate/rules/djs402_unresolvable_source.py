from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case


class UnresolvableSource(Rule):
    """A declared serializer field whose ``source=`` does not exist on the model.

    ## What it does
    Follows each dotted ``source`` of a ModelSerializer's declared fields through the
    model: every part must be a field, relation, reverse accessor or attribute, and a part
    after a relation is looked up on the related model. Parts after a property, a method or
    a to-many relation are not followed.

    ## Why it matters
    DRF only reads the source when it serializes an object: the serializer validates, the
    tests that only post data pass, and the first response that includes the field raises
    ``AttributeError`` (an error). A read-only, optional or nullable field, or one with a
    default, is instead left out of every response without a word (a warning).

    ## Example
    ```python
    class ProductSerializer(serializers.ModelSerializer):
        vendor_name = serializers.CharField(source="vendor.title")  # Vendor has `name`
    ```

    ## Fix
    Point ``source`` at an attribute that exists (``"vendor.name"``), or use a
    ``SerializerMethodField`` for values that need code.
    """

    code = "DJS402"
    name = "unresolvable-source"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    vendor_name = serializers.CharField(source='vendor.name', read_only=True)\n"
            "    vendor_label = serializers.CharField(source='vendor.display_name.upper', read_only=True)\n"
            "    everything = serializers.DictField(source='*', read_only=True)\n"
            "    count = serializers.IntegerField(source='vendor.products.count', read_only=True)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor_name', 'vendor_label', 'everything', 'count']\n"
        ),
        serializer_case(  # annotated by the view's queryset; write-only input; a method field
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    reviews = serializers.IntegerField(source='num_reviews', read_only=True)\n"
            "    tags = serializers.ListField(source='tags_input', write_only=True)\n"
            "    label = serializers.SerializerMethodField(source='ignored')\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'reviews', 'tags', 'label']\n\n"
            "    def get_label(self, obj):\n"
            "        return ''\n",
            **{"shop/views.py": "from django.db.models import Count\nfrom .models import Product\n\n"
               "queryset = Product.objects.annotate(num_reviews=Count('id'))\n"},
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    vendor_name = serializers.CharField(source='vendor.title', read_only=True)  # expect: DJS402\n"
            "    name = serializers.CharField(source='label')  # expect: DJS402\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor_name', 'name']\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        catalog = project.serializers.catalog
        for serializer, result, declared in project.serializers.read_sources():
            source = declared.source
            missing = catalog.unresolved_part(result.model, source, serializer.known)
            if missing is None:
                continue  # resolves, or left unjudged (SerializerAnalysis.silenced_names says why)
            owner, part = missing
            raises = _raises(declared)
            effect = ("reading the field raises AttributeError" if raises else
                      "DRF leaves the field out of every response without an error (it is read-only, "
                      "optional, nullable or has a default)")  # fmt: skip
            yield self.finding(
                declared.file, declared.span,
                f"{serializer.name}.{declared.name}: source '{source}' does not resolve: "
                f"{owner.key[0]}.{owner.name} has no field, relation or attribute '{part}'; {effect}. "
                f"Point source at an existing attribute",
                app=owner.key[0], model=owner.name, field=declared.name, severity=None if raises else "warning",
            )  # fmt: skip


def _raises(declared) -> bool:
    """Whether DRF raises on the missing attribute: Field.get_attribute() returns the default,
    None (allow_null) or skips the field (not required, which read-only implies) instead."""
    kwargs = declared.kwargs
    return (
        declared.read_only is False
        and kwargs.get("required", True) is True
        and "default" not in kwargs
        and kwargs.get("allow_null", False) is False
    )
