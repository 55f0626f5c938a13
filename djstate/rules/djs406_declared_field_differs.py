from __future__ import annotations

from typing import Any, Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case
from djstate.state.serializer_classes import drf_chain

# what a value of each kind is, on both sides
DRF_KINDS = {
    "CharField": "text", "EmailField": "text", "RegexField": "text", "SlugField": "text", "URLField": "text",
    "IPAddressField": "text", "IntegerField": "integer", "BigIntegerField": "integer", "FloatField": "number",
    "DecimalField": "number", "BooleanField": "boolean", "DateTimeField": "datetime", "DateField": "date",
    "TimeField": "time", "DurationField": "duration", "UUIDField": "uuid", "FileField": "file",
}  # fmt: skip
MODEL_KINDS = {
    "CharField": "text", "TextField": "text", "IntegerField": "integer", "FloatField": "number",
    "DecimalField": "number", "BooleanField": "boolean", "DateTimeField": "datetime", "DateField": "date",
    "TimeField": "time", "DurationField": "duration", "UUIDField": "uuid", "FileField": "file",
    "GenericIPAddressField": "text", "JSONField": "json",
}  # fmt: skip
AUTO_FIELDS = ("AutoField", "BigAutoField", "SmallAutoField")
# pairs that convert without loss of meaning on save
COMPATIBLE = {("integer", "number"), ("number", "integer"), ("date", "datetime"), ("datetime", "date"),
              ("text", "uuid"), ("uuid", "text"), ("text", "json"), ("integer", "json"), ("number", "json"),
              ("boolean", "json"), ("text", "file")}  # fmt: skip


class DeclaredFieldDiffers(Rule):
    """A writable declared serializer field that accepts values its model column cannot store.

    ## What it does
    Compares each writable field declared on a ModelSerializer with the model field it
    writes to (``source`` or its name): the value types (an ``IntegerField`` for a
    ``CharField`` column, a ``BooleanField`` for a ``DateTimeField``), a ``max_length``
    larger than the column's, ``choices`` the model does not allow, and ``allow_null=True``
    for a column that is NOT NULL without a default.

    ## Why it matters
    Validation passes and the save fails: ``DataError: value too long``, ``IntegrityError``
    on NULL, or a value Django's own validation (admin, forms, ``full_clean``) rejects.
    The API and the database disagree about what is valid.

    ## Example
    ```python
    class Product(models.Model):
        title = models.CharField(max_length=120)

    class ProductSerializer(serializers.ModelSerializer):
        title = serializers.CharField(max_length=500)
    ```

    ## Fix
    Declare the field like the model does, or drop the declaration and let ModelSerializer
    build it from the model.
    """

    code = "DJS406"
    name = "declared-field-differs"
    severity = "warning"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    title = serializers.CharField(max_length=100)\n"
            "    stock = serializers.IntegerField(min_value=0)\n"
            "    shown = serializers.CharField(source='stock', read_only=True)\n"
            "    released = serializers.DateField(allow_null=True)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'stock', 'shown', 'released']\n"
        ),
        # a nullable id over the auto primary key: None lets the database number the row (pattern G)
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    id = serializers.IntegerField(allow_null=True, required=False)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    title = serializers.CharField(max_length=500)  # expect: DJS406\n"
            "    stock = serializers.BooleanField()  # expect: DJS406\n"
            "    vendor = serializers.PrimaryKeyRelatedField(queryset=Vendor.objects.all(), allow_null=True)  # expect: DJS406\n"
            "    active = serializers.BooleanField(allow_null=True)\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'stock', 'vendor', 'active']\n"
        ),
        # text for the auto primary key is still a type the column cannot store ('abc' fails on save)
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    id = serializers.CharField(allow_null=True, required=False)  # expect: DJS406\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for serializer, result in project.serializers.checked():
            info = result.model
            if info is None or not serializer.is_model or not info.known:
                continue
            for declared in serializer.declared.values():
                if declared.read_only is not False or declared.file.startswith("/") or declared.drf_class is None:
                    continue
                source = declared.source if declared.source is not None else declared.name
                if not isinstance(source, str) or source not in info.all_fields:
                    continue
                state = info.all_fields[source]
                chain = info.chains.get(source, [])
                if not chain or not state.known:
                    continue
                problem = _difference(declared, state.kwargs, chain)
                if problem:
                    yield self.finding(
                        declared.file, declared.span,
                        f"{serializer.name}.{declared.name} {problem} ({info.key[0]}.{info.name}.{source}); "
                        f"validation accepts values the save then fails on. Match the model field or drop the "
                        f"declaration",
                        app=info.key[0], model=info.name, field=source,
                    )  # fmt: skip


def _difference(declared, kwargs: dict[str, Any], chain: list[str]) -> str | None:
    drf = declared.drf_class
    mine = next((DRF_KINDS[c] for c in drf_chain(drf) if c in DRF_KINDS), None)
    theirs = next((MODEL_KINDS[c] for c in chain if c in MODEL_KINDS), None)
    if drf in ("ChoiceField", "MultipleChoiceField") or kwargs.get("choices"):
        mine = None  # choices are compared below, not types
    if mine and theirs and mine != theirs and (mine, theirs) not in COMPATIBLE:
        return f"is a {drf} but writes a {chain[0]}"
    limit, declared_limit = kwargs.get("max_length"), declared.kwargs.get("max_length")
    if isinstance(limit, int) and isinstance(declared_limit, int) and declared_limit > limit:
        return f"allows max_length={declared_limit}, the column holds {limit}"
    model_choices = kwargs.get("choices")
    declared_choices = declared.kwargs.get("choices")
    if drf == "ChoiceField" and isinstance(model_choices, list) and isinstance(declared_choices, (list, tuple)):
        allowed = {_choice_key(c) for c in model_choices}
        extra = [k for k in (_choice_key(c) for c in declared_choices) if k not in allowed]
        if extra and None not in allowed:
            return f"accepts choices {extra!r} the model field does not allow"
    if declared.kwargs.get("allow_null") is True and not kwargs.get("null") and "default" not in kwargs:
        # a FileField stores None as "" (its descriptor wraps it in an empty FieldFile); an auto
        # primary key saved as None is left out of the INSERT and the database numbers the row
        auto_pk = kwargs.get("primary_key") is True and any(c in AUTO_FIELDS for c in chain)
        if "db_default" not in kwargs and "ManyToManyField" not in chain and "FileField" not in chain and not auto_pk:
            return "allows null but the column is NOT NULL without a default"
    return None


def _choice_key(choice: Any) -> Any:
    if isinstance(choice, (list, tuple)) and len(choice) == 2:
        return choice[0] if not isinstance(choice[1], (list, tuple)) else None  # groups: not compared
    return choice if isinstance(choice, (str, int)) else None
