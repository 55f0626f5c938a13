"""The command line: wiring only. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 errors."""

from __future__ import annotations

import inspect
import json
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from djstate import __version__, output
from djstate.cache import FactsStore, default_cache_dir
from djstate.config import ConfigError, load_config, with_detected_site_packages
from djstate.findings import SEVERITY_RANK
from djstate.venv import describe as describe_environment

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Static analysis of a Django project's migrations, models and serializers. Never imports the project.",
)


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


class Source(str, Enum):
    migrations = "migrations"
    models = "models"


def _fail(message: str) -> None:
    typer.echo(f"djstate: error: {message}", err=True)
    raise typer.Exit(2)


def _warn(message: str) -> None:
    typer.echo(f"djstate: warning: {message}", err=True)


def _selectors(values: list[str]) -> tuple[str, ...] | None:
    """Repeatable flags that also take ruff's comma lists (``--select DJS1,DJS2``)."""
    out = tuple(part.strip().upper() for value in values for part in value.split(",") if part.strip())
    return out or None


def _site_packages(values: list[str]) -> tuple[str, ...] | None:
    """An explicit --site-packages folder that does not exist is an error (exit 2)."""
    for value in values:
        if not Path(value).is_dir():
            _fail(f"--site-packages {value}: no such folder")
    return tuple(str(Path(p).resolve()) for p in values) or None


def _setup(path: Path, no_cache: bool, overrides: dict, quiet: bool = False):
    if not path.exists():
        _fail(f"{path}: no such file or folder")
    if not path.is_dir():
        _fail(f"{path}: not a folder; djstate scans a project folder")
    root = path.resolve()
    try:
        config = load_config(root, overrides, find_venv=True)
    except ConfigError as exc:
        _fail(str(exc))
    for warning in () if quiet else config.warnings:
        _warn(warning)
    store = FactsStore(root, None if no_cache else default_cache_dir())
    return root, config, store


def _check_settings(project, explicit: str | None, quiet: bool = False) -> None:
    """A settings module that was named but not found: exit 2 from the CLI, a warning from the config.
    ``project``: a Project or a ScanReport (both have root, config and settings_path)."""
    wanted = project.config.settings
    if not wanted or (project.settings_path and (project.root / project.settings_path).is_file()):
        return
    message = f"settings module {wanted!r} not found under {project.root}; settings are unverified"
    if explicit:
        _fail(f"--settings {message}")
    if not quiet:
        _warn(f"[tool.djstate] settings: {message}")


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    gitlab = "gitlab"
    junit = "junit"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"djstate {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", "-V", help="Print djstate's version and exit.", callback=_version_callback, is_eager=True),
) -> None:
    """Static analysis of a Django project's migrations, models and serializers. Never imports the project."""


def _pairs(values: list[str], flag: str, sep: str) -> dict[str, str]:
    out = {}
    for value in values:
        key, found, rest = value.partition(sep)
        if not found or not key.strip() or not rest.strip():
            _fail(f"{flag} {value!r}: expected KEY{sep}VALUE")
        out[key.strip()] = rest.strip()
    return out


@app.command()
def scan(
    path: Path = typer.Argument(Path("."), help="Project folder to scan."),
    format: Format = typer.Option(Format.text, "--format", help="text (ruff-like), json (the contract), sarif (2.1.0, code scanning), github (workflow annotations), gitlab (Code Quality), junit (XML)."),
    output_file: Optional[Path] = typer.Option(None, "--output-file", "-o", help="Write the report to this file instead of stdout."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above this severity (default: error, or fail-on in the config)."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or prefixes (repeatable, or a comma list: --select DJS1,DJS204); replaces select in the config."),
    extend_select: list[str] = typer.Option([], "--extend-select", help="Rules to add to the selection (codes or prefixes)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Rules not to report (codes or prefixes)."),
    per_file_ignores: list[str] = typer.Option([], "--per-file-ignores", help="GLOB:CODES, e.g. 'legacy/*:DJS204,DJS1' (repeatable); adds to the config's."),
    severity: list[str] = typer.Option([], "--severity", help="CODE=LEVEL severity override, e.g. DJS204=error (repeatable); adds to the config's."),
    exclude: list[str] = typer.Option([], "--exclude", help="Glob (relative to PATH) of files and folders to skip (repeatable); replaces exclude in the config."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Hide the findings recorded in this baseline file (matched by fingerprint, not line)."),
    write_baseline: Optional[Path] = typer.Option(None, "--write-baseline", help="Record the current findings in this baseline file and exit 0."),
    statistics: bool = typer.Option(False, "--statistics", help="Print the number of findings per rule instead of the findings."),
    show_source: bool = typer.Option(False, "--show-source", help="Show the source lines around each finding (text format)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the findings only: no summary, no progress, no warnings."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Say which configuration, cache and rules were used (stderr)."),
    no_color: bool = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR set, or output not a terminal)."),
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically; exit 2 when not found."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable); exit 2 when missing."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv (VIRTUAL_ENV, .venv, venv, pdm, uv, poetry in-project); --site-packages folders are still read."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of each internal error (DJS000) to stderr."),
    unverified: bool = typer.Option(False, "--unverified", help="Also list what was not judged, grouped by reason with what to configure to see more (JSON: an \"unverified\" list)."),
) -> None:
    """Report what Django would reject or where models, migrations and serializers disagree.

    Reads the migration graph, replays the migrations' schema state, compares it with the models (what makemigrations would write) and checks DRF serializers against the models, all from source, never importing the project.

    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, configuration or internal errors.

    Configuration: \\[tool.djstate] in the nearest pyproject.toml up to the repository root; the flags take the same keys (select, extend-select, ignore, per-file-ignores, severity, fail-on, exclude, settings, site-packages, no-site-packages). Without --site-packages, the project's virtualenv (VIRTUAL_ENV, a .venv or venv up to the repository root, pdm's, uv's) is read as source for the apps, bases and fields installed there; --no-site-packages turns that off. Suppress one finding with a comment: # djstate: ignore\\[DJS204].
    """
    from djstate import baseline as baseline_file
    from djstate.rules import rule_classes
    from djstate.scan_cache import scan_report

    cli_severity = _pairs(severity, "--severity", "=")
    cli_per_file = {glob: [c.strip().upper() for c in codes.split(",") if c.strip()] for glob, codes in _pairs(per_file_ignores, "--per-file-ignores", ":").items()}
    overrides = {
        "auth_user_model": auth_user_model,
        "settings": settings,
        "fail_on": fail_on.value if fail_on else None,
        "site_packages": _site_packages(site_packages),
        "no_site_packages": no_site_packages or None,
        "select": _selectors(select),
        "extend_select": _selectors(extend_select),
        "ignore": _selectors(ignore),
        "exclude": exclude or None,
    }
    root, config, store = _setup(path, no_cache, overrides, quiet)
    if cli_severity or cli_per_file:
        from dataclasses import replace

        from djstate.config import _check

        extra = {"severity": {k.upper(): v for k, v in cli_severity.items()}, "per_file_ignores": cli_per_file}
        try:
            _check(extra, "command line")
        except ConfigError as exc:
            _fail(str(exc))
        config = replace(config, severity={**config.severity, **extra["severity"]},
                         per_file_ignores={**config.per_file_ignores, **extra["per_file_ignores"]})  # fmt: skip
    if verbose:
        typer.echo(f"djstate {__version__}: config {config.config_file or '(none)'}; cache {'off' if no_cache else default_cache_dir()}", err=True)
        typer.echo(f"djstate: {describe_environment(config.environment.as_dict(root)) if config.environment else 'no environment'}", err=True)
    try:
        with _progress(quiet, f"djstate: scanning {path}"):
            result = scan_report(root, config, store)  # the last report when nothing changed
    except Exception:  # an internal error is a bug: say so, exit 2, never a bare traceback
        typer.echo(traceback.format_exc(), err=True)
        _fail("internal error while scanning; please report it with the trace above")
    _check_settings(result, settings, quiet)
    if debug:
        for error in result.internal_errors:
            where = f"{error.path}:{error.line}" if error.line else error.path or "."
            typer.echo(f"djstate: internal error in {error.unit} ({where}):\n{error.traceback}", err=True)
    if verbose:
        ran = [r.code for r in rule_classes() if config.rule_enabled(r.code)]
        typer.echo(f"djstate: {len(ran)} rules; facts cache {store.stats.hits} hits, {store.stats.misses} parsed", err=True)
        typer.echo(f"djstate: snapshot {'reused' if result.reused else 'not reused: ' + '; '.join(result.why_missed)}", err=True)
        for reason in store.stats.rejected:  # corrupt or foreign records: ignored and rebuilt
            typer.echo(f"djstate: cache record ignored and rebuilt: {reason}", err=True)
    findings = result.findings
    if write_baseline is not None:
        try:
            baseline_file.write(write_baseline, findings)
        except OSError as exc:
            _fail(f"--write-baseline {write_baseline}: {exc.strerror or exc}")
        if not quiet:
            typer.echo(f"djstate: wrote {len(findings)} findings to the baseline {write_baseline}", err=True)
        raise typer.Exit(0)
    hidden = 0
    if baseline is not None:
        try:
            findings, hidden = baseline_file.subtract(findings, baseline_file.read(baseline))
        except baseline_file.BaselineError as exc:
            _fail(str(exc))
    stats = output.stats_of(result, config, root)
    report = output.render(format.value, findings, stats, root, statistics=statistics, show_source=show_source,
                           color=output.use_color(no_color, output_file), quiet=quiet, hidden=hidden)  # fmt: skip
    if unverified:
        report = output.with_unverified(report, format.value, result, root, stats["environment"])
    _emit(report, output_file)
    if output.fails(findings, config.fail_on):
        raise typer.Exit(1)


def _progress(quiet: bool, message: str):
    """A spinner on stderr while scanning, only when stderr is a terminal."""
    import contextlib

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def _emit(text: str, output_file: Optional[Path]) -> None:
    if output_file is None:
        if text:
            typer.echo(text)
        return
    try:
        output_file.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        _fail(f"--output-file {output_file}: {exc.strerror or exc}")


class DiffFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class DiffFailOn(str, Enum):
    new = "new"
    warning = "warning"
    error = "error"
    none = "none"


@app.command()
def diff(
    left: str = typer.Argument(..., help="The base revision (HEAD~1, origin/main, a sha)."),
    right: Optional[str] = typer.Argument(None, help="The revision to compare it with (default: the working tree)."),
    path: Path = typer.Option(Path("."), "--path", help="Project folder inside the repository."),
    format: DiffFormat = typer.Option(DiffFormat.text, "--format", help="Output format (markdown suits a pull-request comment)."),
    fail_on: DiffFailOn = typer.Option(DiffFailOn.new, "--fail-on", help="new: exit 1 only for error findings the change introduces; warning/error: for any finding on the right side at or above it; none: never."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or prefixes (repeatable, or a comma list)."),
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable)."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv (VIRTUAL_ENV, .venv, venv, pdm, uv, poetry in-project); --site-packages folders are still read."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
) -> None:
    """What a change does to the schema, migrations and serializers, and which findings it adds or fixes."""
    from djstate import git
    from djstate.diff import run_diff
    from djstate.report import diff as diff_report

    if not path.is_dir():
        _fail(f"{path}: not a folder")
    try:
        overrides = {"auth_user_model": auth_user_model, "settings": settings, "select": _selectors(select),
                     "site_packages": _site_packages(site_packages), "no_site_packages": no_site_packages or None}  # fmt: skip
        overrides = with_detected_site_packages(path.resolve(), overrides)
        result = run_diff(path, left, right, None if no_cache else default_cache_dir(), overrides)
    except git.GitError as exc:
        _fail(str(exc))
    except ConfigError as exc:
        _fail(str(exc))
    except Exception:  # an internal error is a bug: say so, exit 2
        typer.echo(traceback.format_exc(), err=True)
        _fail("internal error while diffing; please report it with the trace above")
    _check_settings(result.right.result.project, settings)
    render = {DiffFormat.text: diff_report.render_text, DiffFormat.json: diff_report.render_json,
              DiffFormat.markdown: diff_report.render_markdown}[format]  # fmt: skip
    typer.echo(render(result))
    if fail_on is DiffFailOn.new:
        failing = [f for f in result.new_findings if f.severity == "error"]
    elif fail_on is DiffFailOn.none:
        failing = []
    else:
        threshold = SEVERITY_RANK[fail_on.value]
        failing = [f for f in result.right.result.findings if SEVERITY_RANK[f.severity] >= threshold]
    if failing:
        raise typer.Exit(1)


class SchemaFormat(str, Enum):
    text = "text"
    json = "json"


def _literal_values(kwargs: dict[str, str]) -> dict:
    """The kwargs whose canonical source text (djstate's own rendering) is a literal, decoded
    to JSON values; references, calls and unknown values are left out."""
    import ast

    out = {}
    for key, text in kwargs.items():
        try:
            value = ast.literal_eval(text)
            json.dumps(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        out[key] = value
    return out


@app.command()
def schema(
    path: Path = typer.Argument(Path("."), help="Project folder."),
    source: Source = typer.Option(Source.migrations, "--source", help="Which layer's state to dump."),
    format: SchemaFormat = typer.Option(SchemaFormat.json, "--format", help="Output format."),
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically; exit 2 when not found."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable); exit 2 when missing."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv (VIRTUAL_ENV, .venv, venv, pdm, uv, poetry in-project); --site-packages folders are still read."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
) -> None:
    """Dump the schema state: replayed from the migrations, or read from the models.

    In JSON each field has "kwargs" (canonical Python source text) and "values": the same kwargs decoded to JSON where they are literals.
    """
    from djstate.engine import load_project
    from djstate.state.export import state_to_dict

    overrides = {"auth_user_model": auth_user_model, "settings": settings, "site_packages": _site_packages(site_packages),
                 "no_site_packages": no_site_packages or None}  # fmt: skip
    root, config, store = _setup(path, no_cache, overrides)
    project = load_project(root, config, store)
    _check_settings(project, settings)
    if source is Source.models:
        from djstate.engine import build_models_state

        models = state_to_dict(build_models_state(project, store))
    else:
        models = state_to_dict(project.state)
    for model in models.values():
        for field_data in model["fields"].values():
            field_data["values"] = _literal_values(field_data["kwargs"])
    if format is SchemaFormat.json:
        typer.echo(json.dumps({"djstate": __version__, "source": source.value, "models": models}, indent=2))
    else:
        for label, model in models.items():
            typer.echo(label)
            for name, field in model["fields"].items():
                kwargs = ", ".join(f"{k}={v}" for k, v in field["kwargs"].items())
                typer.echo(f"    {name}: {field['path']}({kwargs})")


class GraphKind(str, Enum):
    migrations = "migrations"
    models = "models"


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def graph(
    kind: GraphKind = typer.Argument(..., help="migrations: the migration DAG; models: an ER diagram."),
    app_label: Optional[str] = typer.Argument(None, metavar="[APP]", help="Only this app (with what it depends on or points at)."),
    path: Path = typer.Option(Path("."), "--path", help="Project folder."),
    format: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", help="Mermaid (default) or Graphviz DOT."),
    last: Optional[int] = typer.Option(None, "--last", min=0, help="migrations: only each app's last N migrations (and every leaf)."),
    fields: bool = typer.Option(True, "--fields/--no-fields", help="models: every field, or only keys and relations."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable)."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
) -> None:
    """Draw the migration graph (leaves and conflicts highlighted) or the models with their relations and reverse names."""
    from djstate.engine import build_models_state, load_project
    from djstate.report import graphs

    overrides = {"settings": settings, "site_packages": _site_packages(site_packages), "no_site_packages": no_site_packages or None}
    root, config, store = _setup(path, no_cache, overrides, quiet=True)
    project = load_project(root, config, store)
    if app_label is not None and app_label not in project.apps:
        _fail(f"unknown app {app_label!r}; apps: {', '.join(sorted(a for a, v in project.apps.items() if not v.external))}")
    if kind is GraphKind.models:
        project.models_state = build_models_state(project, store)
    typer.echo(graphs.render(project, kind.value, app_label, format.value, last, fields))


class ContextFormat(str, Enum):
    markdown = "markdown"
    json = "json"


class ContextTarget(str, Enum):
    agents = "agents"
    claude = "claude"
    cursor = "cursor"


@app.command()
def context(
    apps: list[str] = typer.Argument(None, metavar="[APP ...]", help="App labels (default: every app of the tree)."),
    path: Path = typer.Option(Path("."), "--path", help="Project folder."),
    format: ContextFormat = typer.Option(ContextFormat.markdown, "--format", help="Markdown (default) or JSON."),
    budget: Optional[int] = typer.Option(None, "--budget", min=1, help="Tokens per app (4 characters each); the least important parts are trimmed first (Markdown is cut as a last resort, JSON never)."),
    write: bool = typer.Option(False, "--write", help="Write each app's snapshot into a managed block instead of printing it."),
    target: ContextTarget = typer.Option(ContextTarget.agents, "--target", help="--write into AGENTS.md, CLAUDE.md or .cursor/rules/djstate-<app>.mdc."),
    in_app: bool = typer.Option(False, "--in-app", help="--write AGENTS.md / CLAUDE.md in the app's folder instead of the project root."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when a written snapshot is stale (for CI and pre-commit)."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable)."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
) -> None:
    """A compact snapshot of each app's current state for coding assistants: models, relations with reverse names, managers, the last migrations, serializers, open findings and what djstate could not judge."""
    from djstate.engine import scan as run_scan
    from djstate.snapshot import blocks
    from djstate.snapshot import context as snapshot

    overrides = {"settings": settings, "site_packages": _site_packages(site_packages), "no_site_packages": no_site_packages or None}
    root, config, store = _setup(path, no_cache, overrides, quiet=True)
    result = run_scan(root, config, store)
    local = {label: a.dir.path for label, a in result.project.apps.items() if not a.external}
    for label in apps or ():
        if label not in local:
            _fail(f"unknown app {label!r}; apps: {', '.join(sorted(local))}")
    render = snapshot.render_json
    if check:
        stale = []
        found = [b for b in blocks.find(root, local) if not apps or b.app in apps]
        for block in found:
            fresh = snapshot.fit(snapshot.app_snapshot(result, block.app), block.budget, snapshot.render_markdown)[0] if block.app in local else ""
            if block.body != blocks.body_of(fresh):
                stale.append(f"{block.path.relative_to(root).as_posix()}: app {block.app}")
        for line in stale:
            typer.echo(f"djstate: stale snapshot in {line} (run `djstate context {line.rsplit(' ', 1)[-1]} --write`)", err=True)
        typer.echo(f"djstate: {len(found) - len(stale)} of {len(found)} snapshots up to date", err=True)
        raise typer.Exit(1 if stale else 0)
    if format is ContextFormat.json and not write:  # one JSON document for all apps
        fitted = [snapshot.fit(snapshot.app_snapshot(result, label), budget, render)[1] for label in apps or sorted(local)]
        typer.echo(json.dumps({"djstate": __version__, "apps": fitted}, indent=1, ensure_ascii=False))
        return
    for label in apps or sorted(local):
        text = snapshot.fit(snapshot.app_snapshot(result, label), budget, snapshot.render_markdown)[0]
        if write:
            file = blocks.target_path(root, target.value, label, local[label], in_app)
            done = blocks.write(file, label, budget, text, local[label])
            typer.echo(f"djstate: {done} {file.relative_to(root).as_posix()} (app {label}, {snapshot.tokens(text)} tokens)", err=True)
        else:
            typer.echo(text + "\n")


@app.command()
def mcp(
    path: Path = typer.Argument(Path("."), help="Project folder."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable)."),
    no_site_packages: bool = typer.Option(False, "--no-site-packages", envvar="DJSTATE_NO_SITE_PACKAGES", help="Do not look for the project's virtualenv."),
) -> None:
    """Serve the project's state over MCP (stdio) to coding assistants: needs the extra djstate[mcp]."""
    try:
        import mcp as _sdk  # noqa: F401
    except ImportError:
        _fail("djstate mcp needs the MCP SDK: pip install 'djstate[mcp]'")
    from djstate.mcp_server import serve

    overrides = {"settings": settings, "site_packages": _site_packages(site_packages), "no_site_packages": no_site_packages or None}
    root, _, _ = _setup(path, False, overrides, quiet=True)
    serve(root, overrides)


cache_app = typer.Typer(help="The facts cache (default ~/.cache/djstate/facts, or $DJSTATE_CACHE_DIR).", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached record; the next scan parses every file again."""
    from djstate.cache import clear

    folder = default_cache_dir()
    files, size = clear(folder)
    typer.echo(f"djstate: removed {files} files ({size / 1e6:.1f} MB) from {folder}")


@app.command()
def explain(code: str = typer.Argument(..., help="A rule code, e.g. DJS101.")) -> None:
    """Print a rule's documentation."""
    from djstate.rules import rule_by_code

    rule = rule_by_code(code)
    if rule is None:
        _fail(f"unknown rule {code!r}; `djstate rules` lists them")
    typer.echo(f"{rule.code} {rule.name} ({rule.severity})\n\n{inspect.getdoc(rule)}")


@app.command()
def rules() -> None:
    """List every rule: code, name, severity, whether it is on by default, and what it reports."""
    from djstate.rules import rule_classes

    typer.echo(f"{'code':<7} {'name':<32} {'severity':<8} {'default':<7} summary")
    for rule in rule_classes():
        summary = (inspect.getdoc(rule) or "").splitlines()[0]
        default = "on" if getattr(rule, "default_enabled", True) else "off"
        typer.echo(f"{rule.code:<7} {rule.name:<32} {rule.severity:<8} {default:<7} {summary}")


@app.command()
def version() -> None:
    """Print djstate's version."""
    typer.echo(__version__)


def main() -> None:
    app()  # standalone mode: usage errors exit 2, typer.Exit carries our codes


if __name__ == "__main__":
    main()
