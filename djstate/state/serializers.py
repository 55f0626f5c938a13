"""The tree's DRF serializers, DRF's view of each, and the views that create with them.

The serializer classes come from :mod:`djstate.state.serializer_classes`, the fields DRF
builds for them from :mod:`djstate.state.serializer_build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from djstate.facts.values import Ref
from djstate.isolate import InternalError, isolated
from djstate.state.catalog import ModelCatalog
from djstate.state.class_bases import class_chain
from djstate.unverified import Unjudged
from djstate.state.serializer_build import BuildResult, build_fields
from djstate.state.serializer_classes import SerializerClass, SerializerIndex

CREATE_VIEWS = {
    "rest_framework.mixins.CreateModelMixin", "rest_framework.generics.CreateAPIView",
    "rest_framework.generics.ListCreateAPIView", "rest_framework.viewsets.ModelViewSet",
}  # fmt: skip
# fields whose __init__ sets source='*' whatever source= says: the given source is never read
SOURCE_FORCED = {"SerializerMethodField", "HyperlinkedIdentityField"}
VIEW_OVERRIDES = {"perform_create", "create", "get_serializer", "get_serializer_class", "post"}
# the overrides that choose the serializer: one they return still saves through DRF's create
SERIALIZER_GETTERS = {"get_serializer", "get_serializer_class"}


@dataclass
class CreateView:
    """A view that creates objects through ``serializer_class`` with DRF's own code."""

    path: str
    serializer: str
    # the serializer is one its get_serializer_class/get_serializer returns (maybe not for POST)
    returned: bool = False


class SerializerAnalysis:
    """The serializers of the tree, DRF's view of each, and the views that create with them."""

    def __init__(
        self, index: SerializerIndex, catalog: ModelCatalog, auth_user_model: str | None
    ) -> None:
        self.index = index
        self.catalog = catalog
        self.auth_user_model = auth_user_model
        self.serializers: list[SerializerClass] = []
        self.create_views: list[CreateView] = []
        self.view_serializers: set[str] = set()  # every serializer a view names as serializer_class
        # serializer -> the views whose get_serializer_class/get_serializer return it
        self.returned_serializers: dict[str, set[str]] = {}
        self.save_hooks: set[str] = set()
        self._results: dict[str, BuildResult] = {}
        self.unverified = 0
        self.unjudged: list[Unjudged] = []
        self.internal_errors: list[InternalError] = []  # serializers skipped by an unforeseen shape

    def add(self, path: str, file: str = "", line: int = 0) -> None:
        """Read one class of a serializers or views module; a failure skips only that class."""
        with isolated(self.internal_errors, f"serializer {path}", file, line) as outcome:
            self._add(path)
        if outcome.failed:
            self.serializers = [s for s in self.serializers if s.path != path]
            self.create_views = [v for v in self.create_views if v.path != path]
            for views in self.returned_serializers.values():
                views.discard(path)

    def _add(self, path: str) -> None:
        serializer = self.index.serializer(path)
        if serializer is not None:
            self.serializers.append(serializer)
            if not serializer.known:
                self.unverified += 1
                self.unjudged.append(Unjudged(
                    "base-outside-tree" if serializer.outside else "serializer-unknown", f"serializer {path}",
                    serializer.file, serializer.facts.span.line, f"base {serializer.outside}" if serializer.outside else "",
                ))  # fmt: skip
            return
        found = self.index.class_facts(path)
        if found is None:
            return
        facts = found[0]
        attr = next((a for a in facts.attributes if a.name == "serializer_class"), None)
        returned = self._returned(path)
        if attr is None and not returned:
            return
        target = self.index.resolve(attr.value) if attr is not None else None
        if isinstance(target, Ref):
            self.view_serializers.add(target.path)
        methods = next((a.value for a in facts.attributes if a.name == "http_method_names"), ["post"])
        posts = isinstance(methods, (list, tuple)) and "post" in methods
        view = self._view_chain(path) if posts else None
        for serializer in returned:
            self.returned_serializers.setdefault(serializer, set()).add(path)
            if view is not None and view[0] and not view[1] & (VIEW_OVERRIDES - SERIALIZER_GETTERS):
                self.create_views.append(CreateView(path, serializer, returned=True))
        if attr is None or not posts:
            return  # POST is not allowed (or chosen at runtime): the view never creates
        if (
            isinstance(target, Ref)
            and view is not None
            and view[0]
            and not view[1] & VIEW_OVERRIDES
        ):
            self.create_views.append(CreateView(path, target.path))

    def _returned(self, path: str) -> list[str]:
        """The in-tree serializers the view's get_serializer_class/get_serializer (its own or a
        base's) return by name."""
        chain = class_chain(path, self.index.class_facts, self.index.resolve, lambda p: p.startswith("rest_framework."))
        out: list[str] = []
        for facts in chain.classes:
            for value in (v for values in facts.returned_classes.values() for v in values):
                target = self.index.resolve(value)
                if isinstance(target, Ref) and target.path not in out and self.index.serializer(target.path) is not None:
                    out.append(target.path)
        return out

    def _view_chain(self, path: str) -> tuple[bool, set[str]] | None:
        """(creates with DRF's code, methods the in-tree classes define); None: unknown."""
        chain = class_chain(path, self.index.class_facts, self.index.resolve, lambda p: p.startswith("rest_framework."))
        if chain.opaque or any(not p.startswith("rest_framework.") for p in chain.outside):
            return None
        methods = {m.split(":")[0] for c in chain.classes for m in c.methods}
        return any(p in CREATE_VIEWS for p in chain.outside), methods

    def silenced_names(self) -> list[Unjudged]:
        """Each Meta.fields name of the tree's serializers left unjudged, under its reason."""
        out = []
        for serializer, result in self.checked():
            if (
                serializer.is_model and serializer.known and serializer.meta is not None and result.model is None
                and ("model" in serializer.meta or not serializer.meta_known)  # no Meta.model: a base for subclassing
            ):  # fmt: skip
                out.append(Unjudged("serializer-unknown", f"serializer {serializer.path}", serializer.file,
                                    serializer.facts.span.line, "its Meta.model is no model djstate knows"))  # fmt: skip
            for name, reason, detail in result.silenced:
                path, span = serializer.meta_span("fields", name)
                out.append(Unjudged(reason, f"serializer field {serializer.path}.{name}", path, span.line, detail))
        for serializer, result, declared in self.read_sources():
            walk = self.catalog.follow_source(result.model, declared.source, serializer.known)
            if walk.unjudged is not None and serializer.known:  # an unknown serializer is counted above
                reason, detail = walk.unjudged
                out.append(Unjudged(reason, f"serializer source {serializer.path}.{declared.name}", declared.file,
                                    declared.span.line, f"source '{declared.source}': {detail}"))  # fmt: skip
        return out

    def read_sources(self) -> list[tuple[SerializerClass, BuildResult, Any]]:
        """The declared fields of the tree's ModelSerializers whose ``source=`` DRF reads from
        the object (DJS402 checks them): not '*', not write-only, not a method field."""
        out = []
        for serializer, result in self.checked():
            if result.model is None or not serializer.is_model:
                continue
            for declared in serializer.declared.values():
                source = declared.source
                if not isinstance(source, str) or source == "*" or declared.file.startswith("/"):
                    continue
                if declared.kwargs.get("write_only") is True or declared.drf_class in SOURCE_FORCED:
                    continue  # never read from the object
                out.append((serializer, result, declared))
        return out

    def checked(self) -> list[tuple[SerializerClass, BuildResult]]:
        """The tree's serializers (not those of --site-packages folders) with DRF's fields."""
        return [(s, self.result(s)) for s in self.serializers if not s.file.startswith("/")]

    def _completed_by_subclasses(self, serializer: SerializerClass, built: BuildResult) -> None:
        """A base whose Meta.fields names a field its subclasses declare (edx-enterprise's
        BaseEnterpriseCustomerInviteKeySerializer) fails only where the base itself is used,
        which djstate does not follow: such a name is left unjudged."""
        for error in list(built.errors):
            if error.kind != "unknown-field":
                continue
            child = next((o for o in self.serializers if serializer.path in o.ancestors
                          and error.name in o.declared and o.declared[error.name] is not serializer.declared.get(error.name)), None)  # fmt: skip
            if child is not None:
                built.errors.remove(error)
                built.certain = built.names_certain = False
                built.silenced.append((error.name, "completed-by-subclass",
                                       f"{child.name} declares it; DRF raises only where {serializer.name} itself is used"))  # fmt: skip

    def by_path(self, path: str) -> SerializerClass | None:
        return next((s for s in self.serializers if s.path == path), None)

    def result(self, serializer: SerializerClass) -> BuildResult:
        if serializer.path not in self._results:
            unit = f"serializer {serializer.path}"
            with isolated(self.internal_errors, unit, serializer.file, serializer.facts.span.line) as outcome:
                built = build_fields(serializer, self.catalog, self.auth_user_model)
            if outcome.failed:  # a shape djstate did not foresee: stay silent on it, DJS000 says so
                built = BuildResult(certain=False, names_certain=False)
            self._completed_by_subclasses(serializer, built)
            self._results[serializer.path] = built
        return self._results[serializer.path]
