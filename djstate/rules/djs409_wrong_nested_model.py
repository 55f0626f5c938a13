from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case


class WrongNestedModel(Rule):
    """A nested serializer whose ``Meta.model`` is not the model of the relation it is bound to.

    ## What it does
    For each nested ModelSerializer declared on a ModelSerializer, resolves the relation it
    reads (``source=`` or its name: a foreign key, one-to-one, many-to-many or reverse
    accessor) and compares the related model with the nested serializer's ``Meta.model``.
    Proxy models and multi-table parents of the related model count as the same model.

    ## Why it matters
    The nested serializer reads fields of the wrong model: responses fail with
    ``AttributeError`` or, worse, show fields that happen to share a name. It usually
    follows a relation being pointed at a new model.

    ## Example
    ```python
    class OrderSerializer(serializers.ModelSerializer):
        customer = UserSerializer()  # Order.customer is a ForeignKey to Customer
    ```

    ## Fix
    Use a serializer for the related model, or bind the nested serializer to the right
    relation with ``source=``.
    """

    code = "DJS409"
    name = "wrong-nested-model"
    severity = "warning"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'name']\n\n\n"
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    vendor = VendorSerializer(read_only=True)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor']\n\n\n"
            "class VendorWithProducts(serializers.ModelSerializer):\n"
            "    products = ProductSerializer(many=True, read_only=True)\n\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = ['id', 'products']\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n\n\n"
            "class OtherProduct(serializers.ModelSerializer):\n"
            "    vendor = ProductSerializer(read_only=True)  # expect: DJS409\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor']\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        analysis = project.serializers
        catalog = analysis.catalog
        for serializer, result in analysis.checked():
            info = result.model
            if info is None or not serializer.is_model:
                continue
            for declared in serializer.declared.values():
                if declared.serializer is None or declared.file.startswith("/"):
                    continue
                source = declared.source if declared.source is not None else declared.name
                if not isinstance(source, str) or "." in source:
                    continue
                relation = info.relations.get(source)
                nested = analysis.index.serializer(declared.serializer)
                if relation is None or nested is None or not nested.is_model:
                    continue
                nested_key = catalog.key_of(nested.meta_value("model"))
                if nested_key is None or catalog.same_model(nested_key, relation.related):
                    continue
                related = catalog.info(relation.related)
                name = f"{related.key[0]}.{related.name}" if related else ".".join(relation.related)
                yield self.finding(
                    declared.file, declared.span,
                    f"{serializer.name}.{declared.name} nests {nested.name} (a serializer for "
                    f"{nested_key[0]}.{nested_key[1]}) on `{source}`, which relates to {name}. Use a serializer "
                    f"for {name}",
                    app=info.key[0], model=info.name, field=source,
                )  # fmt: skip
