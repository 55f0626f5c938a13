from __future__ import annotations

import re
from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs401_unknown_serializer_field import serializer_case

SENSITIVE = re.compile(r"(^|_)(password|passwd|secret|token|api_?key|private_?key|otp_?secret)(_|$)", re.IGNORECASE)


class SensitiveFieldExposed(Rule):
    """``fields = "__all__"`` or ``exclude`` that lets a password, secret or token field through.

    ## What it does
    For ModelSerializers that take the model's fields wholesale (``"__all__"`` or
    ``exclude``), reports each model field whose name looks like a credential
    (``password``, ``secret``, ``token``, ``api_key``, ``private_key``) that the serializer
    outputs, that is, it is not ``write_only`` through ``extra_kwargs`` and the serializer
    defines no ``to_representation`` of its own (which may drop it).

    ## Why it matters
    Every field a model gains later is published by the API automatically: a credential
    added to the model leaks in responses without anyone touching the serializer.

    ## Example
    ```python
    class VendorSerializer(serializers.ModelSerializer):
        class Meta:
            model = Vendor
            fields = "__all__"  # includes api_token
    ```

    ## Fix
    List the fields explicitly, or mark the credential ``write_only`` in ``extra_kwargs``
    (or exclude it).
    """

    code = "DJS410"
    name = "sensitive-field-exposed"
    severity = "warning"
    needs_serializers = True

    VALID = [
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        exclude = ['api_token']\n\n\n"
            "class VendorWriter(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = '__all__'\n"
            "        extra_kwargs = {'api_token': {'write_only': True}}\n\n\n"
            "class VendorPopping(serializers.ModelSerializer):\n"
            "    def to_representation(self, instance):\n"
            "        data = super().to_representation(instance)\n"
            "        data.pop('api_token')\n"
            "        return data\n\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = '__all__'\n"
        ),
    ]
    INVALID = [
        serializer_case(
            "class VendorSerializer(serializers.ModelSerializer):\n"
            "    class Meta:\n"
            "        model = Vendor\n"
            "        fields = '__all__'  # expect: DJS410\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for serializer, result in project.serializers.checked():
            info = result.model
            if info is None or not result.names_certain or result.errors:
                continue
            wholesale = serializer.meta_value("fields") == "__all__" or serializer.meta_value("exclude") is not None
            if not wholesale or "to_representation" in serializer.members:
                continue  # an own to_representation may drop it (label-studio's `result.pop('password')`)
            extra = serializer.meta_value("extra_kwargs") or {}
            for name, built in result.fields.items():
                if built.origin != "model" or not SENSITIVE.search(name):
                    continue
                options = extra.get(name, {}) if isinstance(extra, dict) else {}
                if isinstance(options, dict) and options.get("write_only") is True:
                    continue
                option = "fields" if serializer.meta_value("fields") == "__all__" else "exclude"
                path, span = serializer.meta_span(option)
                yield self.finding(
                    path, span,
                    f"{serializer.name} publishes {info.key[0]}.{info.name}.{name} through `{option}`: a "
                    f"credential in API responses. List the fields explicitly or make it write_only",
                    app=info.key[0], model=info.name, field=name,
                )  # fmt: skip
