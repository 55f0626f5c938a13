from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case
from djstate.state.class_bases import class_chain


class MissingMethodFieldGetter(Rule):
    """A ``SerializerMethodField`` whose method does not exist.

    ## What it does
    For each ``SerializerMethodField`` declared on a serializer, looks for the method it
    calls: ``method_name=`` when given, else ``get_<field name>``, on the serializer or
    any base class in the tree. Serializers with bases outside the tree are not judged.

    ## Why it matters
    DRF looks the method up when it serializes the first object and raises
    ``AttributeError``: every response that includes the field fails.

    ## Example
    ```python
    class ReviewSerializer(serializers.ModelSerializer):
        author_name = serializers.SerializerMethodField()
        # no get_author_name
    ```

    ## Fix
    Add ``def get_<name>(self, obj)``, or point ``method_name=`` at the existing method.
    """

    code = "DJS408"
    name = "missing-method-field-getter"
    needs_serializers = True

    VALID = [
        serializer_case(  # getters set on the instance (pretalx's LegacySubmissionSerializer)
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    title = serializers.SerializerMethodField()\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title']\n\n"
            "    def __init__(self, *args, **kwargs):\n"
            "        super().__init__(*args, **kwargs)\n"
            "        for field in ('title',):\n"
            "            setattr(self, f'get_{field}', lambda obj, name=field: getattr(obj, name))\n"
        ),
        serializer_case(  # a getter attached after the class
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    label = serializers.SerializerMethodField()\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'label']\n\n\n"
            "ProductSerializer.get_label = lambda self, obj: str(obj)\n"
        ),
        serializer_case(
            "class Mixin:\n"
            "    def get_label(self, obj):\n"
            "        return str(obj)\n\n\n"
            "class ProductSerializer(Mixin, serializers.ModelSerializer):\n"
            "    label = serializers.SerializerMethodField()\n"
            "    price = serializers.SerializerMethodField(method_name='compute_price')\n"
            "    extra = serializers.SerializerMethodField()\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'label', 'price', 'extra']\n\n"
            "    def compute_price(self, obj):\n"
            "        return 1\n\n"
            "    if True:  # defined under a condition: still a method of the class\n"
            "        def get_extra(self, obj):\n"
            "            return 2\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    label = serializers.SerializerMethodField()  # expect: DJS408\n"
            "    price = serializers.SerializerMethodField('compute_price')  # expect: DJS408\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'label', 'price']\n\n"
            "    def get_price(self, obj):\n"
            "        return 1\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        serializers = project.serializers.serializers
        reported: set[int] = set()
        for serializer, built in project.serializers.checked():
            if not serializer.known:
                continue
            for declared in serializer.declared.values():
                if declared.drf_class != "SerializerMethodField" or declared.custom or declared.file.startswith("/"):
                    continue
                value = declared.value
                method = value.kwargs.get("method_name") or (value.args[0] if value.args else None)
                method = method or f"get_{declared.name}"
                if not isinstance(method, str) or method in serializer.members or id(declared) in reported:
                    continue
                dynamic = project.serializers.catalog.dynamic_attributes
                if "__getattr__" in serializer.members or method in dynamic or "*" in dynamic:
                    continue  # attached after the class (`S.get_x = f`, setattr) or looked up dynamically
                on_self = _instance_attributes(project, serializer)
                if method in on_self or "*" in on_self:
                    continue  # set on the instance (`setattr(self, f"get_{x}", ...)` in __init__): getattr finds it
                # a base serializer whose subclasses bring the method is only used through them
                if any(method in other.members and any(d is declared for d in other.declared.values())
                       for other in serializers):  # fmt: skip
                    continue
                reported.add(id(declared))
                yield self.finding(
                    declared.file, declared.span,
                    f"{serializer.name}.{declared.name} is a SerializerMethodField but {serializer.name} has no "
                    f"method `{method}`; serializing raises AttributeError. Add `def {method}(self, obj)`",
                    field=declared.name, **_owner(project, serializer, built),
                )  # fmt: skip


def _instance_attributes(project, serializer) -> set[str]:
    """``self.x = ...`` in the serializer and its in-tree bases ("*" for setattr(self, computed))."""
    index = project.serializers.index
    chain = class_chain(serializer.path, index.class_facts, index.resolve)
    return set().union(*(c.instance_attributes for c in chain.classes))


def _owner(project, serializer, built) -> dict:
    """The serializer's model (its app and name) when known, else the app whose package holds it."""
    if built is not None and built.model is not None:
        return {"app": built.model.key[0], "model": built.model.name}
    app = project.app_of_module(serializer.path.rpartition(".")[0])
    return {"app": app.label if app else None}
