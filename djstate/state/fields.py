"""What ``Field.deconstruct()`` returns for a field constructed from source, without Django.

Each Django field class is described by its positional parameters, what its ``__init__``
forces or defaults, and what its ``deconstruct`` adds or drops. The rules mirror Django's
``django/db/models/fields`` and are checked against Django by the oracle tests. A described
third-party class (``djstate.state.thirdparty_descriptions``) follows its Django base's rules as
changed by its measured description.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

from djstate.facts.values import Call, Opaque, Ref, is_known, render
from djstate.state.stream_field import STREAM_FIELD, deconstruct_stream_field
from djstate.state.thirdparty_descriptions import ThirdPartyField, third_party_field

NOT_PROVIDED = Ref("django.db.models.NOT_PROVIDED")
DEFAULT_STORAGE = Ref("django.core.files.storage.default_storage")

FIELD_PARAMS = (
    "verbose_name", "name", "primary_key", "max_length", "unique", "blank", "null", "db_index",
    "rel", "default", "editable", "serialize", "unique_for_date", "unique_for_month",
    "unique_for_year", "choices", "help_text", "db_column", "db_tablespace", "auto_created",
    "validators", "error_messages", "db_comment", "db_default",
)  # fmt: skip

# Field.deconstruct's "possibles": a kwarg is dropped when it is this default.
BASE_DEFAULTS: dict[str, Any] = {
    "verbose_name": None, "primary_key": False, "max_length": None, "unique": False,
    "blank": False, "null": False, "db_index": False, "default": NOT_PROVIDED,
    "db_default": NOT_PROVIDED, "editable": True, "serialize": True, "unique_for_date": None,
    "unique_for_month": None, "unique_for_year": None, "choices": None, "help_text": "",
    "db_column": None, "db_comment": None, "db_tablespace": None, "auto_created": False,
    "validators": [], "error_messages": None,
}  # fmt: skip


@dataclass(frozen=True)
class FieldClass:
    """How one field class builds and deconstructs its kwargs."""

    base: str | None
    params: tuple[str, ...] | None = None  # positional parameters; None: inherit
    setdefault: dict[str, Any] = field(default_factory=dict)  # kwargs.setdefault in __init__
    force: dict[str, Any] = field(default_factory=dict)  # kwargs[...] = in __init__
    # extra constructor kwargs that deconstruct emits unless equal to this default
    extra: dict[str, Any] = field(default_factory=dict)
    post: Callable[[dict, dict], None] | None = None  # deconstruct hook (attrs, kwargs)


def _date_post(attrs: dict, kwargs: dict) -> None:
    if attrs.get("auto_now") or attrs.get("auto_now_add"):
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)


def _drop_max_length(value: int) -> Callable[[dict, dict], None]:
    def post(attrs: dict, kwargs: dict) -> None:
        if kwargs.get("max_length") == value:
            del kwargs["max_length"]

    return post


def _drop(*keys: str) -> Callable[[dict, dict], None]:
    def post(attrs: dict, kwargs: dict) -> None:
        for key in keys:
            kwargs.pop(key, None)

    return post


def _slug_post(attrs: dict, kwargs: dict) -> None:
    if kwargs.get("max_length") == 50:
        del kwargs["max_length"]
    if attrs.get("db_index") is False:
        kwargs["db_index"] = False
    else:
        kwargs.pop("db_index", None)


def _auto_post(attrs: dict, kwargs: dict) -> None:
    kwargs.pop("blank", None)
    kwargs["primary_key"] = True


def _binary_post(attrs: dict, kwargs: dict) -> None:
    if attrs.get("editable"):
        kwargs["editable"] = True
    else:
        kwargs.pop("editable", None)


def _file_post(attrs: dict, kwargs: dict) -> None:
    if kwargs.get("max_length") == 100:
        del kwargs["max_length"]
    kwargs["upload_to"] = attrs.get("upload_to", "")
    if attrs.get("storage") == DEFAULT_STORAGE:
        kwargs.pop("storage", None)  # `storage is not default_storage`: the default is not written


def _generated_post(attrs: dict, kwargs: dict) -> None:
    kwargs.pop("blank", None)
    kwargs.pop("editable", None)
    for key in ("db_persist", "expression", "output_field"):
        kwargs[key] = attrs.get(key)


def _foreign_key_post(attrs: dict, kwargs: dict) -> None:
    _relation_post(attrs, kwargs)
    kwargs["on_delete"] = attrs.get("on_delete")
    if attrs.get("parent_link"):
        kwargs["parent_link"] = attrs["parent_link"]
    if attrs.get("db_index"):
        kwargs.pop("db_index", None)
    else:
        kwargs["db_index"] = False
    if attrs.get("db_constraint", True) is not True:
        kwargs["db_constraint"] = attrs["db_constraint"]
    if attrs.get("to_field"):
        kwargs["to_field"] = attrs["to_field"]


def _one_to_one_post(attrs: dict, kwargs: dict) -> None:
    _foreign_key_post(attrs, kwargs)
    kwargs.pop("unique", None)


def _many_to_many_post(attrs: dict, kwargs: dict) -> None:
    _relation_post(attrs, kwargs)
    if attrs.get("db_table") is not None:
        kwargs["db_table"] = attrs["db_table"]
    if attrs.get("db_constraint", True) is not True:
        kwargs["db_constraint"] = attrs["db_constraint"]
    if attrs.get("through") is not None:
        kwargs["through"] = attrs["through"]
    if attrs.get("through_fields"):
        kwargs["through_fields"] = attrs["through_fields"]


def _relation_post(attrs: dict, kwargs: dict) -> None:
    if attrs.get("limit_choices_to"):
        kwargs["limit_choices_to"] = attrs["limit_choices_to"]
    for key in ("related_name", "related_query_name"):
        if attrs.get(key) is not None:
            kwargs[key] = attrs[key]
    kwargs["to"] = relation_target_text(attrs.get("to"))


def relation_target_text(to: Any) -> Any:
    """``to`` as deconstruct writes it: ``app_label.modelname`` with the model lowercased."""
    if isinstance(to, str):
        if "." in to:
            app_label, model_name = to.split(".", 1)
            return f"{app_label}.{model_name.lower()}"
        return to.lower()
    return to


_TIME_PARAMS = ("verbose_name", "name", "auto_now", "auto_now_add")

DJANGO_FIELDS: dict[str, FieldClass] = {
    "Field": FieldClass(base=None, params=FIELD_PARAMS),
    "BooleanField": FieldClass("Field"),
    "NullBooleanField": FieldClass("BooleanField", force={"null": True, "blank": True}, post=_drop("null", "blank")),
    "CharField": FieldClass("Field", extra={"db_collation": None}),
    "CommaSeparatedIntegerField": FieldClass("CharField"),
    "EmailField": FieldClass("CharField", setdefault={"max_length": 254}),
    "SlugField": FieldClass(
        "CharField", setdefault={"max_length": 50, "db_index": True},
        extra={"allow_unicode": False}, post=_slug_post,
    ),
    "URLField": FieldClass(
        "CharField", params=("verbose_name", "name"), setdefault={"max_length": 200},
        post=_drop_max_length(200),
    ),
    "TextField": FieldClass("Field", extra={"db_collation": None}),
    "DateField": FieldClass(
        "Field", params=_TIME_PARAMS, extra={"auto_now": False, "auto_now_add": False},
        post=_date_post,
    ),
    "DateTimeField": FieldClass("DateField"),
    "TimeField": FieldClass(
        "Field", params=_TIME_PARAMS, extra={"auto_now": False, "auto_now_add": False},
        post=_date_post,
    ),
    "DecimalField": FieldClass(
        "Field", params=("verbose_name", "name", "max_digits", "decimal_places"),
        extra={"max_digits": None, "decimal_places": None},
    ),
    "DurationField": FieldClass("Field"),
    "FloatField": FieldClass("Field"),
    "IntegerField": FieldClass("Field"),
    "BigIntegerField": FieldClass("IntegerField"),
    "SmallIntegerField": FieldClass("IntegerField"),
    "PositiveIntegerField": FieldClass("IntegerField"),
    "PositiveBigIntegerField": FieldClass("BigIntegerField"),
    "PositiveSmallIntegerField": FieldClass("SmallIntegerField"),
    "IPAddressField": FieldClass("Field", force={"max_length": 15}, post=_drop("max_length")),
    "GenericIPAddressField": FieldClass(
        "Field", params=("verbose_name", "name", "protocol", "unpack_ipv4"),
        force={"max_length": 39}, extra={"unpack_ipv4": False, "protocol": "both"},
        post=_drop_max_length(39),
    ),
    "FilePathField": FieldClass(
        "Field",
        params=("verbose_name", "name", "path", "match", "recursive", "allow_files", "allow_folders"),
        setdefault={"max_length": 100},
        extra={"path": "", "match": None, "recursive": False, "allow_files": True, "allow_folders": False},
        post=_drop_max_length(100),
    ),
    "BinaryField": FieldClass("Field", setdefault={"editable": False}, post=_binary_post),
    "UUIDField": FieldClass(
        "Field", params=("verbose_name",), force={"max_length": 32}, post=_drop("max_length"),
    ),
    "AutoField": FieldClass("IntegerField", force={"blank": True}, post=_auto_post),
    "BigAutoField": FieldClass("BigIntegerField", force={"blank": True}, post=_auto_post),
    "SmallAutoField": FieldClass("SmallIntegerField", force={"blank": True}, post=_auto_post),
    "FileField": FieldClass(
        "Field", params=("verbose_name", "name", "upload_to", "storage"),
        setdefault={"max_length": 100}, extra={"storage": None}, post=_file_post,
    ),
    "ImageField": FieldClass(
        "FileField", params=("verbose_name", "name", "width_field", "height_field"),
        extra={"width_field": None, "height_field": None},
    ),
    "JSONField": FieldClass(
        "Field", params=("verbose_name", "name", "encoder", "decoder"),
        extra={"encoder": None, "decoder": None},
    ),
    "GeneratedField": FieldClass(
        "Field", params=(), force={"editable": False, "blank": True}, post=_generated_post,
    ),
    "ForeignKey": FieldClass(
        "Field",
        params=("to", "on_delete", "related_name", "related_query_name", "limit_choices_to",
                "parent_link", "to_field", "db_constraint"),
        setdefault={"db_index": True}, post=_foreign_key_post,
    ),
    "OneToOneField": FieldClass(
        "ForeignKey", params=("to", "on_delete", "to_field"), force={"unique": True},
        post=_one_to_one_post,
    ),
    "ManyToManyField": FieldClass(
        "Field",
        params=("to", "related_name", "related_query_name", "limit_choices_to", "symmetrical",
                "through", "through_fields", "db_constraint", "db_table", "swappable"),
        post=_many_to_many_post,
    ),
    "CompositePrimaryKey": FieldClass(
        "Field", params=(), setdefault={"editable": False, "primary_key": True, "blank": True},
    ),
}  # fmt: skip


def django_field_name(path: str) -> str | None:
    """The Django class name for a canonical field path, e.g. ``django.db.models.CharField``."""
    module, _, name = path.rpartition(".")
    if module == "django.db.models" and name in DJANGO_FIELDS:
        return name
    return None


@lru_cache(maxsize=1)
def shipped_fields() -> dict[str, dict]:
    """Every field class Django ships, by written path (``tools/gen_django_paths.py``):
    ``bases`` (written paths, nearest first), ``own_rules`` (the class defines ``__init__`` or
    ``deconstruct``) and ``private`` (``ModelState.from_model`` leaves it out)."""
    text = resources.files("djstate.data").joinpath("django_paths.json").read_text()
    return json.loads(text).get("fields", {})


def shipped_rules(path: str) -> tuple[str | None, bool]:
    """For a field class Django ships: the modelled class whose deconstruct rules it follows,
    and whether exactly (no class between them defines ``__init__`` or ``deconstruct``)."""
    table = shipped_fields()
    if path not in table:
        return None, False
    exact = True
    for p in [path, *table[path]["bases"]]:
        name = django_field_name(p)
        if name is not None:
            return name, exact
        exact = exact and not table.get(p, {}).get("own_rules", True)
    return None, False


def mro(name: str) -> list[str]:
    chain = []
    current: str | None = name
    while current is not None:
        chain.append(current)
        current = DJANGO_FIELDS[current].base
    return chain


@dataclass
class FieldState:
    """A field as deconstruct describes it."""

    path: str
    kwargs: dict[str, Any]
    args: tuple = ()
    known: bool = True  # djstate models this class's deconstruct exactly
    origin: tuple | None = None  # (migration key, Span) of the operation that defined it
    certain: bool = True  # False: the field itself may differ (a class chosen by settings)
    # a models-side relation: its target's primary key name (None: unknown or no relation)
    target_pk: str | None = None
    # its `to` is a swappable model's default (swapper.get_model_name): settings may swap it
    swappable_to: bool = False
    # that default ("app.Model") when `to` itself is swapper.get_model_name(...): both sides
    # naming the same swappable model this way follow the same setting
    swapper_to: str | None = None


def deconstruct(path: str, args: tuple, kwargs: dict[str, Any]) -> FieldState:
    """Emulate ``FieldClass(*args, **kwargs).deconstruct()`` for a canonical class path."""
    if path == STREAM_FIELD:  # wagtail's: Field's kwargs, its blocks an unknown leaf
        return deconstruct_stream_field(args, kwargs)
    name = django_field_name(path)
    if name is None and third_party_field(path) is not None:
        return _deconstruct_third_party(third_party_field(path), args, kwargs)
    if name is None:
        name, exact = shipped_rules(path)  # SearchVectorField, HStoreField, ArrayField, ...
        if name is None or not exact:
            return FieldState(path, _normalise_unknown(kwargs), tuple(args), known=False)
        state = deconstruct(f"django.db.models.{name}", args, kwargs)
        state.path = path
        return state
    chain = mro(name)
    params = next(DJANGO_FIELDS[c].params for c in chain if DJANGO_FIELDS[c].params is not None)
    if name == "CompositePrimaryKey":
        params = ()
    attrs: dict[str, Any] = {}
    extra_args = tuple(args[len(params) :]) if name == "CompositePrimaryKey" else ()
    for param, value in zip(params, args):
        attrs[param] = value
    attrs.update(kwargs)
    # __init__ runs from the most derived class down: a subclass's setdefault wins.
    for cls in chain:
        spec = DJANGO_FIELDS[cls]
        for key, value in spec.setdefault.items():
            attrs.setdefault(key, value)
        attrs.update(spec.force)
    if "choices" in attrs:
        attrs["choices"] = normalize_choices(attrs["choices"])
    out: dict[str, Any] = {}
    for key, default in BASE_DEFAULTS.items():
        if key not in attrs:
            continue
        value = attrs[key]
        if key in ("choices", "validators"):
            if value != default and not (key == "validators" and value == ()):
                out[key] = list(value) if key == "validators" and isinstance(value, tuple) else value
        elif not _same(value, default):
            out[key] = value
    # class-specific extras, most basic class first, then each class's post hook
    for cls in reversed(chain):
        spec = DJANGO_FIELDS[cls]
        for key, default in spec.extra.items():
            if key in attrs and not _same(attrs[key], default) and attrs[key] is not None:
                out[key] = attrs[key]
        if spec.post is not None:
            spec.post(attrs, out)
    return FieldState(path, out, extra_args, known=all(is_known(v) for v in out.values()))


def _deconstruct_third_party(spec: ThirdPartyField, args: tuple, kwargs: dict[str, Any]) -> FieldState:
    """Its Django base's deconstruct, changed as the measured description says; unknown where
    a kwarg or value lies outside what the checked cases cover."""
    unknown = FieldState(spec.path, _normalise_unknown(kwargs), tuple(args), known=False)
    if spec.base is None or spec.model_dependent:
        return unknown
    base_params = next(DJANGO_FIELDS[c].params for c in mro(spec.base) if DJANGO_FIELDS[c].params is not None)
    if spec.params is None:
        params = base_params
    else:
        params = tuple(p for p in spec.params if p != "*") + (base_params if "*" in spec.params else ())
    if len(args) > len(params):
        return unknown
    attrs: dict[str, Any] = dict(zip(params, args))
    attrs.update(kwargs)
    if spec.judged is not None and any(k not in spec.judged for k in attrs):
        return unknown
    given: dict[str, Any] = {}
    for key in [k for k in attrs if k in spec.own]:
        value, rule = attrs.pop(key), spec.own[key]
        if rule["written"] == "never" and rule.get("any_value"):
            continue  # never written, whatever it is (taggit's manager=)
        value = _field_value(value)  # ArrayField's base_field: that field as deconstruct writes it
        if rule["written"] not in ("always", "unless-default", "never") or not _literal(value):
            return unknown
        if not rule.get("any_value") and value != rule["default"]:
            return unknown
        given[key] = value
    if "through" in given and "to" in spec.own and "to" not in given:
        return unknown  # the tag model follows the through model
    for key, value in spec.setdefault.items():
        attrs.setdefault(key, value)
    attrs.update(spec.force)
    state = deconstruct(f"django.db.models.{spec.base}", (), attrs)
    out = state.kwargs
    for key in spec.drop:
        out.pop(key, None)
    for key, value in spec.drop_if.items():
        if key in out and render(out[key]) == render(value):
            del out[key]
    out.update(spec.add)
    for key, rule in spec.own.items():
        value = given.get(key, rule["default"])
        if rule["written"] == "always" or (rule["written"] == "unless-default" and key in given and value != rule["default"]):
            out[key] = value
    return FieldState(spec.path, out, (), known=state.known and all(is_known(v) for v in out.values()))


def _field_value(value: Any) -> Any:
    """A field instance given as a kwarg (``ArrayField(base_field=...)``) as Django's
    ``deep_deconstruct`` compares it: its deconstructed path, args and kwargs; other values
    unchanged."""
    if not isinstance(value, Call) or not _is_field_class(value.path):
        return value
    state = deconstruct(value.path, value.args, dict(value.kwargs))
    return Call(state.path, tuple(state.args), dict(state.kwargs)) if state.known else Opaque(render(value))


def _is_field_class(path: str) -> bool:
    """A field class djstate has rules for (Django's, or a described package's)."""
    return path != "django.db.models.Field" and (
        django_field_name(path) is not None or third_party_field(path) is not None or path in shipped_fields()
    )


def _literal(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, Call) and _is_field_class(value.path):  # deconstructed (_field_value)
        return is_known(value)  # its kwargs are compared as any field's are
    if isinstance(value, (list, tuple)):
        return all(_literal(v) for v in value)
    return False


def _same(value: Any, default: Any) -> bool:
    """Django compares with ``is``: only None/bool/NOT_PROVIDED/'' defaults are identical."""
    if isinstance(default, bool) or default is None:
        return value is default
    if isinstance(default, str):
        return isinstance(value, str) and value == default
    return value == default




def normalize_choices(value: Any, depth: int = 0) -> Any:
    """Django's ``normalize_choices``: mappings and iterables become lists of 2-tuples."""
    if isinstance(value, (str, bytes, Ref, Call, Opaque)):
        return value
    if isinstance(value, dict) and depth < 2:
        value = list(value.items())
    elif isinstance(value, (list, tuple)) and depth < 2 and not any(isinstance(x, (str, bytes)) for x in value):
        pass
    else:
        return value
    try:
        out = []
        for item in value:
            if not isinstance(item, (list, tuple)) or len(item) != 2:
                return value
            out.append((item[0], normalize_choices(item[1], depth + 1)))
        return out
    except TypeError:
        return value


def _normalise_unknown(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = dict(kwargs)
    if "choices" in out:
        out["choices"] = normalize_choices(out["choices"])
    return out
