"""What a model's class code gives it beside its fields: the names its class chain binds (and
whether one of them may still be a field), its methods and instance attributes, and what its
class decorators add. :class:`ClassMembers` is mixed into :class:`djstate.state.catalog.ModelCatalog`,
whose ``builder`` and ``state`` it reads."""

from __future__ import annotations

from typing import Any

from djstate.facts.values import Call, Ref
from djstate.state.class_bases import ClassChain, class_chain
from djstate.state.paths import canonical_value
from djstate.state.thirdparty import DecoratorContribution, decorator_contribution, decorator_installed_as_measured

# Django's classes whose only computed instance write sets a field (AbstractBaseUser.clean)
FIELD_SETTING_CLASSES = ("django.contrib.auth.base_user.AbstractBaseUser",)


class ClassMembers:
    """The catalogue's questions about a model class's own code."""

    builder: Any
    state: Any

    def _chain(self, path: str) -> ClassChain:
        # Django's own Model (read from a virtualenv) is modelled, not read: its __init__'s
        # setattr(self, field.attname, ...) would give every instance every name
        return class_chain(path, self.builder.class_facts, lambda v: self.builder.resolver.value(canonical_value(v)),
                           stop=lambda p: p.startswith("django.db.models."))

    def instance_attributes(self, path: str) -> set[str]:
        """``self.x = ...`` in the model class and its in-tree bases (attributes objects have
        that the class does not: DRF's source lookup finds them, ``hasattr(Model)`` does not)."""
        return set().union(*(c.instance_attributes for c in self._chain(path).classes))

    def _source_instance_attributes(self, path: str) -> set[str]:
        """:meth:`instance_attributes` for a ``source=`` walk, less the computed names Django's
        own classes set that are fields (``AbstractBaseUser.clean``'s ``setattr(self,
        self.USERNAME_FIELD, ...)``): every user model would otherwise take any name."""
        chain = self._chain(path)
        known = [self.builder.class_facts(p) for p in FIELD_SETTING_CLASSES]
        known_ids = {id(found[0]) for found in known if found is not None}
        return set().union(set(), *((c.instance_attributes - {"*"}) if id(c) in known_ids else c.instance_attributes
                                    for c in chain.classes))  # fmt: skip

    def may_be_field_attribute(self, info: Any, name: str) -> bool:
        """Whether a class attribute of the model may be a field Django adds (ModelBase gives
        the model what has contribute_to_class: a GenericRelation): not when the model's class
        chain is read whole and binds the name only to literal values (social_core's
        ``CodeMixin.verified = False``), methods or nested classes."""
        model_class = self.state.classes.get(info.key)
        if model_class is None:
            return True
        chain = self._chain(model_class.path)
        if chain.opaque or not all(p.startswith(("django.db.models.", "builtins.")) for p in chain.outside):
            return True
        bound = False
        for facts in chain.classes:
            for attr in facts.attributes:
                if attr.name == name:
                    if not _literal(attr.value):
                        return True
                    bound = True
            bound = bound or name in facts.nested or any(m.split(":")[0] == name for m in facts.methods)
        return not bound  # not bound by the classes: a metaclass, decorator or runtime code gives it

    def model_methods(self, path: str) -> set[str]:
        """Methods and attributes the model class and its in-tree bases define."""
        return self._chain(path).members()

    def _class_attributes(self, path: str) -> tuple[set[str], bool]:
        """Names a model class and its in-tree bases define, and whether that is all of them
        (every base outside the tree is Django's Model or a builtin)."""
        chain = self._chain(path)
        known = not chain.opaque and all(p.startswith(("django.db.models.", "builtins.")) for p in chain.outside)
        return chain.members(), known

    def _decorator_changes_names(self, decorator: Any) -> bool:
        """Whether a class decorator may change the model's names beyond the attributes
        :meth:`decorator_added` names."""
        return self.decorator_added(decorator) is None

    def decorator_added(self, decorator: Any) -> tuple[str, ...] | None:
        """The attributes a class decorator sets on the model, when that is all it changes: a
        function of the tree or a virtualenv read as keeping the names (djstate.parse.class_decorators),
        ``@register`` or ``@features(...)`` applied the way its shape says, reached through
        re-exports and module-level aliases (``python_2_unicode_compatible = six.python_2_unicode_compatible``);
        None for anything else."""
        resolver = self.builder.resolver
        described = self.described_decorator(decorator)
        if described is not None:
            return tuple(sorted(described.names))
        kind = "factory" if isinstance(decorator, Call) else "plain" if isinstance(decorator, Ref) else None
        target = resolver.resolve_path(decorator.path) if kind else None
        for _ in range(4):  # aliases Django's modules make (the resolver takes django.* paths as written)
            if not isinstance(target, Ref) or "." not in target.path:
                return None
            module, name = target.path.rsplit(".", 1)
            facts = resolver.load(resolver.modules[module], module) if module in resolver.modules else None
            if facts is None:
                return None
            effect = facts.class_decorators.get(name)
            if effect is not None:
                return effect[2] if effect[:2] == (kind, "") else None
            alias = facts.names.get(name) or facts.constants.get(name)
            target = Ref(alias) if isinstance(alias, str) and name in facts.names else alias
        return None

    def described_decorator(self, decorator: Any) -> DecoratorContribution | None:
        """What ``@X.add()`` gives the model where ``X`` is a module-level instance of a class
        thirdparty.json describes (django-hierarkey's ``Hierarkey(attribute_name="settings")``,
        its class path resolved through imports); None for anything else."""
        if not isinstance(decorator, Call) or "." not in decorator.path:
            return None
        owner_path, method = decorator.path.rsplit(".", 1)
        owner = self.builder.resolver.resolve_path(owner_path)
        if not decorator_installed_as_measured(owner, self.builder.resolver.modules):
            return None  # another version in the project's virtualenv: not measured
        return decorator_contribution(owner, method, decorator)


def _literal(value: Any) -> bool:
    """A constant no field can be: None, a bool, number or string, or a tuple/list of them."""
    if isinstance(value, (list, tuple, frozenset)):
        return all(_literal(item) for item in value)
    return value is None or isinstance(value, (bool, int, float, str, bytes))
