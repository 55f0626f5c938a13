"""Loading a project: walk the tree, read the settings, find the apps and their labels, parse the
migrations (and those of the apps named in --site-packages folders), build the graph and replay
it. What comes out is a :class:`~djstate.project.Project`."""

from __future__ import annotations

import re
from pathlib import Path

from djstate.cache import FactsStore, Request
from djstate.config import Config
from djstate.django_version import find_django_version
from djstate.discover import AppDir, Tree, settings_module_from_manage, walk
from djstate.facts.model import AppConfigFacts, MigrationFile, SettingsFacts
from djstate.isolate import isolated
from djstate.project import App, Project
from djstate.state.operation_calls import resolve_operation_calls
from djstate.state.graph import DiGraph, GraphBuild, build_graph
from djstate.state.project import ProjectState, replay
from djstate.state.resolve import Resolver
from djstate.unverified import Unjudged

GRAPH_ATTRIBUTES = {"dependencies", "run_before", "replaces"}


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


def _installed(app: App, installed: set[str], config_owners: set[str]) -> bool:
    """Whether INSTALLED_APPS names the app, its config's name or a config of its ``apps`` module;
    ``config_owners`` holds each entry's parts before an ``.apps.`` (a set, not a scan per app)."""
    if app.module in installed or app.module in config_owners:
        return True
    return bool(app.config and app.config.name and app.config.name in installed)


def _config_owners(installed: list[str]) -> set[str]:
    """The ``m`` of each entry that starts with ``m + ".apps."`` (every such ``m`` of the entry)."""
    owners = set()
    for entry in installed:
        at = entry.find(".apps.")
        while at != -1:
            owners.add(entry[:at])
            at = entry.find(".apps.", at + 1)
    return owners


def _collect_apps(
    tree: Tree, store: FactsStore, settings: SettingsFacts, prefix: str = "", apps: list[AppDir] | None = None
) -> tuple[list[App], dict]:
    """Apps of one tree with their labels; duplicates of a label are returned second.

    ``prefix`` turns the tree's relative paths into the keys used for files (an absolute
    folder for trees outside the scanned root); ``apps`` limits the work to some of the tree's apps."""
    apps = tree.apps if apps is None else apps
    app_files = [
        Request(prefix + a.apps_file, f"{a.module}.apps" if a.module else "apps", "apps")
        for a in apps
        if a.apps_file
    ]
    app_files += [
        Request(prefix + a.config_file, a.module, "apps") for a in apps if a.config_file
    ]
    facts = store.facts(app_files)
    candidates: list[App] = []
    for app_dir in apps:
        config_path = app_dir.apps_file or app_dir.config_file
        configs = facts[prefix + config_path].app_configs if config_path else []
        label, config_facts = _label_for(app_dir, configs)
        candidates.append(App(label, app_dir.module, app_dir, config_facts))
    # Django refuses duplicate labels. Settings often extend INSTALLED_APPS at runtime, so it
    # only breaks ties: an installed app wins, then the shallowest.
    installed = settings.installed_apps or []
    entries, owners = set(installed), _config_owners(installed)
    candidates.sort(key=lambda a: (not _installed(a, entries, owners), a.dir.path.count("/"), a.dir.path))
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
    their migrations join the graph and the state, and are never reported on.

    Only the AppConfigs that may carry a wanted label are parsed: an app's label is its
    config's literal ``label`` or the last part of its ``name`` (both in the file's text), else
    its folder's name, so a config file whose text names no wanted label is never read with
    libcst. The label chosen is the one the whole folder would give (shallowest, then path)."""
    wanted = _external_labels(project)
    for folder in project.config.site_packages:
        site = (project.root / folder).resolve()
        if not site.is_dir():
            continue
        tree = walk(site)
        prefix = f"{site.as_posix()}/"
        store.consulted.update(prefix + a.path for a in tree.apps)  # which labels it has depends on them
        unread = list(tree.apps)  # apps whose label is not known yet
        labelled: list[App] = []
        while wanted:
            read = [a for a in unread if _may_carry(a, wanted, prefix)]
            if read:
                unread = [a for a in unread if a not in read]
                candidates, facts = _collect_apps(tree, store, SettingsFacts(), prefix, read)
                project.files.update(facts)
                labelled += candidates
            by_label: dict[str, App] = {}
            for app in sorted(labelled, key=lambda a: (a.dir.path.count("/"), a.dir.path)):
                by_label.setdefault(app.label, app)
            batch = [by_label[label] for label in sorted(wanted & set(by_label))]
            if not batch:
                break
            for app in batch:
                app.external = True
                project.apps[app.label] = app
            _load_migrations(project, batch, tree, store, prefix)
            wanted = _external_labels(project)
        modules.update({m: prefix + p for m, p in tree.modules.items() if m not in modules})


def _may_carry(app: AppDir, labels: set[str], prefix: str) -> bool:
    """Whether the app's label may be one of ``labels``, from its folder's name and its config
    file's bytes (no parse)."""
    if (app.module or app.path.rsplit("/", 1)[-1]).rpartition(".")[2] in labels:
        return True
    config_path = app.apps_file or app.config_file
    if not config_path:
        return False
    try:
        text = Path(prefix + config_path).read_bytes()
    except OSError:
        return True  # unreadable: the store records why
    return any(label.encode() in text for label in labels)


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

    resolver = Resolver(modules, _loader(store, "module"), manage_packages(tree), project.settings.strings)
    resolve_operation_calls(project.migrations, resolver)  # `operations = helper(...)` of another module
    with isolated(project.internal_errors, "the migrations' replay") as outcome:
        project.state = replay(
            project.graph.plan(), project.migrations, project.resolve_setting, resolver, project.django_version
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
        path = _module_path(tree, module)
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
            star_path = _module_path(tree, star)
            if star_path:
                merge(star_path, star, depth + 1)
        s = facts.settings
        merged.auth_user_model = s.auth_user_model or merged.auth_user_model
        merged.default_auto_field = s.default_auto_field or merged.default_auto_field
        merged.migration_modules.update(s.migration_modules)
        merged.strings.update(s.strings)
        if s.installed_apps is not None:
            merged.installed_apps = s.installed_apps

    merge(path, module or path[:-3].replace("/", "."), 0)
    project.settings = merged


def _module_path(tree: Tree, module: str) -> str | None:
    """A module's file as Django imports it: ``python label_studio/manage.py`` puts that folder
    first on sys.path, so ``core.settings.base`` is the tree's ``label_studio.core.settings.base``."""
    path = tree.modules.get(module)
    package = manage_package(tree) if path is None else None
    return tree.modules.get(f"{package}.{module}") if package else path


def manage_package(tree: Tree) -> str | None:
    """The package the tree's one manage.py lies in (its folder is first on sys.path when it runs)."""
    if len(tree.manage_files) != 1:
        return None
    packages = manage_packages(tree)
    return packages[0] if packages else None


def manage_packages(tree: Tree) -> tuple[str, ...]:
    """The packages the tree's manage.py files lie in: each folder is first on sys.path when
    its manage.py runs (coderedcms ships one per project template)."""
    packages = set()
    for folder in {manage.rsplit("/", 1)[0] for manage in tree.manage_files if "/" in manage}:
        for module, path in tree.modules.items():
            if path.startswith(folder + "/"):  # the folder's dotted name, as the tree names modules below it
                inner = path[len(folder) + 1:-3].replace("/", ".").removesuffix(".__init__").removesuffix("__init__")
                if not inner:
                    packages.add(module)
                elif module.endswith("." + inner):
                    packages.add(module[:-len(inner) - 1])
                break
    return tuple(sorted(packages))


# `INSTALLED_APPS: list[str] = []`: a helper command's settings (weblate's string extractor),
# not the project's
_EMPTY_INSTALLED_APPS = re.compile(rb"\bINSTALLED_APPS\s*(?::[^=\n]*)?=\s*(?:\[\s*\]|\(\s*\))")


def _only_settings_module(project: Project) -> str | None:
    """Without manage.py (a released wheel): the one non-test ``settings`` module, or module of
    a ``settings`` package, of the tree that defines INSTALLED_APPS (netbox.settings,
    mayan.settings.base), if there is exactly one. A module that only ever sets it to an
    empty list installs no app: it is not the project's settings."""
    found = []
    star_imported: set[bytes] = set()
    for module, path in project.tree.modules.items():
        parts = module.split(".")
        if "settings" not in parts[-2:] or any("test" in p or p in ("example", "examples", "docs") for p in parts):
            continue
        try:
            with open(project.root / path, "rb") as handle:
                head = handle.read(1_000_000)
        except OSError:
            continue
        if head.count(b"INSTALLED_APPS") > len(_EMPTY_INSTALLED_APPS.findall(head)):
            found.append(module)
            star_imported.update(_STAR_IMPORT.findall(head))
    # a candidate another one star-imports is its defaults, not the project's settings
    # (misago's devproject/settings.py: from misago.settings import *)
    found = [m for m in found if m.encode() not in star_imported] or found
    return found[0] if len(found) == 1 else None


_STAR_IMPORT = re.compile(rb"^from\s+([\w.]+)\s+import\s+\*", re.MULTILINE)


def _empty_graph() -> DiGraph:
    return DiGraph()


def _loader(store: FactsStore, kind: str):
    """A (path, module) -> ModuleFacts lookup through the facts store."""

    def load(path: str, module: str):
        return store.facts([Request(path, module, kind)])[path].module_facts

    return load
