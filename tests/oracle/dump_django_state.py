"""The oracle: Django's own ProjectState for a set of installed apps, as djstate's JSON shape.

Run in a subprocess (Django's settings are process-global):

    python tests/oracle/dump_django_state.py --app django.contrib.auth ... [--auth-user-model X]

It builds ``MigrationLoader(None, ignore_no_migrations=True).project_state()`` (no
database), deconstructs every field, and serialises every value with Django's own
migration serializer. The resulting source text is read back with djstate's expression
reader, so both sides are compared in one representation without hand-written
conversions here.
"""

from __future__ import annotations

import argparse
import json
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", action="append", default=[])
    parser.add_argument("--auth-user-model", default="auth.User")
    parser.add_argument("--from-models", action="store_true", help="dump ModelState.from_model instead")
    args = parser.parse_args()

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
        MIDDLEWARE=["allauth.account.middleware.AccountMiddleware"] if "allauth.account" in args.app else [],
    )
    django.setup()

    import libcst as cst
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.serializer import serializer_factory
    from libcst.metadata import MetadataWrapper, PositionProvider

    from djstate.facts.values import render
    from djstate.parse.expressions import Scope
    from djstate.state.paths import canonical_value

    from django.conf import SettingsReference

    def value_of(obj) -> str:
        if isinstance(obj, SettingsReference):  # a str whose value is the target; compare that
            obj = str.__str__(obj)
        text, imports = serializer_factory(obj).serialize()
        source = "\n".join(sorted(imports)) + f"\n__value__ = {text}\n"
        module = MetadataWrapper(cst.parse_module(source))
        scope = Scope("oracle")
        scope.collect(module.module, module.resolve(PositionProvider))
        return render(canonical_value(scope.constants["__value__"]))

    if args.from_models:  # what the models say: ModelState.from_model, as makemigrations uses
        from django.apps import apps as registry
        from django.db.migrations.state import ModelState

        models = {
            (m._meta.app_label, m._meta.model_name): ModelState.from_model(m)
            for m in registry.get_models()
            if not m._meta.auto_created
        }
    else:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        models = loader.project_state().models
    out = {}
    for (app_label, model_name), model in sorted(models.items()):
        fields = {}
        for name, field in model.fields.items():
            _, path, f_args, f_kwargs = field.deconstruct()
            entry = {"path": path, "kwargs": {k: value_of(v) for k, v in sorted(f_kwargs.items())}}
            if f_args:
                entry["args"] = [value_of(a) for a in f_args]
            fields[name] = entry
        out[f"{app_label}.{model_name}"] = {
            "app": app_label,
            "name": model.name,
            "fields": fields,
            "options": {k: value_of(v) for k, v in sorted(model.options.items())},
            "bases": [value_of(b) for b in model.bases],
            "managers": [[name, value_of(m)] for name, m in model.managers],
        }
    json.dump(
        {
            "django": django.get_version(),
            "migrated_apps": [] if args.from_models else sorted(loader.migrated_apps),
            "installed_labels": sorted(c.label for c in __import__("django.apps").apps.apps.get_app_configs()),
            "models": out,
        },
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
