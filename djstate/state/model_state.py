"""A model class's ``ModelState``: its fields through the same deconstruct rules as the
migrations' fields, its options, bases and managers, as ``ModelState.from_model`` gives them.

:class:`ModelStateBuilder` is the half of :class:`djstate.state.models.ModelsBuilder` that turns
a model class djstate has read (``ModelClass``) into that state; the other half finds the
classes and says how far each is known.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace as dataclass_replace
from typing import TYPE_CHECKING, Any

from djstate.facts.model import ClassFacts
from djstate.facts.values import Call, Opaque, Ref, is_known
from djstate.state.fields import FieldState, deconstruct, django_field_name, shipped_fields
from djstate.state.objects import normalise_object
from djstate.state.paths import canonical_path, canonical_value
from djstate.state.project import MODEL_BASE, ModelState, normalize_together
from djstate.state.stream_field import STREAM_FIELD
from djstate.state.swappable import swapper_target
from djstate.state.thirdparty import contributed_fields, third_party_manager, third_party_model_label
from djstate.state.thirdparty_descriptions import THIRD_PARTY_BASES, is_tag_manager

if TYPE_CHECKING:
    from djstate.state.models import ModelClass, ModelsBuilder

MODEL = "django.db.models.base.Model"
MANAGERS = {"django.db.models.manager.Manager", "django.db.models.manager.BaseManager"}
# django.contrib managers that set use_in_migrations = True
MIGRATION_MANAGERS = {
    "django.contrib.auth.models.UserManager",
    "django.contrib.auth.models.GroupManager", "django.contrib.auth.models.PermissionManager",
    "django.contrib.contenttypes.models.ContentTypeManager", "django.contrib.sites.models.SiteManager",
}  # fmt: skip
CHOICES = {
    "django.db.models.enums.TextChoices": "text",
    "django.db.models.enums.IntegerChoices": "int",
    "django.db.models.enums.Choices": "any",
}
OPTION_NAMES = (
    "verbose_name", "verbose_name_plural", "db_table", "db_table_comment", "ordering",
    "unique_together", "index_together", "permissions", "get_latest_by", "order_with_respect_to", "db_tablespace",
    "abstract", "managed", "proxy", "swappable", "auto_created", "default_permissions",
    "select_on_save", "default_related_name", "required_db_features", "required_db_vendor",
    "base_manager_name", "default_manager_name", "indexes", "constraints",
)  # fmt: skip
AUTO_FIELD = "django.db.models.AutoField"
INDEX_SUFFIXES = {
    "Index": "idx", "GinIndex": "gin", "GistIndex": "gist", "BrinIndex": "brin", "BTreeIndex": "btree",
    "HashIndex": "hash", "SpGistIndex": "spgist", "BloomIndex": "bloom",
}  # fmt: skip
# django.contrib's concrete models, for relations to them from projects that do not contain Django
CONTRIB_MODELS = {
    "django.contrib.auth.models.User": "auth.user",
    "django.contrib.auth.models.Group": "auth.group",
    "django.contrib.auth.models.Permission": "auth.permission",
    "django.contrib.contenttypes.models.ContentType": "contenttypes.contenttype",
    "django.contrib.sites.models.Site": "sites.site",
    "django.contrib.admin.models.LogEntry": "admin.logentry",
    "django.contrib.sessions.models.Session": "sessions.session",
    "django.contrib.flatpages.models.FlatPage": "flatpages.flatpage",
    "django.contrib.redirects.models.Redirect": "redirects.redirect",
}


class ModelStateBuilder:
    """Model state from a read model class (mixed into ModelsBuilder, whose attributes it uses)."""

    def class_label(self, path: str) -> str | None:
        """``app_label.modelname`` of a model class, without building the model."""
        found = self.class_facts(path)
        if found is None:
            return None
        facts, module = found
        meta = facts.nested.get("Meta")
        app = next((a.value for a in meta.attributes if a.name == "app_label"), None) if meta else None
        app = app if isinstance(app, str) else self.app_of_module(module)
        return f"{app}.{facts.name.lower()}" if app else None

    def label_of(self, target: Any, model: ModelClass) -> Any:
        """A relation target as ``app_label.modelname`` (what a bound field deconstructs to)."""
        if isinstance(target, str):
            if target == "self":
                return f"{model.app}.{model.facts.name.lower()}"
            if "." in target:
                app, name = target.split(".", 1)
                return f"{app}.{name.lower()}"
            return f"{model.app}.{target.lower()}"
        if isinstance(target, Ref):
            if target.path.startswith("django.conf.settings."):
                value = self.resolve_setting(target.path.rsplit(".", 1)[1])
                return self.label_of(value, model) if value else Opaque(target.path)
            label = self.class_label(target.path)
            if label is not None:
                return label
            if canonical_path(target.path) in CONTRIB_MODELS:
                return CONTRIB_MODELS[canonical_path(target.path)]
            if third_party_model_label(canonical_path(target.path)):  # taggit's Tag
                return third_party_model_label(canonical_path(target.path))
        return Opaque(str(target))

    def field_state(self, model: ModelClass, value: Any) -> FieldState:
        kwargs = {k: normalise_object(v) for k, v in value.kwargs.items()}
        args = list(normalise_object(a) for a in value.args)
        path = value.path
        custom = self.custom_fields.deconstruct(path, tuple(args), kwargs, lambda t, a, k: self._prepare(model, t, a, k))
        if custom is not None:  # a field class of the tree, replayed from its source
            custom.certain = not self._defines(path, "contribute_to_class")  # maybe a virtual field
            if custom.known and self._relation_name(self._chain(path)) in ("ForeignKey", "OneToOneField"):
                self._drop_pk_to_field(custom)
            return custom
        if path == STREAM_FIELD:  # wagtail's: compared on Field's kwargs, its blocks a leaf
            args, kwargs = self._prepare(model, path, args, kwargs)
            return deconstruct(path, tuple(args), kwargs)
        chain = self._chain(path)
        django = next((p for p in chain if django_field_name(p) or p in THIRD_PARTY_BASES or p in shipped_fields()), None)
        base_name = self._relation_name(chain)
        args, kwargs = self._prepare(model, django or path, args, kwargs)
        if django is None:
            return FieldState(path, kwargs, tuple(args), known=False, certain=False)
        state = deconstruct(django if django != path and path not in THIRD_PARTY_BASES else path, tuple(args), kwargs)
        if django != path and path not in THIRD_PARTY_BASES:
            state.path = path  # a project field class: its own path, its Django base's rules
            state.known = False if self._overrides_init(path) else state.known
            state.certain = not self._defines(path, "contribute_to_class")  # maybe a virtual field
        if base_name in ("ForeignKey", "OneToOneField"):
            self._drop_pk_to_field(state)
        return state

    def _relation_name(self, chain: list[str]) -> str | None:
        """The Django class whose rules the first described class of ``chain`` follows."""
        django = next((p for p in chain if django_field_name(p) or p in THIRD_PARTY_BASES or p in shipped_fields()), None)
        return THIRD_PARTY_BASES.get(django, django_field_name(django) if django else None) if django else None

    def _prepare(self, model: ModelClass, path: str, args: list, kwargs: dict) -> tuple[list, dict]:
        """A field's arguments as its bound field holds them: relation targets as labels,
        ``choices=Enum.choices`` as pairs, an enum member default as its value."""
        args, kwargs = list(args), dict(kwargs)
        if self._relation_name(self._chain(path)) in ("ForeignKey", "OneToOneField", "ManyToManyField"):
            if args:
                args[0] = self.label_of(args[0], model)
            else:
                kwargs["to"] = self.label_of(kwargs.get("to"), model)
            through = kwargs.get("through")
            if through is not None:
                label = self.label_of(through, model)
                kwargs["through"] = _label_case(label, through, self, model)
        elif is_tag_manager(path) and not args:  # taggit: the through model decides the tag model
            self._tag_manager_targets(model, kwargs)
        for key in ("default",):
            if key in kwargs:
                kwargs[key] = self.choice_value(kwargs[key])
        if "choices" in kwargs:
            kwargs["choices"] = self.choices(kwargs["choices"])
        return args, kwargs

    def _drop_pk_to_field(self, state: FieldState) -> None:
        """``ForeignKey.deconstruct`` of a bound field (``from_model``) drops ``to_field`` when
        it names the target's primary key; the target's pk name is kept for drift's severity."""
        to = state.kwargs.get("to")
        state.target_pk = self._pk_name(to) if isinstance(to, str) else None
        if state.target_pk is not None and state.kwargs.get("to_field") == state.target_pk:
            del state.kwargs["to_field"]

    def _model_of_label(self, label: str) -> ModelClass | None:
        """The model class of ``app_label.modelname`` in the tree; None when not found."""
        app, _, name = label.lower().partition(".")
        model = self.state.classes.get((app, name))
        if model is None:
            for module, file in self.modules.items():
                if "models" not in module.split(".") or self.app_of_module(module) != app:
                    continue
                facts = self.load_models(file, module)
                for cls in facts.class_bodies if facts is not None else ():
                    if cls.lower() == name:
                        found = self.model_class(f"{module}.{cls}")
                        model = found if found is not None and found.app == app else model
        return model

    def _tag_manager_targets(self, model: ModelClass, kwargs: dict) -> None:
        """A tag manager's ``through`` as deconstruct writes it, and its ``to``, which taggit
        always takes from the through model's ``tag`` field (a ``to`` given is overwritten)."""
        through = kwargs.get("through")
        if through is None:
            return
        label = self.label_of(through, model)
        kwargs["through"] = _label_case(label, through, self, model)
        other = self._model_of_label(label) if isinstance(label, str) else None
        tag = next((v for n, v, _ in other.fields if n == "tag"), None) if other is not None and other.known else None
        to = (tag.kwargs.get("to", tag.args[0] if tag.args else None)) if isinstance(tag, Call) else None
        target = self.label_of(to, other) if to is not None and other is not None else None
        if isinstance(target, str):
            kwargs["to"] = target
        else:
            kwargs.pop("to", None)  # unknown: deconstruct then leaves the field unknown

    def _pk_name(self, label: str) -> str | None:
        """The primary key's name of the model ``app_label.modelname``; None when unknown."""
        model = self._model_of_label(label)
        if model is None:
            contrib = {v: k for k, v in CONTRIB_MODELS.items()}
            return ("session_key" if label == "sessions.session" else "id") if label in contrib else None
        if not model.known:
            return None  # a base outside the tree may declare the primary key
        for field_name, value, _ in model.fields:
            if isinstance(value, Call) and value.kwargs.get("primary_key") is True:
                return field_name
        parents = self._concrete_parents(model)
        if parents:
            for field_name, value, _ in model.fields:
                if isinstance(value, Call) and value.kwargs.get("parent_link") is True:
                    return field_name
            return f"{parents[0].facts.name.lower()}_ptr"
        return "id"

    def _defines(self, path: str, method: str) -> bool:
        """Whether the class or one of its in-tree bases defines ``method``."""
        for base in self._chain(path):
            found = self.class_facts(base)
            if found is not None and any(m.split(":")[0] == method for m in found[0].methods):
                return True
        return False

    def _overrides_init(self, path: str) -> bool:
        found = self.class_facts(path)
        return found is not None and any(m.split(":")[0] in ("__init__", "deconstruct") for m in found[0].methods)

    def choices(self, value: Any) -> Any:
        """``choices=Status.choices`` / ``choices=Status``: the enum's (value, label) pairs."""
        if isinstance(value, Ref):
            path = value.path[: -len(".choices")] if value.path.endswith(".choices") else value.path
            pairs = self.enum_choices(path)
            if pairs is not None:
                return pairs
            return Opaque(value.path)
        return value

    def choice_value(self, value: Any) -> Any:
        path = value.path if isinstance(value, Ref) else value.source if isinstance(value, Opaque) else ""
        if "." in path and " " not in path and "(" not in path:
            owner, member = path.rsplit(".", 1)
            members = self.enum_members(owner)
            if members is not None and member in members:
                return members[member][0]
        return value

    def enum_members(self, path: str) -> dict[str, tuple[Any, Any]] | None:
        found = self.class_facts(path) or self._nested_class(path)
        if found is None:
            return None
        facts = found[0]
        kinds = [CHOICES.get(canonical_path(b.path)) for b in facts.bases if isinstance(b, Ref)]
        if not any(kinds) or any(m.split(":")[0] == "__new__" for m in facts.methods):
            return None  # its own __new__ sets _value_ (weblate's ActionEvents: (0, description))
        members: dict[str, tuple[Any, Any]] = {}
        for attr in facts.attributes:
            if attr.name.startswith("_") or attr.name in ("do_not_call_in_templates",):
                continue
            value = self.resolver.value(canonical_value(attr.value))
            if isinstance(value, tuple) and len(value) >= 2 and isinstance(value[-1], str):
                label = value[-1]
                value = value[0] if len(value) == 2 else value[:-1]
            else:
                label = attr.name.replace("_", " ").title()
            members[attr.name] = (value, label)
        return members

    def enum_choices(self, path: str) -> list | None:
        members = self.enum_members(path)
        return None if members is None else [(v, label) for v, label in members.values()]

    def _nested_class(self, path: str) -> tuple[ClassFacts, str] | None:
        owner, _, name = path.rpartition(".")
        found = self.class_facts(owner)
        if found is None or name not in found[0].nested:
            return None
        return found[0].nested[name], found[1]

    def model_state(self, model: ModelClass) -> ModelState:
        fields: dict[str, FieldState] = {}
        concrete_parents = self._concrete_parents(model)
        proxy = model.meta.get("proxy") is True
        declared = []
        for n, v, span in self._creation_order(model) if not proxy else []:
            state = self.field_state(model, v)
            state.origin = (self._field_file(model, n), span)
            if id(v) in self._settings_chosen:
                state.swappable_to = True  # its `to` is a swappable model's default: drift leaves `to` unjudged
                state.swapper_to = swapper_target(v, self._settings_chosen[id(v)][1])  # unless the migration's names it alike
            declared.append((n, state))
            added, named = contributed_fields(n, v)  # django-money's <name>_currency
            declared += [(a, dataclass_replace(f, origin=state.origin)) for a, f in added]
            model.fields_known = model.fields_known and named
        for _, state in declared:
            if state.kwargs.get("primary_key") is True:
                state.kwargs["serialize"] = False  # Options.setup_pk: a primary key is not serialised
        if not proxy and concrete_parents:
            parent = concrete_parents[0]
            ptr = f"{parent.facts.name.lower()}_ptr"
            for _, f in declared:
                if f.kwargs.get("parent_link") and not any(g.kwargs.get("primary_key") for _, g in declared):
                    f.kwargs.update(primary_key=True, serialize=False)  # Options._prepare promotes it
                    f.kwargs.pop("unique", None)
                    break
            if not any(f.kwargs.get("parent_link") for _, f in declared):
                fields[ptr] = deconstruct(
                    "django.db.models.OneToOneField", (),
                    {"auto_created": True, "on_delete": Ref("django.db.models.deletion.CASCADE"),
                     "parent_link": True, "primary_key": True, "serialize": False,
                     "to": f"{parent.app}.{parent.facts.name.lower()}"},
                )  # fmt: skip
        elif not proxy and not any(f.kwargs.get("primary_key") for _, f in declared):
            auto = self.default_auto_field(model.app)
            fields["id"] = deconstruct(
                canonical_path(auto or AUTO_FIELD), (),
                {"auto_created": True, "primary_key": True, "serialize": False, "verbose_name": "ID"},
            )  # fmt: skip
            fields["id"].certain = auto is not None  # None: DEFAULT_AUTO_FIELD depends on code
        many = []
        for name, state in declared:
            if _is_many(state):
                many.append((name, state))
            else:
                fields[name] = state
        fields.update(many)
        options = self.options(model, fields)
        bases = self.bases(model)
        return ModelState(
            model.app, model.facts.name, fields, options, bases, self.managers(model),
            origin=(model.file, model.facts.span),
        )  # fmt: skip

    def _creation_order(self, model: ModelClass) -> list[tuple[str, Any, Any]]:
        """Fields in Django's creation order: classes from other modules were imported (and
        their fields created) first; within the model's module, by line."""
        own_file = model.file
        files = {name: self._field_file(model, name) for name, _, _ in model.fields}
        return sorted(
            model.fields,
            key=lambda f: (files[f[0]] == own_file, f[2].line if files[f[0]] == own_file else 0),
        )

    def _field_file(self, model: ModelClass, name: str) -> str:
        if any(a.name == name for a in model.facts.attributes):
            return model.file
        for base in model.bases:
            parent = self._classes.get(base.path) if isinstance(base, Ref) else None
            if parent is not None and any(f[0] == name for f in parent.fields):
                return self._field_file(parent, name)
        return model.file

    def _concrete_parents(self, model: ModelClass) -> list[ModelClass]:
        out = []
        for base in model.bases:
            if isinstance(base, Ref):
                parent = self._classes.get(base.path)
                if parent is not None:
                    out += [parent] if not parent.abstract else self._concrete_parents(parent)
        return out

    def options(self, model: ModelClass, fields: dict[str, FieldState]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for name in OPTION_NAMES:
            if name not in model.meta:
                continue
            value = normalise_object(model.meta[name])
            if name == "unique_together" and is_known(value):
                value = frozenset(normalize_together(value)) if value else frozenset()
            options[name] = value
        for name in ("indexes", "constraints"):
            value = options.get(name, [])
            if isinstance(value, (list, tuple)):
                value = [_format_name(obj, model) for obj in value]
                options[name] = [self._named_index(model, i, fields) for i in value] if name == "indexes" else value
            else:
                options[name] = value  # unknown (built at runtime): compared as unverified
        return options

    def _named_index(self, model: ModelClass, index: Any, fields: dict[str, FieldState]) -> Any:
        if not isinstance(index, Call) or index.kwargs.get("name"):
            return index
        names = index.kwargs.get("fields")
        if not isinstance(names, list) or not names:
            return index
        table = model.meta.get("db_table") or f"{model.app}_{model.facts.name.lower()}"
        columns = []
        for name in names:
            bare = name.lstrip("-")
            state = fields.get(bare)
            column = state.kwargs.get("db_column") if state else None
            if column is None:
                column = f"{bare}_id" if state is not None and _is_fk(state) else bare
            columns.append(("-%s" if name.startswith("-") else "%s") % column)
        suffix = INDEX_SUFFIXES.get(index.path.rsplit(".", 1)[-1], "idx")
        digest = hashlib.md5(usedforsecurity=False)
        for part in [table.split(".")[-1].strip('"'), *columns, suffix]:
            digest.update(part.encode())
        table_name = table.split(".")[-1].strip('"')
        name = "%s_%s_%s" % (table_name[:11], columns[0].lstrip("-")[:7], f"{digest.hexdigest()[:6]}_{suffix}")
        return Call(index.path, index.args, {**index.kwargs, "name": name})

    def bases(self, model: ModelClass) -> list:
        out: list = []

        def flatten(m: ModelClass) -> None:
            for base in m.bases:
                parent = self._classes.get(base.path) if isinstance(base, Ref) else None
                if parent is not None and parent.abstract:
                    flatten(parent)
                elif parent is not None:
                    out.append(f"{parent.app}.{parent.facts.name.lower()}")
                elif isinstance(base, Ref) and canonical_path(base.path) == MODEL:
                    out.append(MODEL_BASE)
                else:
                    out.append(base)

        flatten(model)
        unique = []
        for base in out:
            if base not in unique:
                unique.append(base)
        if not any(isinstance(b, str) or b == MODEL_BASE for b in unique):
            return [MODEL_BASE]
        return unique

    def managers(self, model: ModelClass) -> list:
        """``ModelState.from_model``: managers usable in migrations, and plain shims for the
        default and base managers."""
        default, base = model.default_manager, model.meta.get("base_manager_name")
        if not isinstance(default, (str, type(None))) or not isinstance(base, (str, type(None))):
            return [("?", Opaque("a computed default_manager_name or base_manager_name"))]
        if default is None and model.managers:
            default = model.managers[0][0]
        out = []
        for name, value in model.managers:
            use = self._use_in_migrations(value)
            if use is None:
                return [("?", Opaque("managers of classes outside the tree"))]
            if use:
                out.append((name, value))
            elif name in (default, base):
                out.append((name, Call("django.db.models.manager.Manager", (), {})))
        if out == [("objects", Call("django.db.models.manager.Manager", (), {}))]:
            return []
        return out

    def _use_in_migrations(self, value: Any) -> bool | None:
        """The manager class's ``use_in_migrations`` through its bases; None when unknown."""
        path = value.path if isinstance(value, Call) else None
        if path is None:
            return None
        for base in self._mro(path):
            if base in MIGRATION_MANAGERS:
                return True
            found = self.class_facts(base)
            if found is None:
                if base in MANAGERS or base.startswith("django.db.models."):
                    continue
                if third_party_manager(base) is not None:  # a described base's manager
                    return third_party_manager(base)
                return None  # a manager class outside the tree
            for attr in found[0].attributes:
                if attr.name == "use_in_migrations":
                    return attr.value if isinstance(attr.value, bool) else None
        return False


def _format_name(obj: Any, model: ModelClass) -> Any:
    """``Options._format_names``: a concrete model fills ``%(app_label)s``/``%(class)s`` into
    its indexes' and constraints' names."""
    name = obj.kwargs.get("name") if isinstance(obj, Call) else None
    if not isinstance(name, str) or "%" not in name:
        return obj
    try:
        name = name % {"app_label": model.app.lower(), "class": model.facts.name.lower()}
    except (KeyError, ValueError, TypeError):
        return Call(obj.path, obj.args, {**obj.kwargs, "name": Opaque(name)})  # Django raises too
    return Call(obj.path, obj.args, {**obj.kwargs, "name": name})


def _is_many(state: FieldState) -> bool:
    return state.path.endswith(("ManyToManyField", "TaggableManager"))


def _is_fk(state: FieldState) -> bool:
    return state.path.endswith(("ForeignKey", "OneToOneField", "ParentalKey"))


def _label_case(label: Any, through: Any, builder: ModelsBuilder, model: ModelClass) -> Any:
    """M2M ``through`` deconstructs to ``_meta.label`` (the model name keeps its case)."""
    if isinstance(through, Ref):
        other = builder.model_class(through.path)
        if other is not None:
            return f"{other.app}.{other.facts.name}"
    if isinstance(through, str) and "." not in through:
        return f"{model.app}.{through}"
    return through if isinstance(through, str) else label
