"""``djstate mcp``: a stdio MCP server that answers questions about a project's current state.

Built on the official ``mcp`` SDK (the optional extra ``djstate[mcp]``). The project is scanned
once and kept warm; a call rescans only when a ``.py`` file of the tree changed since (the
facts cache makes that rescan parse only the changed files). Every answer comes from source,
as ``djstate scan`` reads it: nothing is imported.

Tools: ``list_apps``, ``describe_model``, ``resolve_lookup`` (``djstate.state.lookups``, as the
DJS5xx rules walk query names), ``reverse_names``, ``migration_tail``, ``check_code``,
``next_migration`` and ``schema_diff``. Each returns JSON text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from djstate.cache import FactsStore, default_cache_dir
from djstate.config import load_config
from djstate.snapshot import context as snapshot
from djstate.snapshot.relations import model_relations

INSTRUCTIONS = (
    "djstate reads this Django project's models, migrations and DRF serializers from source and "
    "answers from their current state. Ask before writing a query name, a migration or a serializer."
)
NUMBERED = re.compile(r"^(\d{4})_")


class WarmProject:
    """One scan of the project, redone when a Python file's size or mtime changes."""

    def __init__(self, root: Path, overrides: dict | None = None) -> None:
        self.root = root.resolve()
        self.overrides = overrides or {}
        self.config = load_config(self.root, self.overrides, find_venv=True)
        self.store = FactsStore(self.root, default_cache_dir())
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._result: Any = None

    def _fingerprint(self) -> tuple:
        stamps = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
            for name in files:
                if name.endswith(".py") or name == "pyproject.toml":
                    stat = os.stat(os.path.join(folder, name))
                    stamps.append((folder, name, stat.st_size, stat.st_mtime_ns))
        return tuple(sorted(stamps))

    def result(self):
        from djstate.engine import scan

        with self._lock:
            stamp = self._fingerprint()
            if stamp != self._stamp:
                self._result = scan(self.root, self.config, self.store)
                self._stamp = stamp
            return self._result


def _model_key(result: Any, model: str) -> tuple[str, str]:
    """"app.Model" (any case) to the state's key; ValueError with the known names otherwise."""
    label, _, name = model.partition(".")
    state = result.project.models_state
    key = (label, name.lower())
    if not name or state is None or key not in state.models:
        known = sorted(f"{a}.{m.name}" for (a, _), m in (state.models.items() if state else []))
        close = [k for k in known if k.lower().endswith("." + name.lower())] or known[:20]
        raise ValueError(f"no model {model!r}; known: {', '.join(close)}")
    return key


def list_apps(warm: WarmProject) -> dict:
    result = warm.result()
    project = result.project
    apps = []
    for label, app in sorted(project.apps.items()):
        if app.external:
            continue
        apps.append({
            "app": label, "folder": app.dir.path or ".",
            "models": sorted(m.name for (a, _), m in project.models_state.models.items() if a == label) if project.models_state else [],
            "leaves": [name for _, name in project.graph.leaf_nodes(label)],
            "findings": sum(1 for f in result.findings if f.app == label),
        })  # fmt: skip
    return {"apps": apps}


def describe_model(warm: WarmProject, model: str) -> dict:
    result = warm.result()
    key = _model_key(result, model)
    data = snapshot.app_snapshot(result, key[0])
    name = result.project.models_state.models[key].name
    entry = next(m for m in data["models"] if m["name"] == name)
    methods = {path: data["managers"][path] for path in data["managers"]
               if any(path.rsplit(".", 1)[-1] in m for m in entry.get("managers", []))}  # fmt: skip
    serializers = [s for s in data["serializers"] if s["model"] == name]
    findings = [f for f in data["findings"] if f"{key[0]}.{name}" in f["message"]]
    entry = {**entry, "fields": data["common_fields"] + entry["fields"]}  # the snapshot lists the app's common fields once
    return {"model": f"{key[0]}.{name}", **entry, "manager_methods": methods, "serializers": serializers, "findings": findings}


def reverse_names(warm: WarmProject, model: str) -> dict:
    result = warm.result()
    key = _model_key(result, model)
    project = result.project
    relations = model_relations(project.models_state, project.resolve_setting, getattr(project.models_builder, "_chain", None))
    return {
        "model": f"{key[0]}.{project.models_state.models[key].name}",
        "reverse": [{"accessor": r.accessor, "query_name": r.query_name, "from": f"{r.source[0]}.{r.source_name}.{r.field}",
                     "kind": r.kind} for r in relations if r.target == key],  # fmt: skip
        "forward": [{"name": r.field, "to": r.target_text, "kind": r.kind, "related_name": r.accessor,
                     "related_query_name": r.query_name} for r in relations if r.source == key],  # fmt: skip
    }


def resolve_lookup(warm: WarmProject, model: str, lookup: str) -> dict:
    from djstate.state.lookups import LookupResolver, describe

    result = warm.result()
    key = _model_key(result, model)
    analysis = result.project.serializers
    if analysis is None:
        return {"status": "unknown", "detail": "the models could not be read"}
    info = analysis.catalog.info(key)
    if info is None:
        return {"status": "unknown", "detail": f"{model} is not known to djstate completely"}
    resolution = LookupResolver(analysis.catalog).resolve(info, lookup, "filter", set())
    out: dict[str, Any] = {"status": resolution.status, "lookup": lookup, "model": describe(info)}
    out["walked"] = [{"name": name, "kind": hop.kind, "to": f"{hop.related[0]}.{hop.related[1]}"} for name, hop in resolution.hops]
    if resolution.status == "error":
        out.update({"kind": resolution.kind, "part": resolution.part, "on": describe(resolution.model) if resolution.model else None,
                    "suggestion": resolution.suggestion, "detail": resolution.detail})  # fmt: skip
    elif resolution.detail:
        out["detail"] = resolution.detail
    return out


def migration_tail(warm: WarmProject, app: str, n: int = 5) -> dict:
    result = warm.result()
    project = result.project
    if app not in project.apps:
        raise ValueError(f"no app {app!r}; apps: {', '.join(sorted(a for a, v in project.apps.items() if not v.external))}")
    plan = [k for k in project.graph.plan() if k[0] == app][-max(n, 0):] if n > 0 else []
    tail = []
    for key in plan:
        migration = project.migrations.get(key)
        if migration is not None:
            tail.append({"name": key[1], "path": project.migration_paths.get(key),
                         "dependencies": [f"{d.app or d.setting}.{d.name}" for d in migration.dependencies],
                         "operations": [snapshot.operation_line(op) for op in migration.operations]})  # fmt: skip
    return {"app": app, "leaves": [name for _, name in project.graph.leaf_nodes(app)], "migrations": tail}


def next_migration(warm: WarmProject, app: str) -> dict:
    """The number and dependencies ``makemigrations`` would give the app's next migration."""
    result = warm.result()
    project = result.project
    if app not in project.apps:
        raise ValueError(f"no app {app!r}")
    leaves = [name for _, name in project.graph.leaf_nodes(app)]
    numbers = [int(m[1]) for a, name in project.migrations if a == app for m in [NUMBERED.match(name)] if m]
    number = f"{max(numbers, default=0) + 1:04d}"
    out = {"app": app, "number": number, "dependencies": [[app, leaf] for leaf in leaves]}
    if len(leaves) > 1:
        out["note"] = f"{len(leaves)} leaves: the next migration must merge them (makemigrations --merge)"
        out["name"] = f"{number}_merge"
    elif not leaves:
        out["name"] = "0001_initial"
        out["note"] = "the app has no migrations yet"
    else:
        out["name"] = f"{number}_<description>"
    return out


def check_code(warm: WarmProject, path: str, snippet: str | None = None) -> dict:
    """The findings for one file of the project; with ``snippet``, as if the file held it
    (scanned in a hard-linked copy of the project, the original untouched)."""
    target = (warm.root / path).resolve()
    if warm.root not in target.parents:
        raise ValueError(f"{path} is not inside the project")
    relative = target.relative_to(warm.root).as_posix()
    if snippet is None:
        result = warm.result()
    else:
        from djstate.engine import scan

        with tempfile.TemporaryDirectory(prefix="djstate-mcp-") as scratch:
            copy = Path(scratch) / "project"
            shutil.copytree(warm.root, copy, copy_function=_link, ignore=shutil.ignore_patterns(".git", "node_modules", "__pycache__"), symlinks=True)
            written = copy / relative
            written.parent.mkdir(parents=True, exist_ok=True)
            if written.exists():
                written.unlink()  # a hard link: never write through it
            written.write_text(snippet, encoding="utf-8")
            result = scan(copy, load_config(copy, warm.overrides, find_venv=True), FactsStore(copy, default_cache_dir()))
    findings = [f.as_dict() for f in result.findings if f.path == relative]
    return {"path": relative, "findings": findings, "checked": "snippet" if snippet is not None else "file on disk"}


def _link(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def schema_diff(warm: WarmProject, rev: str, rev2: str | None = None) -> dict:
    from djstate.diff import run_diff

    diff = run_diff(warm.root, rev, rev2, default_cache_dir(), dict(warm.overrides))
    return diff.as_dict()


TOOLS = {
    "list_apps": (list_apps, "The project's apps: models, migration leaves, number of findings."),
    "describe_model": (describe_model, "One model ('app.Model'): fields, relations with reverse names, managers and their methods, indexes, constraints, serializers, findings."),
    "resolve_lookup": (resolve_lookup, "Walk a query name ('publisher__name__icontains') from a model as Django's names_to_path does: the relations followed, or the error with a suggestion."),
    "reverse_names": (reverse_names, "The reverse accessor and query name of every relation pointing at a model, and its own relations' names."),
    "migration_tail": (migration_tail, "An app's last n migrations in plan order: name, dependencies, one line per operation; and its leaves."),
    "check_code": (check_code, "djstate's findings for a file of the project, or for a snippet as the new content of that file."),
    "next_migration": (next_migration, "The number, name and dependencies a new migration of the app must use (a merge when the app has two leaves)."),
    "schema_diff": (schema_diff, "What changed between a git revision and the working tree (or a second revision): schema, migrations, serializers, findings."),
}


def build_server(root: Path, overrides: dict | None = None):
    """The MCP server with every tool bound to one warm project."""
    import inspect

    from mcp.server.mcpserver import MCPServer

    warm = WarmProject(root, overrides)
    server = MCPServer("djstate", instructions=INSTRUCTIONS)
    for name, (function, description) in TOOLS.items():
        server.tool(name=name, description=description)(_as_tool(function, warm, inspect.signature(function)))
    return server, warm


def _as_tool(function, warm: WarmProject, signature):
    """A function of the tool's own parameters (the warm project bound) returning JSON text."""
    import inspect

    parameters = list(signature.parameters.values())[1:]

    def tool(**kwargs: Any) -> str:
        try:
            return json.dumps(function(warm, **kwargs), indent=1, default=str)
        except ValueError as exc:
            return json.dumps({"error": str(exc)})

    tool.__signature__ = inspect.Signature(parameters, return_annotation=str)
    tool.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": str}
    tool.__name__ = function.__name__
    tool.__doc__ = function.__doc__
    return tool


def serve(root: Path, overrides: dict | None = None) -> None:
    server, warm = build_server(root, overrides)
    warm.result()  # warm before the first question
    server.run("stdio")
