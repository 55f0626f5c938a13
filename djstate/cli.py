"""The command line: wiring only. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 errors."""

from __future__ import annotations

import inspect
import json
import traceback
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from djstate import __version__
from djstate.cache import FactsStore, default_cache_dir
from djstate.config import ConfigError, load_config
from djstate.findings import SEVERITY_RANK

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Static analysis of a Django project's migrations, models and serializers. Never imports the project.",
)


class Format(str, Enum):
    text = "text"
    json = "json"


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


def _setup(path: Path, no_cache: bool, overrides: dict):
    if not path.exists():
        _fail(f"{path}: no such file or folder")
    if not path.is_dir():
        _fail(f"{path}: not a folder; djstate scans a project folder")
    root = path.resolve()
    try:
        config = load_config(root, overrides)
    except ConfigError as exc:
        _fail(str(exc))
    for warning in config.warnings:
        _warn(warning)
    store = FactsStore(root, None if no_cache else default_cache_dir())
    return root, config, store


def _check_settings(project, explicit: str | None) -> None:
    """A settings module that was named but not found: exit 2 from the CLI, a warning from the config."""
    wanted = project.config.settings
    if not wanted or (project.settings_path and (project.root / project.settings_path).is_file()):
        return
    message = f"settings module {wanted!r} not found under {project.root}; settings are unverified"
    if explicit:
        _fail(f"--settings {message}")
    _warn(f"[tool.djstate] settings: {message}")


@app.command()
def scan(
    path: Path = typer.Argument(Path("."), help="Project folder to scan."),
    format: Format = typer.Option(Format.text, "--format", help="Output format."),
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on", help="Exit 1 when a finding is at or above this severity (default: error, or fail_on in the config)."),
    select: list[str] = typer.Option([], "--select", help="Only these rule codes or prefixes (repeatable, or a comma list: --select DJS1,DJS204)."),
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    settings: Optional[str] = typer.Option(None, help="Settings module (dotted) or file to read statically."),
    site_packages: list[str] = typer.Option([], "--site-packages", help="A virtualenv's site-packages where apps outside the tree are looked up (repeatable)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of each internal error (DJS000) to stderr."),
) -> None:
    """Report where the migration graph and the migrations' schema state break."""
    from djstate.engine import scan as run_scan
    from djstate.report import json as json_report
    from djstate.report import text as text_report

    overrides = {
        "auth_user_model": auth_user_model,
        "settings": settings,
        "fail_on": fail_on.value if fail_on else None,
        "site_packages": _site_packages(site_packages),
        "select": _selectors(select),
    }
    root, config, store = _setup(path, no_cache, overrides)
    try:
        result = run_scan(root, config, store)
    except Exception:  # an internal error is a bug: say so, exit 2, never a bare traceback
        typer.echo(traceback.format_exc(), err=True)
        _fail("internal error while scanning; please report it with the trace above")
    _check_settings(result.project, settings)
    if debug:
        for error in result.project.internal_errors:
            where = f"{error.path}:{error.line}" if error.line else error.path or "."
            typer.echo(f"djstate: internal error in {error.unit} ({where}):\n{error.traceback}", err=True)
    reporter = json_report if format is Format.json else text_report
    typer.echo(reporter.render(result.findings, result.stats))
    threshold = SEVERITY_RANK[config.fail_on]
    if any(SEVERITY_RANK[f.severity] >= threshold for f in result.findings):
        raise typer.Exit(1)


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
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the facts cache."),
) -> None:
    """What a change does to the schema, migrations and serializers, and which findings it adds or fixes."""
    from djstate import git
    from djstate.diff import run_diff
    from djstate.report import diff as diff_report

    if not path.is_dir():
        _fail(f"{path}: not a folder")
    try:
        result = run_diff(path, left, right, None if no_cache else default_cache_dir(), {"auth_user_model": auth_user_model})
    except git.GitError as exc:
        _fail(str(exc))
    except ConfigError as exc:
        _fail(str(exc))
    except Exception:  # an internal error is a bug: say so, exit 2
        typer.echo(traceback.format_exc(), err=True)
        _fail("internal error while diffing; please report it with the trace above")
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


@app.command()
def schema(
    path: Path = typer.Argument(Path("."), help="Project folder."),
    source: Source = typer.Option(Source.migrations, "--source", help="Which layer's state to dump."),
    format: Format = typer.Option(Format.json, "--format", help="Output format."),
    auth_user_model: Optional[str] = typer.Option(None, help="AUTH_USER_MODEL, when no settings module says it."),
    no_cache: bool = typer.Option(False, "--no-cache"),
) -> None:
    """Dump the schema state: replayed from the migrations, or read from the models."""
    from djstate.engine import load_project
    from djstate.state.export import state_to_dict

    root, config, store = _setup(path, no_cache, {"auth_user_model": auth_user_model})
    project = load_project(root, config, store)
    if source is Source.models:
        from djstate.engine import build_models_state

        models = state_to_dict(build_models_state(project, store))
    else:
        models = state_to_dict(project.state)
    if format is Format.json:
        typer.echo(json.dumps({"djstate": __version__, "source": source.value, "models": models}, indent=2))
    else:
        for label, model in models.items():
            typer.echo(label)
            for name, field in model["fields"].items():
                kwargs = ", ".join(f"{k}={v}" for k, v in field["kwargs"].items())
                typer.echo(f"    {name}: {field['path']}({kwargs})")


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
    """List every rule."""
    from djstate.rules import rule_classes

    for rule in rule_classes():
        summary = (inspect.getdoc(rule) or "").splitlines()[0]
        typer.echo(f"{rule.code}  {rule.name:<28} {rule.severity:<8} {summary}")


@app.command()
def version() -> None:
    """Print djstate's version."""
    typer.echo(__version__)


def main() -> None:
    app()  # standalone mode: usage errors exit 2, typer.Exit carries our codes


if __name__ == "__main__":
    main()
