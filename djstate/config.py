"""``[tool.djstate]`` in pyproject.toml, read into a frozen Config. Unknown keys and values of
the wrong type are errors (the CLI exits 2 with one line).

The configuration is the nearest ``pyproject.toml`` holding a ``[tool.djstate]`` table, from the
scanned folder up to the repository root (the first folder holding ``.git``), as ruff looks for
its own. Keys may be written with ``-`` or ``_``; the CLI flags take the same names.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from djstate.venv import Environment, explicit, find_environment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("info", "warning", "error")
SELECTOR = re.compile(r"DJS\d{0,3}|ALL")


class ConfigError(Exception):
    """The configuration cannot be used; the CLI exits with 2."""


@dataclass(frozen=True)
class Config:
    # AUTH_USER_MODEL when no settings module says otherwise ("app_label.ModelName")
    auth_user_model: str | None = None
    # DEFAULT_AUTO_FIELD, as a dotted path
    default_auto_field: str | None = None
    # glob patterns (relative to the root, POSIX) of files and folders to skip
    exclude: tuple[str, ...] = ()
    # settings module to read statically: a dotted module or a path relative to the root
    settings: str | None = None
    # extra settings that swappable relations name, e.g. {"OAUTH2_PROVIDER_APPLICATION_MODEL": "oauth2_provider.Application"}
    swappable: dict[str, str] = field(default_factory=dict)
    # virtualenv site-packages folders where apps outside the tree (django.contrib, installed
    # packages) are looked up; their migrations then count as known
    site_packages: tuple[str, ...] = ()
    # do not look for the project's virtualenv (djstate/venv.py) when no site_packages is named
    # (mypy's option of the same name; the CLI flag --no-site-packages)
    no_site_packages: bool = False
    # exit 1 when a finding is at or above this severity
    fail_on: str = "error"
    # the Django version whose makemigrations the migrations must match, "X.Y"; overrides what
    # the requirement and lock files say (djstate/django_version.py)
    django_version: str | None = None
    # rule selection, as ruff's: codes or prefixes ("DJS2", "DJS204", "ALL"); empty select = all
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # glob (relative to the root) -> codes or prefixes not reported in matching files
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # code or prefix -> severity ("info", "warning", "error"); the longest matching prefix wins
    severity: dict[str, str] = field(default_factory=dict)
    # not keys: where the configuration came from, and what it could not use
    config_file: str | None = None
    warnings: tuple[str, ...] = ()
    # not a key: which site-packages are read and how they were chosen (None: not asked)
    environment: Environment | None = None

    def rule_enabled(self, code: str) -> bool:
        """ruff's rule: selected by select (default: all) or extend-select, and not ignored."""
        chosen = _matches(code, self.select) if self.select else True
        return (chosen or _matches(code, self.extend_select)) and not _matches(code, self.ignore)

    def severity_of(self, code: str, default: str) -> str:
        best = max((s for s in self.severity if _matches(code, (s,))), key=len, default=None)
        return self.severity[best] if best is not None else default

    def ignored_in(self, code: str, path: str) -> bool:
        from fnmatch import fnmatchcase

        return any(
            _matches(code, codes) and (fnmatchcase(path, glob) or path.startswith(glob.rstrip("/") + "/"))
            for glob, codes in self.per_file_ignores.items()
        )


NOT_KEYS = {"config_file", "warnings", "environment"}
KEYS = {f.name for f in fields(Config)} - NOT_KEYS
STRING_KEYS = ("auth_user_model", "default_auto_field", "settings", "fail_on", "django_version")
LIST_KEYS = ("exclude", "site_packages", "select", "extend_select", "ignore")
SELECTOR_KEYS = ("select", "extend_select", "ignore")
BOOL_KEYS = ("no_site_packages",)


def _matches(code: str, selectors) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def find_config_file(root: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.djstate] table, up to the repository root."""
    for folder in (root, *root.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
                raise ConfigError(f"{candidate}: cannot read: {exc}") from exc
            tool = data.get("tool")
            if isinstance(tool, dict) and "djstate" in tool:
                return candidate
            if folder == root and tool is not None and not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: [tool] must be a table, got {type(tool).__name__}")
        if (folder / ".git").exists():
            break
    return None


def load_config(
    root: Path, overrides: dict[str, Any] | None = None, *, find_venv: bool = False, environ: Mapping[str, str] | None = None
) -> Config:
    """Read ``[tool.djstate]`` (see :func:`find_config_file`), then apply the overrides (the
    CLI's values; ``None`` means not given).

    ``find_venv`` (the CLI's scan): when no site_packages is named and ``no_site_packages`` is
    not set, the project's virtualenv found by :func:`djstate.venv.find_environment` (reading
    ``VIRTUAL_ENV`` from ``environ``, default the process's) becomes site_packages. Library
    callers (tests, tools) read only what they name."""
    values: dict[str, Any] = {}
    pyproject = find_config_file(root)
    where = "[tool.djstate]"
    if pyproject is not None:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["djstate"]
        where = f"{pyproject}: [tool.djstate]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table, got {type(table).__name__}")
        for key in table:
            if key.replace("-", "_") not in KEYS:
                known = ", ".join(sorted(k.replace("_", "-") for k in KEYS))
                raise ConfigError(f"{pyproject}: unknown key [tool.djstate] {key!r}; known: {known}")
        values = {k.replace("-", "_"): v for k, v in table.items()}
        _check(values, where)
        if "site_packages" in values:  # relative to the configuration's folder
            values["site_packages"] = tuple(str((pyproject.parent / p).resolve()) for p in values["site_packages"])
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    _check(given, "command line")
    values.update(given)
    warnings = []
    for folder in values.get("site_packages", ()):
        if not Path(folder).is_dir():
            warnings.append(f"{where} site_packages: {folder}: no such folder; ignored")
    values["warnings"] = tuple(warnings)
    values["config_file"] = str(pyproject) if pyproject else None
    values["environment"] = _environment(root, values, "site_packages" in given, find_venv, environ)
    if values["environment"] is not None and values["environment"].detected:
        values["site_packages"] = values["environment"].site_packages
    return replace(Config(), **values)


def _environment(root: Path, values: dict, from_cli: bool, find_venv: bool, environ) -> Environment | None:
    """Named folders win; else the detected virtualenv, unless turned off."""
    named = tuple(values.get("site_packages", ()))
    if named:
        return explicit(named, "--site-packages" if from_cli else "site-packages")
    if not find_venv:
        return None
    if values.get("no_site_packages"):
        return Environment("off")
    return find_environment(root, environ)


def with_detected_site_packages(root: Path, overrides: dict[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The overrides with the virtualenv found for ``root`` named as site_packages (``djstate
    diff`` scans checkouts in scratch folders, where no virtualenv is found)."""
    config = load_config(root, overrides, find_venv=True, environ=environ)
    if config.environment is not None and config.environment.detected:
        return {**overrides, "site_packages": config.site_packages}
    return overrides


def _check(values: dict[str, Any], where: str) -> None:
    """Type-check every key (in place: lists become tuples)."""
    for key in STRING_KEYS:
        if key in values and not isinstance(values[key], str):
            raise ConfigError(f"{where} {_name(key)} must be a string, got {_shown(values[key])}")
    for key in BOOL_KEYS:
        if key in values and not isinstance(values[key], bool):
            raise ConfigError(f"{where} {_name(key)} must be true or false, got {_shown(values[key])}")
    for key in LIST_KEYS:
        if key in values:
            value = values[key]
            if isinstance(value, str) and key in SELECTOR_KEYS:  # ruff's comma list, from the CLI
                value = [value]
            if isinstance(value, (list, tuple)) and key in SELECTOR_KEYS:
                value = [part.strip() for item in value if isinstance(item, str) for part in item.split(",") if part.strip()] \
                    if all(isinstance(item, str) for item in value) else value  # fmt: skip
            if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
                raise ConfigError(f"{where} {_name(key)} must be a list of strings, got {_shown(values[key])}")
            values[key] = tuple(value)
    if "fail_on" in values and values["fail_on"] not in SEVERITIES:
        raise ConfigError(f"{where} fail-on must be one of {', '.join(SEVERITIES)}, got {values['fail_on']!r}")
    if "django_version" in values:
        _check_django_version(values["django_version"])
    if "swappable" in values:
        table = values["swappable"]
        if not isinstance(table, dict) or not all(isinstance(v, str) and "." in v for v in table.values()):
            raise ConfigError(f'{where} swappable must be a table of SETTING = "app_label.Model", got {_shown(table)}')
    if "per_file_ignores" in values:
        table = values["per_file_ignores"]
        if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in table.values()
        ):
            raise ConfigError(f'{where} per-file-ignores must be a table of "glob" = ["CODE", ...], got {_shown(table)}')
        values["per_file_ignores"] = {glob: tuple(codes) for glob, codes in table.items()}
        for codes in values["per_file_ignores"].values():
            check_selectors(codes, f"{where} per-file-ignores")
    if "severity" in values:
        table = values["severity"]
        if not isinstance(table, dict) or not all(v in SEVERITIES for v in table.values()):
            raise ConfigError(f"{where} severity must be a table of CODE = \"info\"|\"warning\"|\"error\", got {_shown(table)}")
        check_selectors(tuple(table), f"{where} severity")
    for key in SELECTOR_KEYS:
        if key in values:
            check_selectors(values[key], f"{where} {_name(key)}")


def check_selectors(selectors, where: str) -> None:
    """Each selector must be ALL, or a code or prefix of at least one rule."""
    from djstate.rules import rule_classes

    codes = [r.code for r in rule_classes()]
    for selector in selectors:
        if selector == "ALL":
            continue
        if not SELECTOR.fullmatch(selector) or not any(code.startswith(selector) for code in codes):
            raise ConfigError(f"{where}: unknown rule selector {selector!r}; `djstate rules` lists the codes")


def _name(key: str) -> str:
    return key.replace("_", "-")


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"


def _check_django_version(value: Any) -> None:
    from djstate.django_version import SUPPORTED, parse_version_text

    known = ", ".join(f"{a}.{b}" for a, b in SUPPORTED)
    if not isinstance(value, str) or parse_version_text(value) is None:
        raise ConfigError(f'[tool.djstate] django_version must be a string like "4.2"; got {value!r}')
    if parse_version_text(value) not in SUPPORTED and parse_version_text(value) >= SUPPORTED[0]:  # older: djstate.state.old_django
        raise ConfigError(f"[tool.djstate] django_version {value!r} is not one djstate knows; known: {known}")
