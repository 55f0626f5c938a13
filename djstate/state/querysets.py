"""The project's querysets judged against the models: what the DJS5xx rules report.

Every module of the tree is read as ``queries`` (:mod:`djstate.parse.queries`). Each chain's
model is decided here: the class a manager chain starts at must be a model of the models
state, a related manager leads where its relation leads, a queryset variable has its chain's
model. Names are then resolved by :class:`~djstate.state.lookups.LookupResolver`.

A chain is judged up to the first method djstate does not know (a custom QuerySet method may
annotate names), and only on models the catalogue knows whole; what is skipped is recorded as
an :class:`~djstate.unverified.Unjudged` with reason ``query-unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from djstate.facts.model import Span
from djstate.facts.queries import QUERYSET_METHODS, AttributeUse, ModelSource, QueryChain, QueryFacts
from djstate.facts.values import Ref
from djstate.state.catalog import ModelCatalog, ModelInfo
from djstate.state.project_catalog import project_catalog
from djstate.state.drf_views import judge_views
from djstate.state.lookup_registry import RegisteredLookups, registered_lookups
from djstate.state.lookups import LookupResolver, Resolution, lookup_table
from djstate.state.manager_methods import missing_method
from djstate.state.managers import ManagerRows
from djstate.state.outside_names import OutsideNames
from djstate.state.queryset_classes import ManagerClasses
from djstate.unverified import Unjudged

# methods that keep the model and the names of a chain (custom ones may annotate: judging stops)
PLAIN_MANAGER_BASES = ("django.db.models.manager.Manager", "django.db.models.Manager", "django.db.models.query.QuerySet",
                       "django.db.models.QuerySet", "django.db.models.manager.BaseManager")  # fmt: skip
SPECIAL_MANAGERS = {"_default_manager", "_base_manager"}


@dataclass
class QueryProblem:
    code: str  # the rule: DJS501 name, DJS502 reverse name, DJS503 manager, DJS504 related lookup, DJS505 loop N+1
    path: str
    span: Span
    message: str
    app: str | None = None
    model: str | None = None


@dataclass
class QueryAnalysis:
    problems: list[QueryProblem] = field(default_factory=list)
    unjudged: list[Unjudged] = field(default_factory=list)
    chains: int = 0  # chains rooted at a model
    judged: int = 0  # of those, judged to their end


class QueryJudge(ManagerClasses):
    def __init__(self, catalog: ModelCatalog, resolver_value: Any, registered: RegisteredLookups, serializers: Any = None,
                 name_keeping: dict[str, dict[str, tuple[str, ...]]] | None = None,
                 names_passing: dict[str, dict[str, tuple]] | None = None,
                 dict_keeping: dict[str, dict[str, tuple[str, ...]]] | None = None,
                 outside: OutsideNames | None = None,
                 object_reads: dict[str, dict[str, tuple]] | None = None,
                 read_queries: Any = None) -> None:  # fmt: skip
        self.catalog = catalog
        # (module, absolute file) -> its QueryFacts: summaries of a virtualenv's queryset and
        # manager classes (mptt's TreeManager, treebeard's MP_NodeManager), read when asked
        self.read_queries = read_queries
        self._outside_read: set[str] = set()
        self.object_reads = object_reads or {}  # "module.Class" -> method -> its reads of the object (DJS506)
        self.per_object_reported: set[tuple[str, Any]] = set()  # (file, span) of reads already reported
        self.name_keeping = name_keeping or {}  # "module.Class" -> methods that return a chain on self
        self.names_passing = names_passing or {}  # "module.Class" -> overrides passing names to super()
        self.dict_keeping = dict_keeping or {}  # "module.func" / "module.Class.method" -> kept parameters
        self.serializers = serializers  # SerializerAnalysis, for DRF views (DJS506)
        self.resolve_value = resolver_value
        self.lookups = LookupResolver(catalog, registered, outside)
        self.managers = ManagerRows(catalog.builder, resolver_value)
        self.analysis = QueryAnalysis()
        self._manager_classes: dict[int, tuple[Any, list[str] | None]] = {}  # id(value) -> (value, classes)
        self._creating: set[str] = set()  # queryset classes a get_queryset() creates, being judged
        self._created: dict[str, bool] = {}  # those classes -> whether they add no name
        self._factories: dict[str, tuple[str, Any] | None] = {}  # function path -> (module, ManagerFactory)
        self._local_classes: dict[str, Any] = {}  # "module.F.<locals>.C" -> the factory that defines C

    # ---- models of chains ----------------------------------------------------------------

    def model_of_path(self, path: str) -> tuple[str, str] | None:
        if path.startswith("label:"):  # get_model("app_label", "Model")
            label, _, name = path[len("label:"):].partition(".")
            key = (label, name.lower())
            return key if key in self.catalog.state.models else None
        value = self.resolve_value(Ref(path))
        return self.catalog.key_of(value) if isinstance(value, Ref) else None

    def module(self, path: str, facts: QueryFacts) -> None:
        models: dict[int, ModelInfo | None] = {}  # chain index -> the model its rows have
        self.introduced: dict[int, set[str]] = {}  # chain index -> the names its annotate() calls added
        self.own_rows: set[int] = set()  # chains on a manager whose get_queryset() may select or prefetch
        self.chain_classes: dict[int, list[str] | None] = {}  # chain index -> its manager's in-tree classes
        self.model_rows: dict[int, bool] = {}  # chain index -> its rows are certainly instances of the model's class
        for index, chain in enumerate(facts.chains):
            models[index] = self.chain(path, chain, models, facts, index)
        for use in facts.uses:
            self.use(path, use, models)
        self.loops(path, facts, models)
        self.views(path, facts, models)

    def source_model(self, source: ModelSource, models: dict[int, ModelInfo | None]) -> ModelInfo | None:
        if source.chain is not None:
            return models.get(source.chain)
        key = self.model_of_path(source.path) if source.path else None
        return self.catalog.info(key) if key else None

    def chain(self, path: str, chain: QueryChain, models: dict, facts: QueryFacts, index: int = -1) -> ModelInfo | None:
        """Judge one chain; the model its rows have (None when unknown or not rows of a model)."""
        if chain.root == "manager":
            key = self.model_of_path(chain.source.path or "")
            if key is None:
                return None  # not a model (or one djstate does not have)
            info = self.catalog.info(key)
            if info is None:
                return None
            self.analysis.chains += 1
            manager = self.manager(path, chain, info)
            if manager is not None:
                self.bypass(path, chain, info)
            if manager is None:
                return None
            plain = manager
            classes = self.manager_classes_of(info, chain.attribute)
            if not manager or self.own_queryset(info, chain.attribute):
                self.own_rows.add(index)
            if not plain:
                self.skip(path, chain, info, f"manager '{chain.attribute}' may add names (annotate, extra, or a "
                                             f"get_queryset() djstate cannot follow)")  # fmt: skip
        elif chain.root == "related":
            owner = self.source_model(chain.source, models)
            if owner is None:
                return None
            hop = self.lookups.accessors(owner).get(chain.attribute)
            if hop is None or not hop.kind.startswith("reverse") and hop.kind != "m2m":
                return None
            info = self.catalog.info(hop.related)
            if info is None:
                return None
            self.analysis.chains += 1
            plain = True
            classes = None
        else:
            info = models.get(chain.source.chain) if chain.source.chain is not None else None
            if info is None:
                return None
            self.analysis.chains += 1
            plain = True
            classes = self.chain_classes.get(chain.source.chain)
        annotations: set[str] = set() if plain else {"*"}
        if chain.root == "manager":  # Django's manager, or in-tree classes none of whose methods may swap the rows
            model_rows = plain and self.manager_read(info, chain.attribute) and (not classes or self.rows_of_model(classes))
        else:  # a related manager's rows come from the related model's default manager: not followed
            model_rows = chain.root == "queryset" and self.model_rows.get(chain.source.chain, False)
        self.model_rows[index] = model_rows
        handled = (self.handled_names(classes) or set()) if plain and classes else set()
        if chain.root == "queryset":  # `qs = X.objects.annotate(n=...)`, then `qs.filter(n=1)`
            annotations = set(self.introduced.get(chain.source.chain, {"*"}))
        why = self.lookups.certain(info)
        if why is not None:
            self.skip(path, chain, info, why)
        rows = info
        for call in chain.calls:
            if call.method not in QUERYSET_METHODS:
                missing = missing_method(self, info, chain, call)
                if missing is not None:
                    self.problem("DJS503", path, call.span, info, f"{info.key[0]}.{info.name}: {missing}. "
                                                                  f"The call raises AttributeError")  # fmt: skip
                    return None
                if plain and classes and self.keeps_names(classes, call.method):
                    continue  # it returns a chain of name-keeping methods on self: the same names
                self.skip(path, chain, info, f"custom method {call.method}() may change the names")
                return None
            introduced = set(call.introduces)
            for name in call.names:
                first = name.text.lstrip("-").split("__")[0]
                if first in handled:
                    self.analysis.unjudged.append(Unjudged("query-unknown", f"query {info.key[0]}.{info.name}", path, name.span.line,
                                                           f"{call.method}('{name.text}'): the queryset's {call.method}() or a method it "
                                                           f"calls consumes '{first}' itself"))  # fmt: skip
                    continue
                self.name(path, chain, call.method, info, name, annotations | introduced, model_rows)
            annotations |= introduced
            if call.method in ("values", "values_list", "count", "exists", "aggregate", "update", "delete"):
                rows = None
        self.introduced[index] = annotations
        self.chain_classes[index] = classes if plain else None
        if why is None:
            self.analysis.judged += 1
        return rows

    def manager(self, path: str, chain: QueryChain, info: ModelInfo) -> bool | None:
        """Whether the manager is a plain one (names unchanged); None when the chain is not judged."""
        model_class = self.catalog.state.classes.get(info.key)
        name = chain.attribute
        managers = dict(model_class.managers) if model_class else {}
        if name in managers:
            return self.plain_manager(managers[name])
        factory = self.factory_manager(info, name)
        if factory is not None:
            return self.plain_manager(factory)  # `all = ScopedManager(...)`: the class it returns, followed
        if name in SPECIAL_MANAGERS:
            first = next(iter(managers.values()), None)
            return first is None or self.plain_manager(first) if name == "_default_manager" else True
        if name == "objects" and not managers:
            return True
        if info.has_attribute(name) or name in info.attributes:
            if chain.calls and chain.calls[0].method in QUERYSET_METHODS:  # used as one: counted, not judged
                self.skip(path, chain, info, f"'{name}' is a class attribute djstate does not read as a manager "
                                             f"(built by a call it does not follow)")  # fmt: skip
            return None  # a class attribute or method, not a manager
        if not info.known or not model_class or not model_class.known or self.catalog.maybe_runtime_attribute(info, name, on_class=True):
            self.skip(path, chain, info, f"'{name}' may be a manager djstate cannot see")
            return None
        if name in self.catalog.runtime_names or name in self.catalog.class_attributes:
            return None
        if name == "history" and "@historical" in self.catalog.runtime_names:
            return None  # django-simple-history's register(Model) adds the manager at runtime
        if not chain.calls or chain.calls[0].method not in QUERYSET_METHODS:
            return None  # `Advert.snippet_viewset.get_url_name()`: no manager's use (code may set it on the class)
        declared = ", ".join(sorted(managers)) or "objects"
        default = " (Django adds `objects` only to a model that declares no manager)" if name == "objects" and managers else ""
        self.problem("DJS503", path, chain.span, info,
                     f"{info.key[0]}.{info.name} has no manager '{name}'{default}; its managers: {declared}. "
                     f"The call raises AttributeError")  # fmt: skip
        return None

    def manager_read(self, info: ModelInfo, name: str) -> bool:
        """Whether the manager's value is read: a declared manager, Django's ``objects`` on a
        class that binds no such name, or ``_default_manager``/``_base_manager`` (a class
        attribute djstate does not read as a manager, pretix's ``objects =
        ActivePositionManager(...)``, counts as Django's `objects` for names, not for rows)."""
        model_class = self.catalog.state.classes.get(info.key)
        if model_class is None:
            return False
        managers = dict(model_class.managers)
        if name in managers or self.factory_manager(info, name) is not None:
            return True
        if name == "_base_manager":
            return True
        if name == "_default_manager":
            return not managers and "objects" not in self.catalog.model_methods(model_class.path)
        return name == "objects" and not managers and name not in self.catalog.model_methods(model_class.path)

    def bypass(self, path: str, chain: QueryChain, info: ModelInfo) -> None:
        """DJS507: a query through ``_base_manager`` or a second manager that skips the
        filter of the model's default manager (djstate.state.managers)."""
        if chain.calls and chain.calls[0].method in ("create", "bulk_create", "acreate"):
            return  # writes new rows, reads none
        model_class = self.catalog.state.classes.get(info.key)
        found = self.managers.bypass(model_class, chain.attribute) if model_class else None
        if found is None:
            return
        where = f"{info.key[0]}.{info.name}"
        if found.why is not None:
            self.analysis.unjudged.append(Unjudged("query-unknown", f"query {where}", path, chain.span.line,
                                                   f"whether {info.name}.{chain.attribute} bypasses the default manager: {found.why}"))  # fmt: skip
            return
        via = f" (Meta.base_manager_name '{found.through}')" if found.through else ""
        self.problem("DJS507", path, chain.span, info,
                     f"{info.name}.{chain.attribute}{via} bypasses {where}'s default manager '{found.default}', whose "
                     f"get_queryset() filters rows: this query also sees the rows '{found.default}' hides. "
                     f"Use {info.name}.{found.default} unless that is intended")  # fmt: skip

    # ---- names -----------------------------------------------------------------------------

    def name(self, path: str, chain: QueryChain, method: str, info: ModelInfo, name: Any, annotations: set[str],
             model_rows: bool = False) -> None:  # fmt: skip
        resolution = self.lookups.resolve(info, name.text, name.role, annotations, model_rows)
        if resolution.status == "unknown":
            self.analysis.unjudged.append(Unjudged("query-unknown", f"query {info.key[0]}.{info.name}", path,
                                                   name.span.line, f"{method}('{name.text}'): {resolution.detail}"))  # fmt: skip
            return
        if resolution.status != "error":
            return
        self.report_name(path, name.span, method, name.text, resolution)

    def report_name(self, path: str, span: Span, method: str, text: str, resolution: Resolution) -> None:
        owner = resolution.model
        where = f"{owner.key[0]}.{owner.name}"
        hint = f" (did you mean '{resolution.suggestion}'?)" if resolution.suggestion else ""
        kind = resolution.kind
        if kind == "reverse-query-name":
            self.problem("DJS502", path, span, owner,
                         f"{method}('{text}'): '{resolution.part}' is not a name on {where}: {resolution.detail} is "
                         f"called '{resolution.suggestion}' in queries (related_name / related_query_name). "
                         f"Django raises FieldError")  # fmt: skip
        elif kind == "hidden-reverse":
            self.problem("DJS502", path, span, owner,
                         f"{method}('{text}'): {where} has no reverse relation '{resolution.part}': "
                         f"{resolution.detail}. Django raises FieldError")  # fmt: skip
        elif kind == "lookup":
            self.problem("DJS501", path, span, owner,
                         f"{method}('{text}'): '{resolution.part}' is not a lookup or transform of "
                         f"{resolution.detail} ({where}){hint}. Django raises FieldError")  # fmt: skip
        elif kind in ("not-single", "not-relation"):
            self.problem("DJS504", path, span, owner,
                         f"{method}('{text}'): '{resolution.part}' on {where} is {resolution.detail}; "
                         + ("select_related follows only foreign keys and one-to-one relations (use prefetch_related)"
                            if method == "select_related" else "prefetch_related needs a relation")
                         + ". Django raises " + ("FieldError" if method == "select_related" else "ValueError"))  # fmt: skip
        else:
            error = "AttributeError" if method == "prefetch_related" else "FieldDoesNotExist" if method in ("only", "defer") else "FieldError"
            self.problem("DJS501", path, span, owner,
                         f"{method}('{text}'): {where} has no field or relation '{resolution.part}'{hint}. "
                         f"Django raises {error}")  # fmt: skip

    # ---- instances ---------------------------------------------------------------------------

    def may_have_attribute(self, info: ModelInfo, name: str) -> bool:
        """Whether instances of the model have, or may be given, the attribute."""
        if info.has_attribute(name) or name in self.lookups.accessors(info) or name in info.attributes:
            return True
        model_class = self.catalog.state.classes.get(info.key)
        on_instances = self.catalog.instance_attributes(model_class.path) if model_class else {"*"}
        if "*" in on_instances or name in on_instances or self.catalog.maybe_runtime_attribute(info, name):
            return True
        return self.lookups.maybe_exists(info, name)

    def use(self, path: str, use: AttributeUse, models: dict) -> None:
        """``obj.book_set`` where the relation has another accessor (DJS502)."""
        info = self.source_model(use.source, models)
        if info is None or use.written or self.lookups.certain(info) is not None:
            return
        first = use.attributes[0]
        if self.may_have_attribute(info, first):
            return
        for entry in self.lookups.reverse_of(info.key):
            defaults = (f"{entry.default_name}_set", entry.default_name)
            if first in defaults and entry.accessor != first:
                named = (f"is '{entry.accessor}' (related_name)" if entry.accessor else "is hidden with related_name='+'")
                self.problem("DJS502", path, use.span, info,
                             f"'{first}' is not an attribute of {info.key[0]}.{info.name}: the reverse accessor of "
                             f"{entry.hop.owner}.{entry.hop.field_name} "
                             f"{named}. Reading it raises AttributeError")  # fmt: skip
                return

    def loops(self, path: str, facts: QueryFacts, models: dict) -> None:
        """A relation read in the body of a loop over a queryset that neither selects nor
        prefetches it: one query per row (DJS505)."""
        seen: set[tuple[int, str]] = {(u.loop, u.attributes[0]) for u in facts.uses if u.written and u.loop is not None}
        for use in facts.uses:
            if use.loop is None or not use.in_loop_body or use.written:
                continue
            info = models.get(use.loop)
            chain = facts.chains[use.loop]
            if info is None or self.lookups.certain(info) is not None:
                continue
            first = use.attributes[0]
            hop = self.lookups.accessors(info).get(first)
            if hop is None:
                continue
            if hop.kind not in ("fk", "o2o") and (use.called not in ("all", "count", "exists", "first", "last") or len(use.attributes) > 1):
                continue  # a related manager's filter() is a new query whatever was prefetched
            covered = self.covered(chain, first, hop) if use.loop not in self.own_rows else None
            if covered is not False or (use.loop, first) in seen:
                continue
            seen.add((use.loop, first))
            how = "select_related" if hop.single else "prefetch_related"
            self.problem("DJS505", path, use.span, info,
                         f"'{first}' of {info.key[0]}.{info.name} is read for every row of the loop's queryset "
                         f"(line {chain.span.line}), which neither selects nor prefetches it: one query per row. "
                         f"Add .{how}('{first}')" + (" or annotate the count" if use.called in ("count", "exists") else ""))  # fmt: skip

    def covered(self, chain: QueryChain, name: str, hop: Any) -> bool | None:
        """Whether the chain loads the relation: True, False, or None when unknown."""
        if chain.root != "manager":
            return None  # a related manager's or variable's queryset: built elsewhere too
        for call in chain.calls:
            if call.method not in QUERYSET_METHODS or not call.complete:
                return None
            if call.method in ("values", "values_list", "iterator"):
                return None
            if call.method in ("select_related", "prefetch_related"):
                if not call.names:
                    return True if call.method == "select_related" and hop.single else None
                for query_name in call.names:
                    if query_name.text.split("__")[0] == name:
                        return True
            if name in call.introduces or "*" in call.introduces:
                return None
        return False

    def views(self, path: str, facts: QueryFacts, models: dict) -> None:
        """A DRF view whose serializer reads relations its queryset does not load (DJS506)."""
        judge_views(self, path, facts, models)

    # ---- output ------------------------------------------------------------------------------

    def skip(self, path: str, chain: QueryChain, info: ModelInfo, why: str) -> None:
        self.analysis.unjudged.append(Unjudged("query-unknown", f"query {info.key[0]}.{info.name}", path, chain.span.line, why))

    def problem(self, code: str, path: str, span: Span, info: ModelInfo, message: str) -> None:
        self.analysis.problems.append(QueryProblem(code, path, span, message, info.key[0], info.name))


def build_queries(project: Any, store: Any, markers: Any) -> QueryAnalysis:
    """Read every module of the scanned tree for querysets and judge them."""
    from djstate.cache import Request
    from djstate.isolate import isolated

    catalog = project.serializers.catalog if project.serializers is not None else project_catalog(project, markers)
    modules = {m: p for m, p in project.tree.modules.items() if "/migrations/" not in f"/{p}" and not p.startswith("/")}
    facts = store.facts([Request(path, module, "queries") for module, path in sorted(modules.items())])
    registered = project_lookups(project, modules, facts)
    keeping = {f"{module}.{cls}": methods for module, path in modules.items() if facts[path].queries is not None
               for cls, methods in facts[path].queries.name_keeping.items()}  # fmt: skip
    passing = {f"{module}.{cls}": methods for module, path in modules.items() if facts[path].queries is not None
               for cls, methods in facts[path].queries.names_passing.items()}  # fmt: skip
    dicts = {f"{module}.{name}": kept for module, path in modules.items() if facts[path].queries is not None
             for name, kept in facts[path].queries.dict_keeping.items()}  # fmt: skip
    roots = tuple((project.root / folder).resolve() for folder in project.config.site_packages)
    outside = OutsideNames(roots, {m.split(".")[0] for m in project.tree.modules}) if roots else None
    reads = {f"{module}.{cls}": methods for module, path in modules.items() if facts[path].queries is not None
             for cls, methods in facts[path].queries.object_reads.items()}  # fmt: skip
    def read_queries(module: str, file: str) -> QueryFacts | None:
        return store.facts([Request(file, module, "queries")])[file].queries

    judge = QueryJudge(catalog, project.models_builder.resolver.value, registered, project.serializers, keeping, passing, dicts,
                       outside, reads, read_queries)  # fmt: skip
    for module, path in sorted(modules.items()):
        found = facts[path].queries
        if found is not None and (found.chains or found.uses):
            with isolated(project.internal_errors, f"queries of {module}", path):
                judge.module(path, found)
    return judge.analysis


def project_lookups(project: Any, modules: dict[str, str], facts: dict) -> RegisteredLookups:
    """The lookups the tree's modules register (``modules``: dotted name -> path)."""
    queries = {m: facts[p].queries for m, p in modules.items() if facts[p].queries is not None}
    return registered_lookups(queries, project.models_builder.resolver.value, lookup_table().get("lookup_classes", {}))
