from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import HEADER, MODELS, serializer_case


class StaleMetaName(Rule):
    """``exclude``, ``read_only_fields`` or ``extra_kwargs`` naming a field the serializer does not have.

    ## What it does
    Checks the names in a ModelSerializer's ``Meta.exclude`` against the model's fields,
    and the names in ``read_only_fields`` and ``extra_kwargs`` against the fields the
    serializer builds from the model. Names of fields declared on the serializer are
    reported too: DRF applies neither option to them.

    ## Why it matters
    A stale ``exclude`` is rejected by DRF (``AssertionError``) when the fields are built:
    an error. A stale ``read_only_fields`` or ``extra_kwargs`` entry is silently ignored:
    the field it was meant to protect is writable, or keeps the options it was meant to
    lose (a warning).

    ## Example
    ```python
    class AccountSerializer(serializers.ModelSerializer):
        class Meta:
            model = Account
            fields = ["id", "balance"]
            read_only_fields = ["ballance"]  # typo: balance stays writable
    ```

    ## Fix
    Use the current field name; for a declared field pass ``read_only=True`` (or the
    option) to the field itself.
    """

    code = "DJS403"
    name = "stale-meta-name"
    needs_serializers = True

    VALID = [
        # a user model on AbstractUser (outside the tree): its user_permissions is not seen, so an
        # exclude naming it is not judged (nautobot's UserSerializer, found through its settings)
        serializer_case(
            "class UserSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = get_user_model()\n"
            "        exclude = ['user_permissions']\n",
            **{"shop/users.py": "from django.contrib.auth.models import AbstractUser\n\n\nclass User(AbstractUser):\n    pass\n",
               "shop/models.py": MODELS + "\nfrom .users import User  # noqa\n",
               "shop/settings.py": "INSTALLED_APPS = ['shop']\nAUTH_USER_MODEL = 'shop.User'\n",
               "shop/serializers.py": "from django.contrib.auth import get_user_model\n" + HEADER + "class UserSerializer(serializers.ModelSerializer):\n"
               "    class Meta:\n        model = get_user_model()\n        exclude = ['user_permissions']\n"},
        ),
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        exclude = ['api_token']\n"
            "        read_only_fields = ['name']\n"
            "        extra_kwargs = {'name': {'help_text': 'shown'}}\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        exclude = ['token']  # expect: DJS403\n"
        ),
        serializer_case(
            "class ProductSerializer(serializers.ModelSerializer):\n"
            "    title = serializers.CharField()\n\n"
            "    class Meta:\n"
            "        model = Product\n"
            "        fields = ['id', 'title', 'stock']\n"
            "        read_only_fields = [\n"
            "            'title',  # expect: DJS403\n"
            "            'stok',  # expect: DJS403\n"
            "        ]\n"
            "        extra_kwargs = {'active': {'required': False}}  # expect: DJS403\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for serializer, result in project.serializers.checked():
            for error in result.errors:
                if error.kind in ("exclude-unknown", "exclude-declared"):
                    path, span = serializer.meta_span("exclude", error.name)
                    yield self.finding(path, span, f"{serializer.name}: {error.message} DRF raises AssertionError; "
                                       "remove the name or use the current field name", field=error.name)  # fmt: skip
            if not serializer.is_model or not result.names_certain or result.errors or result.model is None:
                continue
            read_only = serializer.meta_value("read_only_fields") or []
            extra = serializer.meta_value("extra_kwargs") or {}
            for option, names in (("read_only_fields", list(read_only)), ("extra_kwargs", list(extra))):
                for name in names:
                    if not isinstance(name, str):
                        continue
                    built = result.fields.get(name)
                    if built is not None and (built.origin != "declared" or option == "read_only_fields" and built.read_only is not False):
                        continue  # applied, or a declared field that is read-only anyway
                    if built is None and option == "extra_kwargs" and name in _unique_names(result):
                        continue
                    reason = (
                        f"`{name}` is declared on the serializer, and DRF applies {option} only to fields it "
                        f"builds from the model; pass the option to the declared field"
                        if built is not None
                        else f"`{name}` is not a field of this serializer, so DRF ignores it"
                    )
                    path, span = serializer.meta_span(option, name)
                    yield self.finding(path, span, f"{serializer.name}: Meta.{option} names {reason}",
                                       field=name, severity="warning")  # fmt: skip


def _unique_names(result) -> set[str]:
    return {name for name, f in result.fields.items() if f.origin == "hidden"}
