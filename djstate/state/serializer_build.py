"""The fields DRF's ``ModelSerializer.get_fields`` builds for a serializer, without DRF.

:func:`build_fields` asks :class:`djstate.state.catalog.ModelCatalog` what each name means on
the model and records each error DRF would raise instead of raising it. Whatever leads outside
the tree and DRF (a field class djstate has no model of, a model with bases it cannot see)
makes the result uncertain, and the rules stay silent about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from djstate.facts.values import Call, Opaque, Ref, render
from djstate.state.catalog import POSTGRES_MAPPING, ModelCatalog, ModelInfo
from djstate.state.fields import FieldState
from djstate.state.serializer_classes import (
    READ_ONLY_CLASSES, RELATED_CLASSES, DeclaredField, SerializerClass, drf_field_name,
)  # fmt: skip

# ModelSerializer.serializer_field_mapping, looked up along the model field's class chain
FIELD_MAPPING = {
    "AutoField": "IntegerField", "BigAutoField": "BigIntegerField", "BigIntegerField": "BigIntegerField",
    "BooleanField": "BooleanField", "CharField": "CharField", "CommaSeparatedIntegerField": "CharField",
    "DateField": "DateField", "DateTimeField": "DateTimeField", "DecimalField": "DecimalField",
    "DurationField": "DurationField", "EmailField": "EmailField", "Field": "ModelField",
    "FileField": "FileField", "FloatField": "FloatField", "ImageField": "ImageField",
    "IntegerField": "IntegerField", "NullBooleanField": "BooleanField", "PositiveIntegerField": "IntegerField",
    "PositiveSmallIntegerField": "IntegerField", "SlugField": "SlugField", "SmallIntegerField": "IntegerField",
    "TextField": "CharField", "TimeField": "TimeField", "URLField": "URLField", "UUIDField": "UUIDField",
    "GenericIPAddressField": "IPAddressField", "FilePathField": "FilePathField", "JSONField": "JSONField",
}  # fmt: skip

@dataclass
class BuiltField:
    name: str
    drf_class: str | None  # None: djstate cannot tell
    read_only: bool | None
    required: bool | None
    child: str | None = None
    origin: str = "model"  # declared, model, relation, reverse, property, url, hidden, nested
    model_field: str | None = None


@dataclass
class BuildError:
    kind: str  # unknown-field, exclude-declared, exclude-unknown, declared-not-listed, meta
    name: str | None
    message: str


@dataclass
class BuildResult:
    fields: dict[str, BuiltField] = field(default_factory=dict)
    errors: list[BuildError] = field(default_factory=list)
    certain: bool = True  # False: some field's class or flags are a guess; names still exact
    names_certain: bool = True  # False: the set of names itself is not known
    silenced: list[tuple[str, str, str]] = field(default_factory=list)  # (name, reason, detail) not judged
    model: ModelInfo | None = None


ALL_FIELDS = "__all__"
# ModelSerializer methods and attributes that, overridden, change which fields are built
FIELD_HOOKS = {
    "get_fields", "get_field_names", "get_default_field_names", "build_field", "build_standard_field",
    "build_relational_field", "build_nested_field", "build_property_field", "build_url_field",
    "build_unknown_field", "include_extra_kwargs", "get_extra_kwargs", "get_uniqueness_extra_kwargs",
    "serializer_field_mapping", "serializer_related_field", "serializer_related_to_field",
    "serializer_url_field", "serializer_choice_field", "url_field_name",
}  # fmt: skip


def meta_names(value: Any) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def build_fields(
    serializer: SerializerClass, catalog: ModelCatalog, auth_user_model: str | None = None
) -> BuildResult:
    result = BuildResult()
    declared = serializer.declared
    if not serializer.known or not serializer.declared_known or serializer.members & FIELD_HOOKS:
        result.certain = result.names_certain = False
    _redundant_sources(serializer, result)
    if not serializer.is_model:
        for name, dec in declared.items():
            result.fields[name] = _declared(dec)
        return result
    if not serializer.meta_known:
        result.certain = result.names_certain = False
    if serializer.meta is None:
        result.names_certain = False  # a base meant for subclassing: DRF only fails if it is used
        return result
    if serializer.meta_known and "model" not in serializer.meta:
        result.certain = result.names_certain = False  # a Meta without model: a base as well
        return result
    model_value = serializer.meta_value("model")
    key = catalog.key_of(model_value)
    if (
        key is None
        and isinstance(model_value, (Call, Opaque))
        and auth_user_model
        and "get_user_model" in render(model_value)
    ):
        label, _, name = auth_user_model.partition(".")
        key = (label, name.lower())
    info = catalog.info(key) if key else None
    if info is None:
        info = catalog.outside_model(model_value, key)  # a model of a virtualenv (django.contrib's)
    result.model = info
    if info is None:
        result.certain = result.names_certain = False
        return result
    if not info.known:
        result.certain = False  # a field's flags may differ from its source (a metaclass's changes)
    if not info.names_known:
        result.names_certain = False
    fields_option = serializer.meta_value("fields")
    exclude = serializer.meta_value("exclude")
    for option in (
        fields_option,
        exclude,
        serializer.meta_value("read_only_fields"),
        serializer.meta_value("extra_kwargs", {}),
    ):
        if isinstance(option, (Opaque, Ref, Call)):
            result.certain = result.names_certain = False
            return result
    for option in (fields_option, exclude, serializer.meta_value("read_only_fields")):
        if isinstance(option, (list, tuple)) and meta_names(option) is None:
            result.certain = result.names_certain = False  # names computed at import time
            return result
    url_name = "url"
    if (
        fields_option is not None
        and fields_option != ALL_FIELDS
        and meta_names(fields_option) is None
    ):
        result.errors.append(
            BuildError(
                "meta", "fields", 'The `fields` option must be a list or tuple or "__all__".'
            )
        )
        return result
    if exclude is not None and meta_names(exclude) is None:
        result.errors.append(
            BuildError("meta", "exclude", "The `exclude` option must be a list or tuple.")
        )
        return result
    if fields_option and exclude:
        result.errors.append(
            BuildError(
                "meta",
                "exclude",
                f"Cannot set both 'fields' and 'exclude' options on serializer {serializer.name}.",
            )
        )
        return result
    if fields_option is None and exclude is None:
        result.errors.append(
            BuildError(
                "meta",
                None,
                f"ModelSerializer {serializer.name} has neither 'fields' nor 'exclude' in Meta.",
            )
        )
        return result
    if fields_option == ALL_FIELDS:
        fields_option = None
    if fields_option is not None:
        names = list(fields_option)
        for name in serializer.own_declared:
            if name not in serializer.base_declared and name not in names:
                result.errors.append(BuildError("declared-not-listed", name,
                    f"The field '{name}' was declared on serializer {serializer.name}, but has not been included in the 'fields' option."))  # fmt: skip
    else:
        if not info.kinds_known:
            result.certain = result.names_certain = False  # which fields are relations is unknown
            return result
        if serializer.kind == "hyperlinked" and catalog.url_field_names != {"url"}:
            result.certain = result.names_certain = False  # URL_FIELD_NAME is set in settings
            return result
        first = url_name if serializer.kind == "hyperlinked" else info.pk
        names = [first, *declared, *info.fields, *info.forward]
        for name in exclude or ():
            if name in declared:
                result.errors.append(BuildError("exclude-declared", name,
                    f"Cannot both declare the field '{name}' and include it in the {serializer.name} 'exclude' option."))  # fmt: skip
            elif name not in names and not info.names_known:
                continue  # a field of a part of the model djstate cannot see (AbstractUser's user_permissions)
            elif name not in names:
                result.errors.append(BuildError("exclude-unknown", name,
                    f"The field '{name}' was included on serializer {serializer.name} in 'exclude', but does not match any model field."))  # fmt: skip
            else:
                names.remove(name)
    extra = _extra_kwargs(serializer)
    if extra is None:
        result.certain = False
        extra = {}
    extra, hidden = _uniqueness(serializer, info, names, declared, extra, result)
    depth = serializer.meta_value("depth", 0)
    if not isinstance(depth, int):
        result.certain = False
        depth = 0
    for name in names:
        if name in declared:
            result.fields[name] = _declared(declared[name])
            continue
        field_extra = extra.get(name, {})
        source = field_extra.get("source", "*") if isinstance(field_extra, dict) else "*"
        if source == "*":
            source = name
        built = _build(name, source, info, serializer, depth, url_name, result, catalog)
        if built is None:
            continue
        _apply_extra(built, field_extra if isinstance(field_extra, dict) else {}, result)
        result.fields[name] = built
    for name, built in hidden.items():
        result.fields[name] = built
    return result


def _redundant_sources(serializer: SerializerClass, result: BuildResult) -> None:
    """``Field.bind`` asserts that ``source`` is not the field's own name; ``extra_kwargs``
    sources land on the built fields the same way."""
    extra = serializer.meta_value("extra_kwargs", {}) if serializer.is_model else {}
    sources = {name: d.source for name, d in serializer.declared.items()}
    if isinstance(extra, dict):
        sources.update({n: o.get("source") for n, o in extra.items() if isinstance(o, dict) and n not in sources})
    for name, source in sources.items():
        if source == name:
            result.errors.append(BuildError("redundant-source", name,
                f"It is redundant to specify `source='{name}'` on field '{name}', because it is the same as the field name."))  # fmt: skip


def _declared(dec: DeclaredField) -> BuiltField:
    kwargs = dec.kwargs
    read_only = dec.read_only
    if dec.serializer is not None:
        cls = "ListSerializer" if dec.many else dec.serializer.rsplit(".", 1)[-1]
        child = dec.serializer.rsplit(".", 1)[-1] if dec.many else None
    elif dec.drf_class in RELATED_CLASSES and dec.many:
        cls, child = "ManyRelatedField", dec.drf_class
    elif dec.drf_class in ("ListField", "DictField", "HStoreField") and isinstance(
        kwargs.get("child"), Call
    ):
        cls, child = dec.drf_class, drf_field_name(kwargs["child"].path)
    else:
        cls, child = dec.drf_class, None
    if dec.custom:
        cls = None  # a project subclass keeps its own name; its __init__ may set anything
        if dec.drf_class not in READ_ONLY_CLASSES:
            read_only = read_only if "read_only" in kwargs else None
    required = kwargs.get("required")
    if read_only:
        required = False
    elif not isinstance(required, bool):
        if "required" in kwargs:
            required = None  # computed at import time
        elif "default" in kwargs or dec.drf_class == "HiddenField":
            required = False
        elif dec.custom or read_only is None:
            required = None
        else:
            required = True
    return BuiltField(dec.name, cls, read_only, required, child, "declared")


def _extra_kwargs(serializer: SerializerClass) -> dict[str, dict] | None:
    extra = serializer.meta_value("extra_kwargs", {}) or {}
    if not isinstance(extra, dict):
        return None
    extra = {k: dict(v) if isinstance(v, dict) else v for k, v in extra.items()}
    read_only = serializer.meta_value("read_only_fields")
    if read_only is not None:
        names = meta_names(read_only)
        if names is None:
            return None
        for name in names:
            entry = extra.get(name, {})
            if isinstance(entry, dict):
                entry["read_only"] = True
                extra[name] = entry
    return extra


def _model_flags(state: FieldState, chain: list[str]) -> tuple[bool, bool]:
    """(read_only, required) as get_field_kwargs / get_relation_kwargs set them."""
    kwargs = state.kwargs
    if (
        any(c in ("AutoField", "BigAutoField", "SmallAutoField") for c in chain)
        or kwargs.get("editable") is False
    ):
        return True, False
    if kwargs.get("auto_now") or kwargs.get("auto_now_add"):
        return True, False  # DateField.__init__ sets editable=False
    optional = "default" in kwargs or kwargs.get("blank") is True or kwargs.get("null") is True
    return False, not optional


def _build(name: str, source: str, info: ModelInfo, serializer: SerializerClass, depth: int, url_name: str,
           result: BuildResult, catalog: ModelCatalog) -> BuiltField | None:  # fmt: skip
    fields_and_pk = info.fields_and_pk()
    hyperlinked = serializer.kind == "hyperlinked"
    if source in fields_and_pk:
        state = fields_and_pk[source]
        chain = info.chains.get(source if source != "pk" else info.pk or "", [])
        cls = next((FIELD_MAPPING[c] for c in chain if c in FIELD_MAPPING), None)
        if chain and chain[0] in POSTGRES_MAPPING:
            cls = POSTGRES_MAPPING[chain[0]]
        read_only, required = _model_flags(state, chain)
        if "OneToOneField" in chain and state.kwargs.get("primary_key") is True:
            cls = "PrimaryKeyRelatedField"
        elif state.kwargs.get("choices"):
            cls = "ChoiceField"
        if cls is None or not state.known:
            result.certain = False
        model_field = source if source != "pk" else info.pk
        return BuiltField(name, cls, read_only, required, None, "model", model_field)
    relations = info.relations
    if source in relations:
        relation = relations[source]
        if depth:
            cls = "NestedSerializer"
            return BuiltField(name, "ListSerializer" if relation.to_many else cls, True, False,
                              cls if relation.to_many else None, "nested", source)  # fmt: skip
        cls = "HyperlinkedRelatedField" if hyperlinked else "PrimaryKeyRelatedField"
        read_only, required = False, True
        if relation.through_model:
            read_only, required = True, False
        if relation.field is not None:
            kwargs = relation.field.kwargs
            to_field = kwargs.get("to_field")
            if to_field and not relation.reverse:
                target = catalog.info(relation.related)
                if target is None:
                    result.certain = False
                elif to_field != target.pk:
                    cls = "SlugRelatedField"
            if kwargs.get("editable") is False:
                read_only = True
            if read_only:
                required = False
            elif "default" in kwargs or kwargs.get("blank") is True or kwargs.get("null") is True:
                required = False
        if relation.to_many:
            return BuiltField(
                name, "ManyRelatedField", read_only, required, cls, "relation", source
            )
        return BuiltField(name, cls, read_only, required, None, "relation", source)
    if info.has_attribute(source):
        return BuiltField(name, "ReadOnlyField", True, False, None, "property", None)
    if name == url_name or source in catalog.url_field_names:
        return BuiltField(name, "HyperlinkedIdentityField", True, False, None, "url", None)
    reason = _why_unknown_name(name, source, info, serializer, catalog)
    if reason is not None:
        result.certain = result.names_certain = False
        result.silenced.append((name, *reason))
        return None
    result.errors.append(BuildError("unknown-field", name,
        f"Field name `{source}` is not valid for model `{info.name}` in `{serializer.path}`."))  # fmt: skip
    return None


def _why_unknown_name(name: str, source: str, info: ModelInfo, serializer: SerializerClass,
                      catalog: ModelCatalog) -> tuple[str, str] | None:  # fmt: skip
    """(reason, detail) when a name that is on no model may still exist at runtime; None when
    DRF certainly rejects it."""
    if not serializer.known:
        return "serializer-unknown", f"base {serializer.outside}" if serializer.outside else ""
    if not info.names_known:
        return "name-on-unknown-model", f"{info.key[0]}.{info.name} is not fully known"
    if not info.reverse_known and catalog.maybe_outside_reverse(source):
        return "name-maybe-reverse", f"apps outside the tree may point at {info.key[0]}.{info.name}"
    if catalog.maybe_reverse(source):
        return "name-maybe-reverse", "a relation djstate cannot place may give it this accessor"
    if catalog.maybe_renamed_reverse(info.key):
        return "name-maybe-reverse", "a relation's field class may choose its accessor (contribute_to_class)"
    if catalog.maybe_runtime_attribute(info, source, on_class=True):
        return "name-maybe-runtime", "code may give the model class this attribute"
    if name in serializer.maybe_declared:  # `path = BasicCategorySerializer(...)`, a class built by a call
        return "maybe-field", "a class attribute built by a call"
    return None


def _apply_extra(built: BuiltField, extra: dict, result: BuildResult) -> None:
    """``include_extra_kwargs`` then the field's own read_only/required resolution."""
    read_only = extra.get("read_only", built.read_only)
    if not isinstance(read_only, bool):
        result.certain = False
        return
    if not read_only and extra.get("required") is True and "default" in extra:
        result.errors.append(BuildError("required-default", built.name,
            f"May not set both `required` and `default` on field '{built.name}'."))  # fmt: skip
    if "required" in extra and not read_only:
        built.required = extra["required"] if isinstance(extra["required"], bool) else None
    elif "default" in extra and not read_only:
        built.required = False
    built.read_only = read_only
    if read_only:
        built.required = False


def _uniqueness(serializer: SerializerClass, info: ModelInfo, names: list[str], declared: dict[str, DeclaredField],
                extra: dict, result: BuildResult) -> tuple[dict, dict[str, BuiltField]]:  # fmt: skip
    """``get_uniqueness_extra_kwargs``: fields of unique_together/UniqueConstraint (and the
    unique_for_* targets) become required, or get a default, or a HiddenField."""
    if serializer.meta_value("validators") is not None:
        return extra, {}
    model_fields: dict[str, FieldState] = {}
    for name in names:
        if name in declared:
            source = declared[name].source
            source = source if isinstance(source, str) else name
        else:
            entry = extra.get(name, {})
            source = entry.get("source", name) if isinstance(entry, dict) else name
        if not isinstance(source, str) or "." in source or source == "*":
            continue
        if source in info.all_fields:
            model_fields[source] = info.all_fields[source]
    unique_names: set[str] = set()
    for state in model_fields.values():
        for key in ("unique_for_date", "unique_for_month", "unique_for_year"):
            if isinstance(state.kwargs.get(key), str):
                unique_names.add(state.kwargs[key])
    for group, condition in _unique_groups(info, result):
        wanted = set(group) | condition
        if wanted <= set(model_fields):
            unique_names |= wanted
    hidden: dict[str, BuiltField] = {}
    for name in unique_names:
        state = info.all_fields.get(name)
        if state is None:
            result.certain = False
            continue
        chain = info.chains.get(name, [])
        kwargs = state.kwargs
        has_default = (
            kwargs.get("auto_now_add")
            or kwargs.get("auto_now")
            or "default" in kwargs
            or kwargs.get("null") is True
        )
        if (
            not has_default
            and kwargs.get("blank") is True
            and any(c in ("CharField", "TextField") for c in chain)
        ):
            has_default = True
        if name in model_fields:
            entry = dict(extra.get(name, {})) if isinstance(extra.get(name, {}), dict) else {}
            entry = {
                **({"required": True} if not has_default else {"default": "<model default>"}),
                **entry,
            }
            extra[name] = entry
        elif has_default:
            hidden[name] = BuiltField(name, "HiddenField", False, False, None, "hidden", name)
    return extra, hidden


def _unique_groups(info: ModelInfo, result: BuildResult) -> list[tuple[tuple[str, ...], set[str]]]:
    groups: list[tuple[tuple[str, ...], set[str]]] = []
    together = info.options.get("unique_together") or ()
    constraints = info.options.get("constraints") or []
    if not isinstance(together, (list, tuple, set, frozenset)) or not isinstance(constraints, (list, tuple)):
        result.certain = False  # options computed at import time
        return groups
    for group in together:
        if isinstance(group, (tuple, list)):
            groups.append((tuple(group), set()))
    for constraint in constraints:
        if not isinstance(constraint, Call) or not constraint.path.endswith("UniqueConstraint"):
            continue
        names = constraint.kwargs.get("fields")
        if not isinstance(names, (list, tuple)) or not names:
            continue
        condition: set[str] = set()
        if constraint.kwargs.get("condition") is not None:
            referenced = _q_fields(constraint.kwargs["condition"])
            if referenced is None:
                result.certain = False
                continue
            condition = referenced
        if len(set(names) | condition) > 1:
            groups.append((tuple(names), condition))
    return groups




def _q_fields(value: Any) -> set[str] | None:
    """``Q.referenced_base_fields``: the first part of each lookup."""
    if isinstance(value, Call):
        if value.path.endswith(".Q") or value.path.startswith("operator."):
            out: set[str] = set()
            for arg in value.args:
                if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[0], str):
                    out.add(arg[0].split("__")[0])
                    continue
                inner = _q_fields(arg)
                if inner is None:
                    return None
                out |= inner
            for key in value.kwargs:
                if key not in ("_connector", "_negated"):
                    out.add(key.split("__")[0])
            return out
    return None
