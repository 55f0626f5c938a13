"""The DRF oracle: the fields Django REST framework itself computes for each serializer.

Run in a subprocess (Django's settings are process-global):

    python tests/oracle/dump_drf_fields.py --app django.contrib.auth ... [--auth-user-model X] \
        --module myapp.serializers [--module ...]

Every class defined in a ``--module`` (``cls.__module__ == module``) that subclasses
``BaseSerializer`` (ListSerializers and classes without ``get_fields`` excluded) is
instantiated as ``cls(context={})`` and asked for ``get_fields()``. Output on stdout:

    {"<module>.<ClassName>": {
        "kind": "model" | "plain",            # "model" for ModelSerializer subclasses
        "model": "<app_label>.<ModelName>" | null,   # Meta.model, if any
        "fields": {name: {"class": <field class __name__; nested serializer's own name,
                                    "ListSerializer" for many=True>,
                          "read_only": bool, "required": bool,
                          "child": <class name of ManyRelatedField.child_relation, or of
                                    .child (ListSerializer, ListField, DictField...), else null>}}
                  | null,                     # null when instantiation/get_fields raised
        "init_fields": [name, ...] | null,    # self.fields after __init__, if __init__ touched it
        "error": null | {"type": <exception class name>, "message": str(exc)}}}

A module that fails to import gets one entry ``"<module>.<import>"`` with ``kind`` null and
the error. ``init_fields`` matters for serializers that edit ``self.fields`` in ``__init__`` (e.g.
djoser's TokenCreateSerializer): ``get_fields()`` does not see those edits.
Tracebacks go to stderr; the exit status is 0 whenever the JSON could be written.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import traceback
import types


def describe(field) -> dict:
    from rest_framework.relations import ManyRelatedField

    child = (
        field.child_relation
        if isinstance(field, ManyRelatedField)
        else getattr(field, "child", None)
    )
    return {
        "class": type(field).__name__,
        "read_only": bool(field.read_only),
        "required": bool(field.required),
        "child": None if child is None else type(child).__name__,
    }


def dump_class(cls) -> dict:
    from rest_framework import serializers

    model = getattr(getattr(cls, "Meta", None), "model", None)
    entry = {
        "kind": "model" if issubclass(cls, serializers.ModelSerializer) else "plain",
        "model": None
        if model is None
        else getattr(getattr(model, "_meta", None), "label", str(model)),
        "fields": None,
        "init_fields": None,
        "error": None,
    }
    try:
        instance = cls(context={})
        if "fields" in instance.__dict__:  # __init__ evaluated the cached ``fields`` property
            entry["init_fields"] = list(instance.__dict__["fields"])
        fields = {name: describe(field) for name, field in instance.get_fields().items()}
        instance.fields  # noqa: B018 - binding runs each field's own checks (a redundant source)
        entry["fields"] = fields
    except Exception as exc:  # noqa: BLE001 - any failure is a result
        print(f"--- {cls.__module__}.{cls.__qualname__}", file=sys.stderr)
        traceback.print_exc()
        entry["error"] = {"type": type(exc).__name__, "message": str(exc)}
    return entry


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", action="append", default=[])
    parser.add_argument("--auth-user-model", default="auth.User")
    parser.add_argument("--module", action="append", default=[])
    args = parser.parse_args()

    urls = types.ModuleType("drf_oracle_urls")
    urls.urlpatterns = []
    sys.modules[urls.__name__] = urls

    out = {}
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # keep stray prints out of the JSON
        import django
        from django.conf import settings

        settings.configure(
            INSTALLED_APPS=args.app,
            AUTH_USER_MODEL=args.auth_user_model,
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            USE_TZ=True,
            SECRET_KEY="oracle",
            STATIC_URL="/static/",
            MEDIA_URL="/media/",
            SITE_ID=1,
            ROOT_URLCONF=urls.__name__,
            REST_FRAMEWORK={},
            MIDDLEWARE=["allauth.account.middleware.AccountMiddleware"]
            if "allauth.account" in args.app
            else [],
            TEMPLATES=[
                {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
            ],
        )
        django.setup()

        from rest_framework import serializers

        for module_name in args.module:
            try:
                module = importlib.import_module(module_name)
            except Exception as exc:  # noqa: BLE001 - any failure is a result
                print(f"--- import {module_name}", file=sys.stderr)
                traceback.print_exc()
                out[f"{module_name}.<import>"] = {
                    "kind": None,
                    "model": None,
                    "fields": None,
                    "init_fields": None,
                    "error": {"type": type(exc).__name__, "message": str(exc)},
                }
                continue
            for obj in list(vars(module).values()):
                if (
                    isinstance(obj, type)
                    and obj.__module__ == module_name
                    and issubclass(obj, serializers.BaseSerializer)
                    and not issubclass(obj, serializers.ListSerializer)
                    and hasattr(obj, "get_fields")
                ):
                    out[f"{module_name}.{obj.__name__}"] = dump_class(obj)

    json.dump(out, real_stdout, indent=1)
    real_stdout.write("\n")


if __name__ == "__main__":
    main()
