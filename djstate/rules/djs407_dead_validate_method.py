from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case


class DeadValidateMethod(Rule):
    """A ``validate_<name>`` method DRF never calls.

    ## What it does
    Reports ``validate_<name>`` methods of a serializer whose ``<name>`` is not one of the
    serializer's fields, or is a read-only field: DRF runs field validators only for the
    writable fields it deserialises.

    ## Why it matters
    The check silently never runs. It usually means a field was renamed (in the model or
    in ``Meta.fields``) and the validation that protected it was left behind, so invalid
    data now reaches the database.

    ## Example
    ```python
    class ProductSerializer(serializers.ModelSerializer):
        class Meta:
            model = Product
            fields = ["id", "title"]

        def validate_name(self, value):  # the field is `title`
            ...
    ```

    ## Fix
    Rename the method to the field it validates, or remove it.
    """

    code = "DJS407"
    name = "dead-validate-method"
    severity = "warning"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'stock']\n\n"
            "    def validate_title(self, value):\n"
            "        return value\n\n"
            "    def validate(self, attrs):\n"
            "        return attrs\n\n"
            "    def validate_access_change(self, *, user, project):  # a helper the code calls itself\n"
            "        return True\n\n\n"
            "class Contact(serializers.Serializer):\n"
            "    email = serializers.EmailField()\n\n"
            "    def validate_email(self, value):\n"
            "        return value\n"
        ),
        # validate() calls it itself: not dead (issue 9, pattern G)
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n\n"
            "    def validate_price(self, value):\n"
            "        return value\n\n"
            "    def validate(self, attrs):\n"
            "        self.validate_price(self.initial_data.get('price'))\n"
            "        return attrs\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n"
            "        read_only_fields = ['title']\n\n"
            "    def validate_name(self, value):  # expect: DJS407\n"
            "        return value\n\n"
            "    def validate_title(self, value):  # expect: DJS407\n"
            "        return value\n"
        ),
        # a call on another object, or a mere mention in a string, does not make it live
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n\n"
            "    def validate_price(self, value):  # expect: DJS407\n"
            "        return value\n\n"
            "    def validate(self, attrs):\n"
            "        other = ProductSerializer()\n"
            "        other.validate_price(1)\n"
            "        return attrs  # 'validate_price'\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for serializer, result in project.serializers.checked():
            if not result.names_certain or result.errors or not serializer.known:
                continue
            if serializer.is_model and result.model is None:
                continue
            called = set(serializer.facts.self_references)  # self.validate_x(...) in validate()
            for ancestor in serializer.ancestors:
                found = project.serializers.index.class_facts(ancestor)
                called |= found[0].self_references if found is not None else set()
            if "*" in called:
                continue  # getattr(self, f"validate_{name}"): any of them may be called
            for method, span in serializer.facts.method_spans.items():
                if not method.startswith("validate_") or method in called:
                    continue
                if serializer.facts.method_arity.get(method, 1) not in (1, -1):
                    continue  # not callable as DRF calls field validators: a helper of its own
                name = method[len("validate_"):]
                built = result.fields.get(name)
                if built is not None and built.read_only is False:
                    continue
                if built is not None and built.read_only is None:
                    continue
                reason = "is read-only, so DRF never validates it" if built else "is not a field of this serializer"
                yield self.finding(
                    serializer.file, span,
                    f"{serializer.name}.{method} never runs: `{name}` {reason}. Rename the method to the field "
                    f"it validates, or remove it",
                    field=name,
                )  # fmt: skip
