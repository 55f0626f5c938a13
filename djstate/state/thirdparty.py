"""Third-party model bases and contributed fields, from the bundled descriptions.

``djstate/data/thirdparty.json`` (``tools/gen_thirdparty.py``, measured with the real
packages) says what an abstract base such as ``mptt.models.MPTTModel`` or
``model_utils.models.TimeStampedModel`` gives a concrete child: its fields, the Meta the
child inherits and its managers. Here that becomes an abstract model class like one read
from source, so the models builder inherits from it as from a project's own abstract base.
A field whose ``contribute_to_class`` adds a second field (django-money's ``<name>_currency``)
gets that field too. A described class attribute that is no field (django-parler's
``TranslatedFields``) gives the model the names and models :func:`contribution` lists. A
described class decorator (django-hierarkey's ``Hierarkey(attribute_name=...).add()``) gives
the names :func:`decorator_contribution` lists.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from djstate.facts.model import ClassFacts, Span
from djstate.facts.values import Call, Ref
from djstate.state.fields import FieldState, deconstruct  # noqa: F401  (re-exported for the models builder)
from djstate.state.thirdparty_descriptions import (  # noqa: F401  (re-exported for the models builder)
    ThirdPartyBase, third_party, third_party_base, third_party_field, third_party_manager, third_party_model_label,
)


def base_class_parts(path: str) -> dict[str, Any] | None:
    """The parts of the models builder's ``ModelClass`` for a described abstract base at
    ``path`` (any import path), or None when it is not described."""
    spec = third_party_base(path)
    if spec is None:
        return None
    return {
        "path": path,
        "app": "",
        "facts": ClassFacts(name=spec.path.rsplit(".", 1)[-1], bases=tuple(Ref(b) for b in spec.bases)),
        "file": f"<{spec.package}>",
        "abstract": True,
        "meta": dict(spec.meta),
        "fields": [(name, Call(field_path, (), dict(kwargs)), Span()) for name, field_path, kwargs in spec.fields],
        "managers": [(name, Call(manager, (), {})) for name, manager, _ in spec.managers],
        "bases": [Ref(b) for b in spec.bases],
        "known": not spec.model_dependent,
        "why": ("base-outside-tree", f"{spec.path}'s fields depend on the model class") if spec.model_dependent else None,
    }


# the options of a nested options class that name the fields its base adds (django-mptt's
# register() adds left_attr, right_attr, tree_id_attr and level_attr, read from MPTTOptions;
# order_insertion_by or parent_attr name no added field)
RENAMING_OPTIONS = {"MPTTMeta": frozenset({"left_attr", "right_attr", "tree_id_attr", "level_attr"})}


def renamed_by_child(parent_path: str, child: ClassFacts) -> str | None:
    """The nested options class (django-mptt's ``MPTTMeta``) through which ``child`` renames
    the fields a described base adds; None when it does not (it sets only options that name
    no added field, as literal class attributes)."""
    spec: ThirdPartyBase | None = third_party_base(parent_path)
    if spec is None or not spec.options_class or spec.options_class not in child.nested:
        return None
    options = child.nested[spec.options_class]
    renaming = RENAMING_OPTIONS.get(spec.options_class)
    if renaming is None or options.bases or options.methods or options.nested or options.conditional:
        return spec.options_class
    if any(a.name in renaming or not a.name.isidentifier() for a in options.attributes):
        return spec.options_class
    return None


# Packages whose metaclass was read against its description, with the versions besides the
# measured one (thirdparty.json's "versions") that give a child what it gives: django-mptt
# 0.18.0's register() adds the same four fields (db_index on tree_id only, editable=False) and
# the same TreeManager as 0.20.0's (checked with ModelState.from_model in mayan-edms'
# virtualenv); so do 0.15.0 and 0.16.0 (misago's and wiki's virtualenvs, Django 4.2.8 and
# 6.0.10; tests/test_mptt_0_15_0_16.py with Django 4.2 and 5.2), whose register() appends the
# tree index to _meta.index_together with a Django older than 5 and to nothing after, neither of
# which ModelState.from_model reads; older releases differ (0.9.1 indexes all four fields).
# django-polymorphic 4.11.7's PolymorphicModelBase adds no field and no option: it wraps each
# ForeignKey's on_delete in a PolymorphicGuard that compares and serializes as the wrapped
# action (the autodetector sees CASCADE, SET_NULL, ...) and swaps the parent-link descriptors
# (checked with ModelState.from_model and makemigrations in
# tests/test_polymorphic_installed_version.py). django-polymorphic 2.0.3's adds no field either
# and wraps no on_delete, but only beside a Django older than 2.0 (SAME_BELOW_DJANGO): there it
# gives every class without a Meta a fresh one (manager_inheritance_from_future, which
# ModelState.from_model keeps and no AlterModelOptions compares), so a child does not inherit
# PolymorphicModel's Meta (base_manager_name="objects"), which it does with Django 2.2 (both
# checked with ModelState.from_model and makemigrations, Django 1.11.29 on Python 3.7, in
# tests/test_polymorphic_2_0_3.py). Not modelled: that fresh Meta also drops the options of a
# project's abstract polymorphic model from a child without a Meta (an xfail there; none in
# shuup). Any other version installed in the project's virtualenv is read from its source as before.
SAME_AS_MEASURED: dict[str, frozenset[str]] = {
    "django-mptt": frozenset({"0.15.0", "0.16.0", "0.18.0"}),
    "django-polymorphic": frozenset({"2.0.3"}),
}
# (package, version) of SAME_AS_MEASURED that hold only beside a Django older than this release
# (the Django installed in the same folder; none found: not described)
SAME_BELOW_DJANGO: dict[tuple[str, str], tuple[int, int]] = {("django-polymorphic", "2.0.3"): (2, 0)}
# Meta options a described base's metaclass also changes on a concrete child, which
# ModelState.from_model keeps only when the child's Meta declares them: django-mptt (0.18.0,
# 0.20.0) appends its (tree_id, lft) index to Meta.indexes; the measured child declared none
CHANGED_OPTIONS: dict[str, tuple[str, ...]] = {"django-mptt": ("indexes",)}


def changed_options(parent_path: str) -> tuple[str, ...]:
    """The Meta options the described base at ``parent_path`` may change on a concrete child."""
    spec = third_party_base(parent_path)
    return CHANGED_OPTIONS.get(spec.package, ()) if spec is not None else ()


def described_for_installed(path: str, module: str, file: str) -> bool:
    """Whether the described base at ``path``, found in a virtualenv as ``module`` (its
    ``file``), is of a version its description holds for: then the description is used, as
    without a virtualenv, instead of reading the metaclass's code."""
    spec = third_party_base(path)
    if spec is None or spec.package not in SAME_AS_MEASURED:
        return False  # only a package whose metaclass was read against its description
    measured = third_party()["versions"].get(spec.package)
    version = _installed_version(spec.package, module, file)
    if version is None or (version != measured and version not in SAME_AS_MEASURED[spec.package]):
        return False
    below = SAME_BELOW_DJANGO.get((spec.package, version))
    if below is None:
        return True
    django = _installed_version("django", module, file)
    release = tuple(int(n) for n in re.findall(r"\d+", django or "")[:2])
    return len(release) == 2 and release < below


@lru_cache(maxsize=64)
def _installed_version(package: str, module: str, file: str) -> str | None:
    """The version of the distribution ``package`` installed beside ``module`` (from its
    ``<name>-<version>.dist-info`` folder); None when there is not exactly one."""
    depth = len(module.split(".")) + (1 if file.endswith("__init__.py") else 0)
    site = Path(file).parents[depth - 1] if depth <= len(Path(file).parents) else None
    if site is None:
        return None
    wanted = re.sub(r"[-_.]+", "_", package).lower()
    try:
        found = [e.name[: -len(".dist-info")] for e in site.iterdir() if e.name.endswith(".dist-info")]
    except OSError:
        return None
    versions = [n.split("-", 1)[1] for n in found if "-" in n and re.sub(r"[-_.]+", "_", n.split("-", 1)[0]).lower() == wanted]
    return versions[0] if len(versions) == 1 else None


def contributed_fields(name: str, value: Any) -> tuple[list[tuple[str, FieldState]], bool]:
    """Fields a described field class adds beside itself when bound as ``name``, and whether
    they are all known by name (False: a kwarg such as ``currency_field_name`` renames one)."""
    spec = third_party_field(value.path) if isinstance(value, Call) else None
    if spec is None or not spec.added_fields:
        return [], True
    given = set(value.kwargs)
    depends = set(spec.added_depend_on)
    if any(k.endswith("_name") for k in given & depends):
        return [], False
    out = []
    for pattern, path, kwargs in spec.added_fields:
        state = deconstruct(path, (), dict(kwargs))
        if given & depends or value.args:
            state.known = state.certain = False  # its kwargs follow the field's
        out.append((pattern.replace("{name}", name), state))
    return out, True


@dataclass(frozen=True)
class Contribution:
    """What a described class attribute that is no field (django-parler's ``TranslatedFields``)
    gives a model through ``contribute_to_class``: names on the model class, which ``hasattr``
    (DRF's ``Meta.fields`` check) finds, and models it creates in the model's app."""

    names: frozenset[str]
    models: tuple[str, ...]  # class names, e.g. ProductTranslation
    package: str


@lru_cache(maxsize=1)
def _others() -> dict[str, dict]:
    data = json.loads(resources.files("djstate.data").joinpath("thirdparty.json").read_text())
    return {alias: entry for path, entry in data.get("others", {}).items() for alias in {path, *entry.get("imports", ())}}


def contribution(value: Any, attribute: str, model: str) -> Contribution | None:
    """The names and models a described attribute ``attribute = value`` gives model class
    ``model``, from its measured entry (``adds_names``/``adds_models`` with the placeholders
    ``{attribute}``, ``{field}`` for each keyword argument but ``not_fields``, ``{model}``);
    None when it is not described or called in a shape that was not measured (positional
    arguments, ``**kwargs``)."""
    entry = _others().get(value.path) if isinstance(value, Call) else None
    if entry is None or "adds_names" not in entry or value.args or not entry.get("same_app", False):
        return None
    fields = [k for k in value.kwargs if k not in entry.get("not_fields", ())]
    if not all(isinstance(k, str) and k.isidentifier() for k in fields):
        return None
    names: set[str] = set()
    for template in entry["adds_names"]:
        if "{field}" in template:
            names.update(template.replace("{field}", f) for f in fields)
        else:
            names.add(template.replace("{attribute}", attribute))
    models = tuple(t.replace("{model}", model) for t in entry.get("adds_models", ()))
    return Contribution(frozenset(names), models, entry["package"])


@dataclass(frozen=True)
class DecoratorContribution:
    """What a described class decorator (django-hierarkey's ``Hierarkey(...).add()``) gives a
    model class: names ``hasattr`` finds (DRF's ``Meta.fields`` check), of which ``reverse``
    are reverse accessors of a model it creates (accessor, to-many), and nothing else: the
    description says it adds no field and creates its models in the model's app."""

    names: frozenset[str]
    reverse: tuple[tuple[str, bool], ...]
    package: str


@lru_cache(maxsize=1)
def _decorators() -> dict[str, dict]:
    data = json.loads(resources.files("djstate.data").joinpath("thirdparty.json").read_text())
    return {alias: entry for entry in data.get("decorators", {}).values() for alias in entry.get("imports", ())}


def _bind(params: list, call: Call) -> dict[str, Any] | None:
    """``call``'s arguments by parameter name (``params`` as measured: name, kind, default,
    required); None when they do not bind (an unknown keyword, too many positional ones,
    ``**kwargs``) or a required one is missing."""
    positional = [p[0] for p in params if p[1] in ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")]
    if len(call.args) > len(positional) or any(not isinstance(k, str) for k in call.kwargs):
        return None
    bound = dict(zip(positional, call.args))
    for key, value in call.kwargs.items():
        if key in bound or key not in {p[0] for p in params if p[1] != "POSITIONAL_ONLY"}:
            return None
        bound[key] = value
    if any(required and name not in bound for name, _, _, required in params):
        return None
    return bound


def decorator_installed_as_measured(owner: Any, modules: dict[str, str]) -> bool:
    """Whether the described class of ``owner``, when the project's virtualenv holds it
    (``modules``: module name -> file), is the version measured; True without a virtualenv."""
    entry = _decorators().get(owner.path) if isinstance(owner, Call) else None
    if entry is None:
        return False
    module = owner.path.rsplit(".", 1)[0]
    file = modules.get(module)
    if file is None or not file.startswith("/"):
        return True  # not installed beside the project: the bundled description stands
    return _installed_version(entry["package"], module, file) == third_party()["versions"].get(entry["package"])


def decorator_contribution(owner: Any, method: str, decorator: Any) -> DecoratorContribution | None:
    """The names class decorator ``decorator`` (a call of ``owner.<method>``) gives a model,
    where ``owner`` is the instance it is a method of (``Hierarkey(attribute_name="settings")``,
    its class path resolved) and that instance's described decorator method was called with
    arguments measured to give the same names; None for anything else (an argument of the
    instance that is no literal identifier, one the description did not measure)."""
    entry = _decorators().get(owner.path) if isinstance(owner, Call) else None
    if entry is None or method != entry["method"] or not isinstance(decorator, Call):
        return None
    if entry["adds_fields"] or not entry["same_app"]:
        return None
    built = _bind(entry["init_params"], owner)
    called = _bind(entry["method_params"], decorator)
    if built is None or called is None or not set(called) <= set(entry["same_with"]):
        return None
    placeholders = {name: f"{{{name}}}" for name in built}
    used = {name for name, mark in placeholders.items() if any(mark in t for t in entry["adds_names"])}
    if set(built) != used or not all(isinstance(built[n], str) and built[n].isidentifier() for n in used):
        return None  # an argument that was not measured, or a name that is not a literal

    def fill(template: str) -> str:
        for name in used:
            template = template.replace(placeholders[name], built[name])
        return template

    if any("{" in fill(t) for t in entry["adds_names"]):
        return None
    reverse = tuple((fill(name), bool(many)) for name, many in entry.get("reverse", ()))
    return DecoratorContribution(frozenset(fill(t) for t in entry["adds_names"]), reverse, entry["package"])
