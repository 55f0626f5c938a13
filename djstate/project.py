"""What the rules read: the scanned project's apps, files, migration graph, replayed state and
the analyses built on them (plain data; :mod:`djstate.load` fills it, :mod:`djstate.engine`
runs the scan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from djstate.config import Config
from djstate.discover import AppDir, Tree
from djstate.facts.model import AppConfigFacts, FileFacts, MigrationFile, SettingsFacts
from djstate.findings import Finding
from djstate.isolate import InternalError
from djstate.unverified import Unjudged

if TYPE_CHECKING:
    from djstate.state.graph import GraphBuild, Key
    from djstate.state.project import ProjectState

DEFAULT_AUTH_USER_MODEL = "auth.User"


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
