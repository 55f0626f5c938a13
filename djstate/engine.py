"""discover -> cached facts -> project state -> rules -> findings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any
from pathlib import Path

from djstate.cache import FactsStore, Request
from djstate.config import Config
from djstate.django_version import find_django_version
from djstate.discover import AppDir, Tree, settings_module_from_manage, walk
from djstate.facts.model import AppConfigFacts, FileFacts, MigrationFile, SettingsFacts
from djstate.findings import Finding
from djstate.isolate import InternalError, isolated
from djstate.markers import SourceMarkers, source_markers
from djstate.unverified import Unjudged
from djstate.state.graph import GraphBuild, Key, build_graph
from djstate.state.project import ProjectState, replay
from djstate.state.resolve import Resolver

DEFAULT_AUTH_USER_MODEL = "auth.User"
GRAPH_ATTRIBUTES = {"dependencies", "run_before", "replaces"}


@dataclass
class App:
    label: str
    module: str
    dir: AppDir
    config: AppConfigFacts | None = None
    migrations_module: str | None = None
    migrated: bool = False
    external: bool = False  # loaded from --site-packages: used, never reported on


@dataclass
class Project:
    """Everything the rules may read. Built once per scan."""

    root: Path
    config: Config
    tree: Tree
    apps: dict[str, App] = field(default_factory=dict)
    shadowed_apps: list[App] = field(default_factory=list)
    settings: SettingsFacts = field(default_factory=SettingsFacts)
    settings_path: str | None = None
    files: dict[str, FileFacts] = field(default_factory=dict)
    migrations: dict[Key, MigrationFile] = field(default_factory=dict)
    migration_paths: dict[Key, str] = field(default_factory=dict)
    graph: GraphBuild | None = None
    models_state: Any = None  # built when a rule needs it (ModelsState)
    # dotted module -> file, for the tree and the site-packages folders the user named
    modules: dict[str, str] = field(default_factory=dict)
    drift: Any = None  # DriftResult
    models_builder: Any = None  # the ModelsBuilder behind models_state (class chains)
    serializers: Any = None  # SerializerAnalysis, when a rule needs it
    queries: Any = None  # QueryAnalysis (djstate.state.querysets), when a DJS5xx rule needs it
    # apps with a migration djstate could not parse, or whose dependencies are computed at
    # import time: their graph is incomplete
    broken_apps: set[str] = field(default_factory=set)
    state: ProjectState | None = None
    unverified: int = 0  # len(unjudged) once the scan is done
    unjudged: list[Unjudged] = field(default_factory=list)  # what was not judged, and why
    django_version: Any = None  # DjangoVersion: whose makemigrations the drift rules emulate
    # units (a file's facts, a model, a serializer, a rule, a stage) an unforeseen shape ended:
    # skipped, counted as unverified, reported as DJS000
    internal_errors: list[InternalError] = field(default_factory=list)
    # (len(apps), module -> app) for app_of_module; load_project resets it once apps are final
    _apps_by_module: tuple[int, dict[str, App]] | None = field(default=None, repr=False, compare=False)

    @property
    def auth_user_model_known(self) -> bool:
        return bool(self.settings.auth_user_model or self.config.auth_user_model)

    @property
    def auth_user_model(self) -> str:
        return (
            self.settings.auth_user_model or self.config.auth_user_model or DEFAULT_AUTH_USER_MODEL
        )

    def resolve_setting(self, name: str) -> str | None:
        if name == "AUTH_USER_MODEL":
            return self.auth_user_model
        return self.config.swappable.get(name)

    def app_of_module(self, module: str) -> App | None:
        """The app whose package holds the module (the innermost one)."""
        index = self._apps_by_module
        if index is None or index[0] != len(self.apps):
            by_module: dict[str, App] = {}
            for app in self.apps.values():
                if app.module:
                    by_module.setdefault(app.module, app)
            index = self._apps_by_module = (len(self.apps), by_module)
        by_module = index[1]
        while module:
            if module in by_module:
                return by_module[module]
            module = module.rpartition(".")[0]
        return None


@dataclass
class ScanResult:
    project: Project
    findings: list[Finding]
    seconds: float

    @property
    def stats(self) -> dict:
        p = self.project
        return {
            "files": p.tree.python_files,
            "apps": sum(1 for a in p.apps.values() if not a.external),  # the scanned tree's
            "migrations": len(p.migrations),
            "models": len(p.state.models) if p.state else 0,
            "unverified": len(p.unjudged),
            "judged": _judged(p),
            "seconds": round(self.seconds, 3),
            "django_version": p.django_version.as_dict() if p.django_version else None,
        }


def _judged(project: Project) -> dict:
    """How much of each layer was judged: [judged, total]."""
    out: dict = {}
    if project.drift is not None:
        out["models"] = [project.drift.models_compared, project.drift.models_total]
    if project.serializers is not None:
        checked = [s for s in project.serializers.serializers if s.is_model and not s.file.startswith("/")]
        judged = sum(1 for s in checked if project.serializers.result(s).names_certain)
        out["serializers"] = [judged, len(checked)]
    return out


def _label_for(app: AppDir, configs: list[AppConfigFacts]) -> tuple[str, AppConfigFacts | None]:
    chosen = None
    if len(configs) == 1:
        chosen = configs[0]
    else:
        defaults = [c for c in configs if c.default]
        if len(defaults) == 1:
            chosen = defaults[0]
    if chosen is not None:
        if chosen.label:
            return chosen.label, chosen
        if chosen.name:
            return chosen.name.rpartition(".")[2], chosen
    name = app.module or app.path.rsplit("/", 1)[-1]
    return name.rpartition(".")[2], chosen


def _installed(app: App, installed: list[str]) -> bool:
    names = {app.module}
    if app.config and app.config.name:
        names.add(app.config.name)
        names.add(f"{app.module}.apps.{app.config.class_name}")
    return any(entry in names or entry.startswith(app.module + ".apps.") for entry in installed)


def _collect_apps(
    tree: Tree, store: FactsStore, settings: SettingsFacts, prefix: str = ""
) -> tuple[list[App], dict]:
    """Apps of one tree with their labels; duplicates of a label are returned second.

    ``prefix`` turns the tree's relative paths into the keys used for files (an absolute
    folder for trees outside the scanned root)."""
    app_files = [
        Request(prefix + a.apps_file, f"{a.module}.apps" if a.module else "apps", "apps")
        for a in tree.apps
        if a.apps_file
    ]
    app_files += [
        Request(prefix + a.config_file, a.module, "apps") for a in tree.apps if a.config_file
    ]
    facts = store.facts(app_files)
    candidates: list[App] = []
    for app_dir in tree.apps:
        config_path = app_dir.apps_file or app_dir.config_file
        configs = facts[prefix + config_path].app_configs if config_path else []
        label, config_facts = _label_for(app_dir, configs)
        candidates.append(App(label, app_dir.module, app_dir, config_facts))
    # Django refuses duplicate labels. Settings often extend INSTALLED_APPS at runtime, so it
    # only breaks ties: an installed app wins, then the shallowest.
    installed = settings.installed_apps or []
    candidates.sort(key=lambda a: (not _installed(a, installed), a.dir.path.count("/"), a.dir.path))
    return candidates, facts


def _load_migrations(
    project: Project, apps: list[App], tree: Tree, store: FactsStore, prefix: str = ""
) -> None:
    """Parse the migrations of ``apps`` (honouring MIGRATION_MODULES) into the project."""
    requests = []
    for app in apps:
        override = project.settings.migration_modules.get(app.label, "") if not prefix else ""
        if override is None:
            continue
        if override:
            # a module path; anything else (a value built at runtime) cannot be followed
            mig_dir = tree.modules.get(override) if isinstance(override, str) else None
            if mig_dir is None:
                continue
            app.dir.migrations_dir = mig_dir.rsplit("/", 1)[0]
        if app.dir.migrations_dir is None:
            continue
        app.migrations_module = override or (
            f"{app.module}.migrations" if app.module else "migrations"
        )
        app.migrated = app.dir.migrations_has_init
        if not app.migrated:
            continue  # Django ignores a migrations folder without __init__.py
        for path in app.dir.migration_files:
            name = path.rsplit("/", 1)[-1][:-3]
            requests.append(Request(prefix + path, f"{app.migrations_module}.{name}", "migration"))
    facts = store.facts(requests)
    # a folder whose modules define no Migration class at all is not a migrations package
    # (django/db/migrations/writer.py holds one only inside a template string)
    real_dirs = {
        r.path.rsplit("/", 1)[0]
        for r in requests
        if facts[r.path].problem is not None
        or r.path in store.failed
        or (facts[r.path].migration and facts[r.path].migration.class_span)
    }
    for app in apps:
        if app.migrated and prefix + app.dir.migrations_dir not in real_dirs:
            app.migrated = False
            app.dir.migrations_dir = None
            if not app.dir.apps_file and not any(
                f.endswith("/models.py") or f == "models.py" for f in app.dir.models_files
            ):
                project.apps.pop(
                    app.label, None
                )  # the bar discovery sets for apps without migrations
    requests = [r for r in requests if r.path.rsplit("/", 1)[0] in real_dirs]
    project.files.update({r.path: facts[r.path] for r in requests})
    label_of_dir = {prefix + a.dir.migrations_dir: a.label for a in apps if a.migrated}
    for request in requests:
        file_facts = facts[request.path]
        label = label_of_dir[request.path.rsplit("/", 1)[0]]
        key = (label, request.path.rsplit("/", 1)[-1][:-3])
        project.migration_paths[key] = request.path
        if file_facts.problem is not None or request.path in store.failed:
            # unknown content: keep the node so dependents resolve
            project.migrations[key] = MigrationFile(name=key[1], class_span=None)
        elif file_facts.migration is not None and file_facts.migration.class_span is not None:
            project.migrations[key] = file_facts.migration


def _load_site_packages(project: Project, store: FactsStore, modules: dict[str, str]) -> None:
    """Apps the project depends on but does not contain, from the folders the user named:
    their migrations join the graph and the state, and are never reported on."""
    wanted = _external_labels(project)
    for folder in project.config.site_packages:
        site = (project.root / folder).resolve()
        if not site.is_dir():
            continue
        tree = walk(site)
        prefix = f"{site.as_posix()}/"
        candidates, facts = _collect_apps(tree, store, SettingsFacts(), prefix)
        project.files.update(facts)
        by_label: dict[str, App] = {}
        for app in candidates:
            by_label.setdefault(app.label, app)
        while wanted & set(by_label):
            batch = [by_label.pop(label) for label in sorted(wanted & set(by_label))]
            for app in batch:
                app.external = True
                project.apps[app.label] = app
            _load_migrations(project, batch, tree, store, prefix)
            wanted = _external_labels(project)
        modules.update({m: prefix + p for m, p in tree.modules.items() if m not in modules})


def _external_labels(project: Project) -> set[str]:
    labels = set()
    for migration in project.migrations.values():
        for dep in migration.dependencies:
            app = dep.app
            if dep.setting is not None:
                value = project.resolve_setting(dep.setting)
                app = value.split(".", 1)[0] if value else None
            if app and app not in project.apps:
                labels.add(app)
    return labels


def load_project(root: Path, config: Config, store: FactsStore) -> Project:
    tree = walk(root, config.exclude)
    project = Project(root=root, config=config, tree=tree)
    project.django_version = find_django_version(root, config.django_version, config.site_packages)
    # settings: the configured module, else the one manage.py names
    with isolated(project.internal_errors, "the settings", project.settings_path or ""):
        _load_settings(project, store)
    candidates, facts = _collect_apps(tree, store, project.settings)
    project.files.update(facts)
    for app in candidates:
        if app.label in project.apps:
            project.shadowed_apps.append(app)
            kept = project.apps[app.label]
            project.unjudged.append(Unjudged("duplicate-app-label", f"app {app.label}", app.dir.path, 0,
                                             f"{kept.dir.path or '.'} is judged under that label"))
        else:
            project.apps[app.label] = app
    _load_migrations(project, list(project.apps.values()), tree, store)
    modules = dict(tree.modules)
    if config.site_packages:
        _load_site_packages(project, store, modules)
    project.modules = modules

    migrated = {label for label, app in project.apps.items() if app.migrated}
    with isolated(project.internal_errors, "the migration graph") as outcome:
        project.graph = build_graph(
            project.migrations, migrated, set(project.apps), project.resolve_setting
        )
    graph_failed = outcome.failed
    if graph_failed:  # no graph: nothing is planned, every app's migration state is unknown
        project.graph = GraphBuild(_empty_graph())
        project.broken_apps.update(project.apps)
    for origin, dep in project.graph.external:
        project.unjudged.append(Unjudged(
            "dependency-outside-tree", f"migration {origin[0]}.{origin[1]}", project.migration_paths.get(origin, ""),
            0, f"depends on {dep.setting or dep.app}",
        ))  # fmt: skip
    for cycle in project.graph.cycles:  # Django plans nothing; the replay order is arbitrary
        project.broken_apps.update(app for app, _ in cycle)

    resolver = Resolver(modules, _loader(store, "module"))
    with isolated(project.internal_errors, "the migrations' replay") as outcome:
        project.state = replay(
            project.graph.plan(), project.migrations, project.resolve_setting, resolver
        )
    if outcome.failed or graph_failed:
        project.state = ProjectState(uncertain_apps=set(project.apps))
    # an unparsable migration leaves its app's state unknown
    for key, path in project.migration_paths.items():
        if project.files[path].problem is not None or path in store.failed:
            project.state.uncertain_apps.add(key[0])
            project.state.uncertain_why[key[0]] = ("unparsable", f"{path} cannot be read")
            project.broken_apps.add(key[0])
        elif (
            key in project.migrations
            and set(project.migrations[key].opaque_attributes) & GRAPH_ATTRIBUTES
        ):
            project.broken_apps.add(key[0])  # dependencies computed at import time
    # Django stops at a missing dependency (NodeNotFoundError) or a cycle: DJS102/DJS103 say so,
    # and the app's replayed state, built in an order Django never runs, is not judged
    broken = [(m.key, f"depends on missing {m.target[0]}.{m.target[1]}") for m in project.graph.missing]
    broken += [(cycle[0], "is in a dependency cycle") for cycle in project.graph.cycles]
    for key, detail in broken:
        for app in {key[0]} | ({k[0] for c in project.graph.cycles for k in c} if "cycle" in detail else set()):
            project.broken_apps.add(app)
            project.state.uncertain_apps.add(app)
            project.state.uncertain_why.setdefault(app, ("broken-graph", f"{key[0]}.{key[1]} {detail}"))
    project.unjudged += project.state.unjudged
    project._apps_by_module = None  # the apps are final now
    return project


def _load_settings(project: Project, store: FactsStore) -> None:
    tree = project.tree
    module = project.config.settings
    path = None
    if module and (module.endswith(".py") or "/" in module):
        path = module
    elif not module and len(tree.manage_files) == 1:
        try:
            text = (project.root / tree.manage_files[0]).read_text(
                encoding="utf-8", errors="replace"
            )
        except OSError:
            text = ""
        module = settings_module_from_manage(text)
    if path is None and module:
        path = tree.modules.get(module)
    if path is None and not module and not tree.manage_files:
        module = _only_settings_module(project)
        path = tree.modules.get(module) if module else None
    if path is None:
        return
    project.settings_path = path
    merged = SettingsFacts()
    seen: set[str] = set()

    def merge(rel: str, mod: str, depth: int) -> None:
        if rel in seen or depth > 5:
            return
        seen.add(rel)
        facts = store.facts([Request(rel, mod, "settings")])[rel]
        project.files[rel] = facts
        if facts.settings is None:
            return
        for star in facts.settings.star_imports:
            star_path = tree.modules.get(star)
            if star_path:
                merge(star_path, star, depth + 1)
        s = facts.settings
        merged.auth_user_model = s.auth_user_model or merged.auth_user_model
        merged.default_auto_field = s.default_auto_field or merged.default_auto_field
        merged.migration_modules.update(s.migration_modules)
        if s.installed_apps is not None:
            merged.installed_apps = s.installed_apps

    merge(path, module or path[:-3].replace("/", "."), 0)
    project.settings = merged


def _only_settings_module(project: Project) -> str | None:
    """Without manage.py (a released wheel): the one non-test ``settings`` module, or module of
    a ``settings`` package, of the tree that defines INSTALLED_APPS (netbox.settings,
    mayan.settings.base), if there is exactly one."""
    found = []
    for module, path in project.tree.modules.items():
        parts = module.split(".")
        if "settings" not in parts[-2:] or any("test" in p or p in ("example", "examples", "docs") for p in parts):
            continue
        try:
            with open(project.root / path, "rb") as handle:
                head = handle.read(1_000_000)
        except OSError:
            continue
        if b"INSTALLED_APPS" in head:
            found.append(module)
    return found[0] if len(found) == 1 else None


def scan(root: Path, config: Config, store: FactsStore, select: tuple[str, ...] = ()) -> ScanResult:
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
                project.django_version.version if project.django_version else None,
            )  # fmt: skip
            if project.django_version is not None and project.django_version.below_supported:
                # a Django older than any whose autodetector djstate emulates (on_delete was
                # optional before 2.0): every model comparison is left unjudged
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

            with isolated(errors, "the queries") as outcome:
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
    return ScanResult(project, findings, time.perf_counter() - start)


INTERNAL_ERROR = "DJS000"


def _empty_graph():
    import networkx as nx

    return nx.DiGraph()


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


def _loader(store: FactsStore, kind: str):
    """A (path, module) -> ModuleFacts lookup through the facts store."""

    def load(path: str, module: str):
        return store.facts([Request(path, module, kind)])[path].module_facts

    return load


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
        app = project.apps.get(label)
        declared = app.config.default_auto_field if app and app.config else None
        if isinstance(declared, str):
            return declared
        if declared is not None:
            return None  # computed (e.g. from the package's own settings)
        # without a settings module or config saying it, DEFAULT_AUTO_FIELD is unknown
        return project.settings.default_auto_field or project.config.default_auto_field

    builder = ModelsBuilder(
        Resolver(modules, _loader(store, "module")), _loader(store, "models"), modules, app_of, auto_field,
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
    from djstate.state.catalog import ModelCatalog
    from djstate.state.serializers import SerializerAnalysis, SerializerIndex

    builder = project.models_builder
    modules = project.modules or project.tree.modules
    index = SerializerIndex(builder.resolver, builder.class_facts, modules)
    external = set()
    for setting in ("AUTH_USER_MODEL", *project.config.swappable):
        target = project.resolve_setting(setting)
        if target and "." in target:
            label, _, name = target.partition(".")
            external.add((label, name.lower()))
    class_names = set().union(*markers.class_names.values()) if markers.class_names else set()
    catalog = ModelCatalog(
        project.models_state, builder, project.resolve_setting, external, markers.runtime_fields,
        markers.related_names, class_names,
    )  # fmt: skip
    catalog.dynamic_attributes = markers.dynamic_attributes
    catalog.class_attributes = markers.class_attributes | markers.runtime_fields
    catalog.class_attribute_owners = markers.class_attribute_owners
    catalog.url_field_names = {"url"} | markers.url_field_names
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
