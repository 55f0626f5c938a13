"""Measure third-party model fields and model bases with the real packages (run by
tools/gen_thirdparty.py inside its pinned venv; prints one JSON document on stdout).

For every model field class a package defines it binds the field to a throwaway model and
compares ``deconstruct()`` with what the nearest Django field class djstate models
(``Base.deconstruct(instance)``, the same instance seen through the Django class's rules)
writes, for no kwargs and for one common kwarg at a time. For every abstract model base it
builds a concrete child and records what ``ModelState.from_model`` gives beyond a plain model:
the fields, options and managers the base adds, and the Meta children inherit.

    python tools/thirdparty_probe.py '{"modelled": [...], "packages": {...}}'
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import json
import pkgutil
import re
import sys
import tempfile
import types
from pathlib import Path

CONFIG = json.loads(sys.argv[1])
MODELLED: list[str] = CONFIG["modelled"]  # DJANGO_FIELDS names djstate models
PACKAGES: dict[str, dict] = CONFIG["packages"]  # distribution -> {"modules": [...], "apps": [...]}
PROBE_APP = "djstate_probe"
SKIP_PARTS = {
    "tests", "test", "testing", "migrations", "management", "templatetags", "south_migrations", "locale", "admin",
    "views", "urls", "forms", "widgets", "serializers", "api", "jobs", "mongodb", "debug_toolbar",
}  # fmt: skip

root = Path(tempfile.mkdtemp(prefix="djstate-probe-"))
(root / PROBE_APP).mkdir()
(root / PROBE_APP / "__init__.py").write_text("")
(root / PROBE_APP / "models.py").write_text("")
sys.path.insert(0, str(root))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    INSTALLED_APPS=[
        "django.contrib.contenttypes", "django.contrib.auth",
        *[app for spec in PACKAGES.values() for app in spec.get("apps", [])], PROBE_APP,
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    STATIC_URL="/static/",  # wagtail's blocks read the static files storage at import
)  # fmt: skip
django.setup()

from django.db import models  # noqa: E402
from django.db.migrations.state import ModelState  # noqa: E402
from django.db.models import NOT_PROVIDED, Field  # noqa: E402
from django.utils.functional import Promise  # noqa: E402

_counter = [0]


def unique_name(prefix: str) -> str:
    _counter[0] += 1
    return f"{prefix}{_counter[0]}"


# --- values as JSON --------------------------------------------------------------------------


def encode(value):
    """A deconstructed value as tagged JSON (djstate.state.fields decodes it)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if value is NOT_PROVIDED:
        return {"ref": "django.db.models.NOT_PROVIDED"}
    if isinstance(value, enum.Enum):
        return {"ref": f"{type(value).__module__}.{type(value).__qualname__}.{value.name}"}
    if isinstance(value, Field):  # ArrayField's base_field: what a migration writes for it
        _, path, args, kwargs = value.deconstruct()
        return {"call": path, "args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in kwargs.items()}}
    if inspect.isclass(value) and issubclass(value, models.Model) and not value._meta.abstract:
        return f"{value._meta.app_label}.{value._meta.object_name}"
    if hasattr(value, "deconstruct") and not inspect.isclass(value):
        try:
            path, args, kwargs = value.deconstruct()
            return {"call": path, "args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in kwargs.items()}}
        except Exception:  # noqa: BLE001
            pass
    if inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
        return {"ref": f"{value.__module__}.{value.__qualname__}"}
    if hasattr(value, "__qualname__") and hasattr(value, "__module__"):
        return {"ref": f"{value.__module__}.{value.__qualname__}"}
    try:  # what a migration writes for it (a package may register its own serializer)
        from django.db.migrations.serializer import serializer_factory

        code = serializer_factory(value).serialize()[0]
        if re.fullmatch(r"[A-Za-z_][\w.]*", code) and "." in code:
            return {"ref": code}
    except Exception:  # noqa: BLE001
        pass
    return {"opaque": re.sub(r" at 0x[0-9a-f]+", "", repr(value))[:200]}


# --- discovery -------------------------------------------------------------------------------


def import_package(top: str) -> list[types.ModuleType]:
    out = []
    try:
        package = importlib.import_module(top)
    except Exception as exc:  # noqa: BLE001
        print(f"cannot import {top}: {exc}", file=sys.stderr)
        return out
    out.append(package)
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), prefix=f"{top}."):
        if set(info.name.split(".")) & SKIP_PARTS:
            continue
        try:
            out.append(importlib.import_module(info.name))
        except Exception as exc:  # noqa: BLE001  (optional dependencies of a package)
            print(f"skip {info.name}: {type(exc).__name__}: {str(exc)[:100]}", file=sys.stderr)
    return out


def import_paths(cls, modules: list[types.ModuleType]) -> list[str]:
    """Every ``module.Name`` under which the class can be imported."""
    out = {f"{cls.__module__}.{cls.__qualname__}"}
    for module in modules:
        for name, value in vars(module).items():
            if value is cls and not name.startswith("_"):
                out.add(f"{module.__name__}.{name}")
    return sorted(out)


def django_base(cls):
    """The nearest class in the MRO that djstate models (``django.db.models.<Name>``)."""
    for base in cls.__mro__:
        if base.__module__.startswith("django.") and base.__name__ in MODELLED:
            if getattr(models, base.__name__, None) is base:
                return base
    return None


# --- fields ----------------------------------------------------------------------------------

COMMON = [
    ("null", True), ("blank", True), ("default", "x"), ("default", 0), ("help_text", "help"), ("verbose_name", "label"),
    ("db_index", True), ("unique", True), ("editable", False), ("db_column", "col"), ("max_length", 77),
    ("db_comment", "note"), ("choices", [("a", "A"), ("b", "B")]), ("primary_key", True),
    ("related_name", "rel_x"), ("related_query_name", "rq_x"), ("on_delete", models.PROTECT),
    ("db_constraint", False), ("max_digits", 12), ("decimal_places", 3), ("auto_now", True),
    ("auto_now_add", True), ("db_default", "x"), ("unique_for_date", "name"),
]  # fmt: skip
COMMON_KEYS = {k for k, _ in COMMON}
STATUS_A = [("draft", "draft"), ("published", "published")]
STATUS_B = [("one", "one"), ("two", "two")]


class Target(models.Model):
    name = models.CharField(max_length=10)

    class Meta:
        app_label = PROBE_APP


REQUIRED_CANDIDATES = [
    {},
    {"base_field": models.IntegerField()},  # contrib.postgres's ArrayField
    {"to": f"{PROBE_APP}.Target"},
    {"to": f"{PROBE_APP}.Target", "on_delete": models.CASCADE},
    {"length": 8},
    {"monitor": "name"},
    {"populate_from": "name"},
    {"max_digits": 10, "decimal_places": 2},
    {"max_length": 10},
]


FIELD = "probed"


def bind(cls, kwargs: dict, status=STATUS_A, name: str = FIELD):
    """A model holding ``name = cls(**kwargs)``; returns (model, bound field)."""
    attrs = {
        "__module__": f"{PROBE_APP}.models", "name": models.CharField(max_length=10),
        "STATUS": status, name: cls(**kwargs), "Meta": type("Meta", (), {"app_label": PROBE_APP}),
    }  # fmt: skip
    model = type(unique_name("Holder"), (models.Model,), attrs)
    return model, model._meta.get_field(name)


def deconstructed(field) -> tuple[str, list, dict]:
    _, path, args, kwargs = field.deconstruct()
    return path, list(args), dict(kwargs)


def lens(base, field) -> dict | None:
    """What the Django base class's deconstruct writes for this instance."""
    try:
        return dict(base.deconstruct(field)[3])
    except Exception:  # noqa: BLE001
        return None


def added_fields(model, field_name: str = FIELD) -> list:
    """Fields ``contribute_to_class`` added beside the field (djmoney's currency)."""
    state = ModelState.from_model(model)
    out = []
    for name, field in state.fields.items():
        if name in ("id", "name", field_name):
            continue
        path, args, kwargs = deconstructed(field)
        out.append([name.replace(field_name, "{name}"), path, encode(kwargs)])
    return out


def signature_params(cls, base) -> tuple[list | None, dict, set[str]]:
    """(positional parameters or None to inherit, own keyword parameters with defaults,
    every parameter name of the Django base's __init__ chain)."""
    base_names: set[str] = set()
    for klass in base.__mro__:
        if "__init__" in vars(klass):
            base_names |= set(inspect.signature(klass.__init__).parameters)
    own: dict = {}
    params: list | None = None
    for klass in cls.__mro__:
        if klass is base:
            break
        if "__init__" not in vars(klass):
            continue
        sig = inspect.signature(klass.__init__)
        names = list(sig.parameters.values())[1:]
        if params is None:
            positional = [p.name for p in names if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            var = any(p.kind == p.VAR_POSITIONAL for p in names)
            params = positional + (["*"] if var else [])
        for p in names:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in base_names or p.name in own:
                continue
            own[p.name] = p.default if p.default is not p.empty else NOT_PROVIDED
        for name, default in _popped_kwargs(klass.__init__):  # kwargs.pop("features", None)
            if name not in base_names and name not in own:
                own[name] = default
    return params, own, base_names - {"self", "args", "kwargs"}


_POP = re.compile(r"kwargs\.pop\(\s*[\"'](\w+)[\"']\s*(?:,\s*([^()]*?))?\)")


def _popped_kwargs(function) -> list[tuple[str, object]]:
    """Keyword arguments an ``__init__(self, *args, **kwargs)`` takes out of ``kwargs``."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return []
    out = []
    for name, default in _POP.findall(source):
        try:
            value = ast.literal_eval(default) if default else NOT_PROVIDED
        except (ValueError, SyntaxError):
            value = NOT_PROVIDED
        out.append((name, value))
    return out


def alternative(value):
    """Another valid value of a parameter's kind: a model label names a new concrete model built
    on the same abstract bases (a tag manager's through model), a class a new subclass of it, a
    field another field class."""
    if isinstance(value, str) and value.count(".") == 1:
        try:
            from django.apps import apps

            model = apps.get_model(value)
        except (LookupError, ValueError):
            model = None
        if model is not None:
            bases = tuple(b for b in model.__bases__ if getattr(getattr(b, "_meta", None), "abstract", False))
            if bases:
                attrs = {"__module__": f"{PROBE_APP}.models", "Meta": type("Meta", (), {"app_label": PROBE_APP})}
                child = type(unique_name("Probe" + model.__name__), bases, attrs)
                return child._meta.label
    if isinstance(value, Field):
        return models.CharField(max_length=10) if not isinstance(value, models.CharField) else models.IntegerField()
    if inspect.isclass(value) and not issubclass(value, (Field, models.Model)):
        return type(unique_name("Probe" + value.__name__), (value,), {"__module__": f"{PROBE_APP}.models"})
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 7
    if isinstance(value, str) and value:
        return value + "_x"
    return None


def probe_field(cls, modules) -> dict:
    base = django_base(cls)
    entry: dict = {"imports": import_paths(cls, modules), "django_base": base.__name__ if base else None}
    entry["relation"] = bool(getattr(cls, "is_relation", False)) or any(
        b.__name__ in ("ForeignKey", "ManyToManyField", "OneToOneField", "RelatedField") for b in cls.__mro__
    )
    required = None
    for candidate in REQUIRED_CANDIDATES:
        try:
            model, field = bind(cls, dict(candidate))
            deconstructed(field)
        except Exception:  # noqa: BLE001
            continue
        required = candidate
        break
    if required is None:
        entry["error"] = "cannot be constructed and bound with the probe's kwargs"
        return entry
    path, args, out = deconstructed(field)
    entry["written_path"] = path
    entry["many_to_many"] = bool(field.many_to_many)
    entry["column"] = field.column is not None and not field.many_to_many and field.concrete
    entry["required"] = {k: encode(v) for k, v in required.items()}
    entry["added_fields"] = added_fields(model)
    # the field's deconstruct depends on the model it is bound to (StatusField reads STATUS)
    other_model, other = bind(cls, dict(required), status=STATUS_B)
    entry["model_dependent"] = encode(deconstructed(other)) != encode(deconstructed(field)) or added_fields(other_model) != entry["added_fields"]
    if base is None:
        return entry
    params, own, base_names = signature_params(cls, base)
    entry["params"] = params
    between = cls.__mro__[: cls.__mro__.index(base)]
    entry["own_rules"] = any("__init__" in vars(k) or "deconstruct" in vars(k) for k in between)
    # the Django base's view of the default instance, against the base's own default instance
    filler = {k: (models.DO_NOTHING if k == "on_delete" else v) for k, v in required.items() if k in base_names}
    if base.__name__ in ("ForeignKey", "OneToOneField") and "on_delete" not in filler:
        filler["on_delete"] = models.DO_NOTHING
    if base.__name__ in ("ForeignKey", "OneToOneField", "ManyToManyField") and "to" not in filler:
        filler["to"] = f"{PROBE_APP}.Target"
    try:
        _, plain = bind(base, filler)
        base_view = lens(base, plain)
    except Exception as exc:  # noqa: BLE001
        entry["error"] = f"Django base {base.__name__} cannot be built: {exc}"
        return entry
    seen = lens(base, field) or {}
    setdefault = {k: v for k, v in seen.items() if k not in required and (k not in base_view or base_view[k] != v)}
    force = {}
    for key, value in list(setdefault.items()):
        alt = alternative(value)
        if alt is None:
            continue
        try:
            _, changed = bind(cls, {**required, key: alt})
        except Exception:  # noqa: BLE001
            continue
        if (lens(base, changed) or {}).get(key) == value:  # the given value did not win
            force[key] = setdefault.pop(key)
    cases = [{"kwargs": dict(required), "args": []}]
    for key, value in COMMON:
        if key not in required and (key in base_names or key in own):
            cases.append({"kwargs": {**required, key: value}, "args": [], "fallback": key == "default" and value == 0})
    for key, value in required.items():
        if key in own and alternative(value) is not None:  # a second base_field
            cases.append({"kwargs": {**required, key: alternative(value)}, "args": []})
    for key, default in own.items():
        if key in required:
            continue
        values = [default, alternative(default)] if default not in (None, NOT_PROVIDED) else ["x", ["x"], 3]
        if default in (None, NOT_PROVIDED) and key in out and alternative(out[key]) is not None:
            values.append(alternative(out[key]))  # through=None writes "taggit.TaggedItem": another model
        for value in values:
            if value is None or value is NOT_PROVIDED:
                continue  # the same as not giving it
            cases.append({"kwargs": {**required, key: value}, "args": []})
    measured = []
    changes_added: set[str] = set()
    for case in cases:
        if case.pop("fallback", False) and any("default" in c["kwargs"] for c, _, _ in measured):
            continue  # default="x" was accepted: no second try
        try:
            _, bound = bind(cls, dict(case["kwargs"]))
            result = deconstructed(bound)
        except Exception as exc:  # noqa: BLE001  (the kwarg does not apply to this class)
            print(f"  {cls.__name__}({case['kwargs']}): {type(exc).__name__}: {str(exc)[:80]}", file=sys.stderr)
            continue
        view = lens(base, bound)
        measured.append((case, result, view))
        if added_fields(bound.model) != entry["added_fields"]:
            changes_added.update(k for k in case["kwargs"] if k not in required)
    drop, drop_if, add, own_written = _written_rules(measured, own, required)
    entry["added_fields_depend_on"] = sorted(changes_added)
    entry.update(
        setdefault={k: encode(v) for k, v in sorted(setdefault.items())},
        force={k: encode(v) for k, v in sorted(force.items())},
        drop=sorted(drop),
        drop_if={k: encode(v) for k, v in sorted(drop_if.items())},
        add={k: encode(v) for k, v in sorted(add.items())},
        own={k: {"default": encode(v["default"]), "written": v["written"], "any_value": v["any_value"]}
             for k, v in sorted(own_written.items())},
        cases=[
            {"kwargs": {k: encode(v) for k, v in case["kwargs"].items()}, "path": result[0],
             "args": encode(result[1]), "deconstruct": {k: encode(v) for k, v in result[2].items()}}
            for case, result, _ in measured
        ],
    )  # fmt: skip
    # round trip: the migration's kwargs build the same field again (what the migrations side sees)
    trips = []
    for case, result, _ in measured:
        try:
            again = deconstructed(cls(*result[1], **result[2]))
        except Exception:  # noqa: BLE001
            trips.append(False)
            continue
        trips.append(again[2] == result[2])
    entry["round_trip"] = all(trips)
    return entry


def _written_rules(measured, own: dict, required: dict):
    """From the cases: keys the class's deconstruct drops from, or adds to, its Django base's."""
    dropped: dict[str, list] = {}
    kept: dict[str, list] = {}
    added: dict[str, list] = {}
    own_written: dict[str, dict] = {}
    for case, (_, _, out), view in measured:
        if view is None:
            continue
        for key, value in view.items():
            (kept if key in out else dropped).setdefault(key, []).append(value)
        for key, value in out.items():
            if key in own:
                continue
            if key not in view or view[key] != value:
                added.setdefault(key, []).append(value)
    drop = {k for k in dropped if k not in kept}
    # dropped only at one value (timezone_field drops max_length=63, its default)
    drop_if = {
        k: v[0] for k, v in dropped.items()
        if k in kept and all(x == v[0] for x in v) and v[0] not in kept[k]
    }  # fmt: skip
    add = {}
    for key, values in added.items():
        if all(v == values[0] for v in values) and len(values) == len(measured):
            add[key] = values[0]
    default_out = measured[0][1][2] if measured else {}
    for key, default in own.items():
        if key in default_out:
            own_written[key] = {"default": default_out[key], "written": "always"}
        given = [out for case, (_, _, out), _ in measured if key in case["kwargs"] and case["kwargs"][key] != default]
        if key in default_out:
            own_written[key]["any_value"] = bool(given)
            continue
        if given and all(key in out for out in given):
            own_written[key] = {"default": default, "written": "unless-default"}
        elif given and not any(key in out for out in given):
            own_written[key] = {"default": default, "written": "never"}
        else:
            own_written[key] = {"default": default, "written": "never" if not given else "unknown"}
        own_written[key]["any_value"] = bool(given)
    return drop, drop_if, add, own_written


# --- bases -----------------------------------------------------------------------------------


def child_of(base, status=STATUS_A, extra=None):
    attrs = {
        "__module__": f"{PROBE_APP}.models", "STATUS": status,
        "Meta": type("Meta", (), {"app_label": PROBE_APP}), **(extra or {}),
    }  # fmt: skip
    return type(unique_name("Child"), (base,), attrs)


def state_of(model) -> dict:
    state = ModelState.from_model(model)
    fields = []
    for name, field in state.fields.items():
        path, args, kwargs = deconstructed(field)
        fields.append([name, path, encode(kwargs)])
    return {
        "fields": fields,
        "options": {k: encode(v) for k, v in sorted(state.options.items())},
        "bases": [b if isinstance(b, str) else f"{b.__module__}.{b.__qualname__}" for b in state.bases],
        "managers": [[n, type(m).__module__ + "." + type(m).__qualname__, bool(getattr(m, "use_in_migrations", False))]
                     for n, m in state.managers],
    }  # fmt: skip


def probe_base(base, modules) -> dict:
    entry: dict = {"imports": import_paths(base, modules)}
    meta = getattr(base, "Meta", None)
    entry["meta"] = {k: encode(v) for k, v in sorted(vars(meta).items()) if not k.startswith("_")} if meta else {}
    entry["managers"] = [
        [m.name, type(m).__module__ + "." + type(m).__qualname__, bool(getattr(m, "use_in_migrations", False))]
        for m in base._meta.local_managers
    ]
    try:
        child = child_of(base)
        other = child_of(base, status=STATUS_B)
        plain = state_of(child_of(models.Model))
        measured = state_of(child)
    except Exception as exc:  # noqa: BLE001
        entry["error"] = f"a concrete child cannot be built: {type(exc).__name__}: {str(exc)[:120]}"
        return entry
    entry["model_dependent"] = state_of(other)["fields"] != measured["fields"]
    plain_fields = [f for f in plain["fields"]]
    entry["fields"] = [f for f in measured["fields"] if f not in plain_fields]
    entry["keeps_auto_id"] = any(f[0] == "id" for f in measured["fields"]) and any(f[0] == "id" for f in plain_fields)
    entry["options"] = {k: v for k, v in measured["options"].items() if plain["options"].get(k) != v}
    # a nested options class the base's metaclass reads (django-mptt's MPTTMeta renames its fields)
    for options_class in ("MPTTMeta",):
        try:
            renamed = child_of(base, extra={options_class: type(options_class, (), {"left_attr": "zz_left"})})
            if state_of(renamed)["fields"] != measured["fields"]:
                entry["options_class"] = options_class
        except Exception:  # noqa: BLE001
            pass
    entry["state_bases"] = measured["bases"]
    entry["state_managers"] = measured["managers"]
    return entry


def probe_translated_fields(value, modules) -> dict:
    """django-parler's TranslatedFields: what its contribute_to_class gives the model class
    (names ``hasattr`` then finds, measured against the same model without it) and the model it
    creates, with the attribute's and a translated field's names as placeholders."""
    from django.apps import apps
    from parler.models import TranslatableModel

    entry: dict = {"imports": import_paths(value, modules)}
    plain = child_of(TranslatableModel)
    before = {m._meta.label for m in apps.get_models()}
    model = child_of(TranslatableModel, extra={"zz_attribute": value(zz_field=models.CharField(max_length=10))})
    created = sorted({m._meta.label for m in apps.get_models()} - before - {model._meta.label})
    names = sorted(set(dir(model)) - set(dir(plain)))
    placeholders = {"zz_attribute": "{attribute}", "zz_field": "{field}"}
    entry["adds_names"] = sorted(placeholders.get(n, n) for n in names)
    entry["adds_models"] = [label.split(".", 1)[1].replace(model.__name__, "{model}", 1) for label in created]
    entry["same_app"] = all(label.split(".", 1)[0] == model._meta.app_label for label in created)
    entry["not_fields"] = ["meta"]  # TranslatedFields(meta=None, **fields): Meta of the created model
    return entry


def _parameters(function) -> list:
    """[name, kind, default or None, required] of each parameter but ``self``."""
    out = []
    for param in list(inspect.signature(function).parameters.values())[1:]:
        required = param.default is inspect.Parameter.empty
        out.append([param.name, param.kind.name, None if required else encode(param.default), required])
    return out


def probe_hierarkey(value, modules) -> dict:
    """django-hierarkey's ``Hierarkey(attribute_name).add(...)``, a class decorator: the names
    it gives a model class (``dir`` against the same model undecorated, for each of add()'s
    keyword arguments), which of them are reverse accessors, the fields ``ModelState.from_model``
    sees on it, and the models it creates; the attribute's name is the placeholder."""
    from django.apps import apps

    entry: dict = {"imports": import_paths(value, modules), "method": "add"}
    entry["init_params"] = _parameters(value.__init__)
    entry["method_params"] = _parameters(value.add)
    instance = value(attribute_name="zz_attribute")
    placeholders = {"zz_attribute": "{attribute_name}", "Zz_Attribute": "{attribute_name_title}"}

    def templated(text: str, model_name: str) -> str:
        for old, new in placeholders.items():
            text = text.replace(old, new)
        return text.replace(model_name, "{model}")

    variants = {"": {}, "cache_namespace": {"cache_namespace": "zz_namespace"}, "parent_field": {"parent_field": "id"}}
    measured = {}
    for label, kwargs in variants.items():
        plain = child_of(models.Model)
        before = {m._meta.label for m in apps.get_models()}
        model = instance.add(**kwargs)(child_of(models.Model))
        created = sorted({m._meta.label for m in apps.get_models()} - before - {model._meta.label})
        reverse = sorted([r.get_accessor_name(), r.one_to_many or r.many_to_many]
                         for r in model._meta.related_objects)  # fmt: skip
        measured[label] = {
            "adds_names": sorted(templated(n, model.__name__) for n in set(dir(model)) - set(dir(plain))),
            "reverse": [[templated(n, model.__name__), many] for n, many in reverse],
            "adds_fields": [f for f in state_of(model)["fields"] if f not in state_of(plain)["fields"]],
            "adds_models": [templated(label.split(".", 1)[1], model.__name__) for label in created],
            "same_app": all(label.split(".", 1)[0] == model._meta.app_label for label in created),
        }
    entry.update(measured[""])
    # add()'s keyword arguments that give the same names (and models) as add() alone
    entry["same_with"] = sorted(k for k in variants if k and measured[k] == measured[""])
    return entry


def main() -> None:
    fields: dict = {}
    bases: dict = {}
    concrete: dict = {}
    others: dict = {}
    decorators: dict = {}
    for dist, spec in sorted(PACKAGES.items()):
        modules = [m for top in spec["modules"] for m in import_package(top)]
        tops = tuple(spec["modules"])
        seen = set()
        for module in modules:
            for value in list(vars(module).values()):
                if not isinstance(value, type) or value in seen or not value.__module__.startswith(tops):
                    continue
                if value.__module__.split(".")[0] not in {t.split(".")[0] for t in tops}:
                    continue
                seen.add(value)
                own_path = f"{value.__module__}.{value.__qualname__}"
                if issubclass(value, Field):
                    print(f"field {own_path}", file=sys.stderr)
                    entry = probe_field(value, modules)
                    entry["package"] = dist
                    fields[entry.get("written_path", own_path)] = entry
                elif issubclass(value, models.Model) and value._meta.abstract:
                    print(f"base {own_path}", file=sys.stderr)
                    entry = probe_base(value, modules)
                    entry["package"] = dist
                    bases[own_path] = entry
                elif issubclass(value, models.Model) and not value._meta.auto_created:
                    concrete[own_path] = {"package": dist, "label": value._meta.label_lower, "imports": import_paths(value, modules)}
                elif dist == "django-parler" and value.__name__ == "TranslatedFields":
                    others[own_path] = {"package": dist, **probe_translated_fields(value, modules)}
                elif dist == "django-hierarkey" and value.__name__ == "Hierarkey":
                    decorators[own_path] = {"package": dist, **probe_hierarkey(value, modules)}
                elif dist == "django-simple-history" and value.__name__ == "HistoricalRecords":
                    others[own_path] = {
                        "package": dist, "imports": import_paths(value, modules),
                        "adds_model": "Historical{model}",
                        "note": "contribute_to_class creates a model Historical<Model> in the model's app",
                    }  # fmt: skip
    versions = {}
    from importlib import metadata

    for dist in PACKAGES:
        versions[dist] = metadata.version(dist)
    versions["django"] = django.get_version()
    print(json.dumps({"versions": versions, "fields": fields, "bases": bases, "models": concrete, "others": others,
                      "decorators": decorators}, sort_keys=True))


main()
