from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case


class InvalidSerializerMeta(Rule):
    """A ModelSerializer whose ``Meta`` DRF rejects when it builds the fields.

    ## What it does
    Reports the ``Meta`` configurations ``ModelSerializer.get_fields`` refuses: a field
    declared on the class but missing from ``Meta.fields``; both ``fields`` and ``exclude``,
    or neither; ``fields`` that is not a list, a tuple or ``"__all__"``; no ``Meta`` or no
    ``Meta.model``; a field that ends up both required and with a default (for example
    a ``unique_together`` field given a default in ``extra_kwargs``); and a ``source=`` equal
    to the field's own name, which ``Field.bind`` refuses.

    ## Why it matters
    Each raises ``AssertionError`` or ``TypeError`` on the first request that uses the
    serializer, often in a code path tests do not reach.

    ## Example
    ```python
    class ProductSerializer(serializers.ModelSerializer):
        vendor_name = serializers.CharField(source="vendor.name")

        class Meta:
            model = Product
            fields = ["id", "title"]  # vendor_name missing
    ```

    ## Fix
    Add the declared field to ``Meta.fields`` (or remove the declaration); keep exactly one
    of ``fields`` and ``exclude``; drop the contradicting option.
    """

    code = "DJS404"
    name = "invalid-serializer-meta"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class Base(serializers.ModelSerializer):\n"
            "    vendor_name = serializers.CharField(source='vendor.name', read_only=True)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'vendor_name']\n\n\n"
            "class Child(Base):\n"
            "    class Meta(Base.Meta):\n"
            "        fields = ['id']  # inherited declared fields may be left out\n"
        ),
        serializer_case(  # a base only used through subclasses that complete its Meta
            "class Base(serializers.ModelSerializer):\n"
            "    label = serializers.CharField(source='title')\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id']\n\n\n"
            "class Full(Base):\n"
            "    class Meta(Base.Meta):\n"
            "        fields = ['id', 'label']\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    vendor_name = serializers.CharField(source='vendor.name')\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']  # expect: DJS404\n\n\n"
            "class Both(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id']\n"
            "        exclude = ['title']  # expect: DJS404\n\n\n"
            "class Neither(serializers.ModelSerializer):\n"
            "    class Meta:  # expect: DJS404\n"
            "        model = Product\n\n\n"
            "class Redundant(serializers.ModelSerializer):\n"
            "    title = serializers.CharField(source='title')  # expect: DJS404\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'stock']\n"
            "        extra_kwargs = {'stock': {'source': 'stock'}}  # expect: DJS404\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        subclasses: dict[str, list] = {}  # serializer path -> the serializers deriving from it
        for other in project.serializers.serializers:
            for ancestor in other.ancestors:
                subclasses.setdefault(ancestor, []).append(other)
        for serializer, result in project.serializers.checked():
            completed = any(other is not serializer for other in subclasses.get(serializer.path, ()))
            for error in result.errors:
                if error.kind == "redundant-source" and error.name in serializer.declared:
                    if error.name in serializer.own_declared:  # reported where it is declared, once
                        declared = serializer.declared[error.name]
                        yield self.finding(declared.file, declared.span, f"{serializer.name}: {error.message} DRF "
                                           "rejects it when it binds the fields; remove `source=`", field=error.name)  # fmt: skip
                    continue
                if completed:
                    continue  # a base other serializers complete; DRF only fails if it is used itself
                if error.kind not in ("declared-not-listed", "meta", "required-default", "redundant-source"):
                    continue
                option = {"declared-not-listed": "fields", "required-default": "extra_kwargs",
                          "redundant-source": "extra_kwargs"}.get(error.kind, error.name)  # fmt: skip
                if option and serializer.meta is not None and option in serializer.meta:
                    item = error.name if error.kind in ("required-default", "redundant-source") else None
                    path, span = serializer.meta_span(option, item)
                elif serializer.meta is not None and serializer.facts.nested.get("Meta") is not None:
                    path, span = serializer.file, serializer.facts.nested["Meta"].span
                else:
                    path, span = serializer.file, serializer.facts.span
                yield self.finding(path, span, f"{serializer.name}: {error.message} DRF rejects this serializer "
                                   "when it builds its fields", field=error.name)  # fmt: skip
