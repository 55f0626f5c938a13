"""discover -> cached facts -> project state -> rules -> findings.

:mod:`djstate.project` holds the data the rules read, :mod:`djstate.load` builds it; this module
runs a scan: the models state, the drift, the serializers and queries when a rule needs them,
then the rules."""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from pathlib import Path

from djstate.cache import FactsStore, Request
from djstate.config import Config
from djstate.discover import walk
from djstate.findings import Finding
from djstate.isolate import InternalError, isolated
from djstate.load import _empty_graph, _loader, load_project, manage_packages
from djstate.markers import SourceMarkers, query_prefilter, source_markers
from djstate.project import App, Project, ScanResult
from djstate.state.graph import GraphBuild
from djstate.state.project import ProjectState
from djstate.state.resolve import Resolver
from djstate.unverified import Unjudged

__all__ = ["App", "Project", "ScanResult", "build_models_state", "build_serializers", "load_project", "scan"]


def scan(root: Path, config: Config, store: FactsStore, select: tuple[str, ...] = ()) -> ScanResult:
    # A scan builds millions of objects that live until it ends (facts, states, catalogs), and
    # hardly any reference cycle among them dies young: the cyclic collector's passes over them
    # were a quarter of a warm scan's time at 500 apps. Reference counting frees the rest.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan(root, config, store, select)
    finally:
        if enabled:
            gc.enable()


def _scan(root: Path, config: Config, store: FactsStore, select: tuple[str, ...]) -> ScanResult:
    from djstate.rules import all_rules

    start = time.perf_counter()
    first_store_error = len(store.internal_errors)
    loading: list[InternalError] = []
    with isolated(loading, "the project (apps and migrations)") as outcome:
        project = load_project(root, config, store)
    if outcome.failed:  # nothing is known but the folders: only they and the error are reported
        project = Project(root=root, config=config, tree=walk(root, config.exclude), internal_errors=loading)
        project.graph, project.state = GraphBuild(_empty_graph()), ProjectState()
        select = (INTERNAL_ERROR, "DJS106")
    findings: list[Finding] = []
    rules = [
        r for r in all_rules()
        if r.code == INTERNAL_ERROR
        or ((not select or any(r.code.startswith(s) for s in select)) and (outcome.failed or config.rule_enabled(r.code)))
    ]  # fmt: skip
    rules.sort(key=lambda r: r.code == INTERNAL_ERROR)  # it reports what the others ran into
    errors = project.internal_errors
    if any(
        getattr(r, "needs_models", False) or getattr(r, "needs_serializers", False) for r in rules
    ):
        from djstate.state.drift import DriftResult, compare_states

        with isolated(errors, "the models state") as outcome:
            project.models_state = build_models_state(project, store)
            markers = source_markers(project, store)
            _unparsable_sources(project, store, markers)  # DJS100, and their apps' deletions unjudged
            project.drift = compare_states(
                project.models_state, project.state, project.apps, markers.runtime_fields, project.migration_paths,
                lambda app, name: markers.class_defined(project, app, name),
                frozenset() if project.auth_user_model_known else frozenset({project.auth_user_model.lower()}),
                project.django_version.compared if project.django_version else None,
            )  # fmt: skip
            if project.django_version is not None and project.django_version.below_supported and not project.django_version.pinned:
                # older than any Django with migrations (1.7): every model comparison is left
                # unjudged; 1.7 to 3.1 are compared where they agree with 3.2 (state/old_django.py)
                compared = sorted(k for k in project.models_state.models if k in project.state.models)
                skipped = [Unjudged("django-version", f"model {a}.{m}", detail=project.django_version.detail) for a, m in compared]
                project.drift = DriftResult([], len(skipped), project.drift.internal_errors, skipped)
            project.unjudged += project.drift.unjudged
        if outcome.failed:  # the model and serializer rules have nothing to judge
            project.models_state = project.drift = None
        elif any(getattr(r, "needs_serializers", False) for r in rules):
            with isolated(errors, "the serializers") as outcome:
                project.serializers = build_serializers(project, store, markers)
            _unparsable_sources(project, store, markers)
            if outcome.failed:
                project.serializers = None
            else:
                project.unjudged += project.serializers.unjudged + project.serializers.silenced_names()
        if project.drift is not None and any(getattr(r, "needs_queries", False) for r in rules):
            from djstate.state.querysets import build_queries

            with isolated(errors, "the queries") as outcome, query_prefilter(project, store, markers):
                project.queries = build_queries(project, store, markers)
            if outcome.failed:
                project.queries = None
            else:
                project.unjudged += project.queries.unjudged
    for rule in rules:
        if rule.code == INTERNAL_ERROR:
            _gather_internal_errors(project, store.internal_errors[first_store_error:])
        elif getattr(rule, "needs_models", False) and project.drift is None:
            continue
        elif getattr(rule, "needs_serializers", False) and project.serializers is None:
            continue
        elif getattr(rule, "needs_queries", False) and project.queries is None:
            continue
        with isolated(errors, f"rule {rule.code}"):  # its findings until then stand
            for finding in rule.check(project):
                if not finding.path.startswith("/") or rule.code == INTERNAL_ERROR:
                    findings.append(finding)
    from djstate.suppression import apply_policy  # severity overrides, per-file ignores, # djstate: ignore

    findings = apply_policy(project, findings, [r.code for r in rules])
    findings.sort()
    project.unverified = len(project.unjudged)
    store.evict_if_needed()
    store.close()  # the parse workers, if any ran
    return ScanResult(project, findings, time.perf_counter() - start)


INTERNAL_ERROR = "DJS000"


def _unparsable_sources(project: Project, store: FactsStore, markers: SourceMarkers) -> None:
    """Models and serializer modules of the tree that could not be read or parsed join
    ``project.files`` (DJS100 names them); an app with such a module gets no DeleteModel."""
    for request, facts in store.problems("models"):
        if not request.path.startswith("/") and request.path not in project.files:
            project.files[request.path] = facts
            markers.unreadable.add(request.module)


def _gather_internal_errors(project: Project, store_errors: list[InternalError]) -> None:
    """Every unit's internal errors into ``project.internal_errors``, each counted unverified."""
    where = {  # a migration the replay skipped: at its Migration class
        f"migration {key[0]}.{key[1]}": (path, getattr(project.migrations[key].class_span, "line", 0))
        for key, path in project.migration_paths.items() if key in project.migrations
    }  # fmt: skip
    parts = [
        store_errors,
        [replace(e, path=where[e.unit][0], line=where[e.unit][1]) if e.unit in where else e
         for e in getattr(project.state, "internal_errors", [])],  # fmt: skip
        getattr(project.models_builder, "internal_errors", []),
        getattr(project.drift, "internal_errors", []),
        getattr(project.serializers, "internal_errors", []),
    ]
    seen = {(e.unit, e.path, e.summary) for e in project.internal_errors}
    for error in (e for part in parts for e in part):
        if (error.unit, error.path, error.summary) not in seen:
            seen.add((error.unit, error.path, error.summary))
            project.internal_errors.append(error)
    project.unjudged += [Unjudged("internal-error", e.unit, e.path, e.line, e.summary) for e in project.internal_errors]


def build_models_state(project: Project, store: FactsStore):
    """The state the models describe (``ModelState.from_model`` for each model)."""
    from djstate.state.models import ModelsBuilder

    modules = (
        project.modules or project.tree.modules
    )  # with --site-packages, bases resolve there too

    def app_of(module: str) -> str | None:
        app = project.app_of_module(module)
        return app.label if app else None

    def auto_field(label: str) -> str | None:
        """AppConfig.default_auto_field, else DEFAULT_AUTO_FIELD; None when code decides it."""
        if project.django_version is not None and project.django_version.below_supported:
            return "django.db.models.AutoField"  # before 3.2 (Options._prepare of 1.11): no setting chose it
        app = project.apps.get(label)
        declared = app.config.default_auto_field if app and app.config else None
        if isinstance(declared, str):
            return declared
        if declared is not None:
            return None  # computed (e.g. from the package's own settings)
        # without a settings module or config saying it, DEFAULT_AUTO_FIELD is unknown
        return project.settings.default_auto_field or project.config.default_auto_field

    builder = ModelsBuilder(
        Resolver(modules, _loader(store, "module"), manage_packages(project.tree), project.settings.strings),
        _loader(store, "models"), modules, app_of, auto_field,
        project.resolve_setting,
    )  # fmt: skip
    for module in _model_modules(project, store):
        with isolated(builder.internal_errors, f"models module {module}", modules.get(module, "")):
            builder.add_module(module)
    project.models_builder = builder
    return builder.state


def _model_modules(project: Project, store: FactsStore) -> list[str]:
    """Each app's ``models`` module or package, and the app's own modules they import from
    (models defined elsewhere and imported into models.py count, as Django sees them).
    Each round of modules is parsed in one batch, in parallel when cold."""
    modules = project.tree.modules
    apps_of: dict[str, list[App]] = {}  # app module -> its apps (a module may be two apps' in theory)
    for app in project.apps.values():
        if not app.external and app.module:
            apps_of.setdefault(app.module, []).append(app)
    # one pass over the modules: `<app>.models` and `<app>.models.*`, each app's in module order
    per_app: dict[int, list[tuple[App, str]]] = {}
    for module in modules:
        parts = module.split(".")
        for i, part in enumerate(parts):
            if part == "models" and i:
                for app in apps_of.get(".".join(parts[:i]), ()):
                    per_app.setdefault(id(app), []).append((app, module))
    frontier = [pair for app in project.apps.values() for pair in per_app.get(id(app), ())]
    seen = {m for _, m in frontier}
    found: list[str] = []
    while frontier:
        facts = store.facts([Request(modules[m], m, "models") for _, m in frontier])
        following = []
        for app, module in frontier:
            if project.app_of_module(module) is not app:
                continue  # a nested package that is an app of its own
            found.append(module)
            module_facts = facts[modules[module]].module_facts
            targets = (
                [*module_facts.names.values(), *module_facts.star_imports] if module_facts else []
            )
            for target in targets:
                for candidate in (target, target.rpartition(".")[0]):
                    if (
                        candidate in modules
                        and candidate.startswith(app.module + ".")
                        and candidate not in seen
                    ):
                        seen.add(candidate)
                        following.append((app, candidate))
        frontier = following
    return sorted(set(found))


_source_markers = source_markers  # the name tests/test_oracle_serializers.py imports


def build_serializers(project: Project, store: FactsStore, markers: SourceMarkers):
    """Every DRF serializer of the tree, with what DRF would build for it."""
    from djstate.state.project_catalog import project_catalog
    from djstate.state.serializer_classes import SerializerIndex
    from djstate.state.serializers import SerializerAnalysis

    builder = project.models_builder
    modules = project.modules or project.tree.modules
    index = SerializerIndex(builder.resolver, builder.class_facts, modules)
    catalog = project_catalog(project, markers)
    catalog.store = store  # its bundles keep the virtualenv's reverse-accessor bound by content
    candidates = sorted(
        m for m in markers.serializer_modules | markers.view_modules if m in project.tree.modules
    )
    facts = store.facts([Request(modules[m], m, "models") for m in candidates])
    analysis = SerializerAnalysis(
        index, catalog, project.auth_user_model if project.auth_user_model_known else None
    )
    for module in candidates:
        module_facts = facts[modules[module]].module_facts
        if module_facts is None:
            continue
        for name, body in module_facts.class_bodies.items():
            analysis.add(f"{module}.{name}", modules[module], body.span.line)
    analysis.save_hooks = markers.save_hooks
    # a view routed only through as_view({...}) mappings without "create" never creates
    analysis.create_views = [
        v for v in analysis.create_views
        if v.path.rsplit(".", 1)[-1] not in markers.view_actions
        or v.path.rsplit(".", 1)[-1] in markers.views_routed_whole
        or "create" in markers.view_actions[v.path.rsplit(".", 1)[-1]]
    ]  # fmt: skip
    return analysis
