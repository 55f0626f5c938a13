"""``[tool.djstate]`` in pyproject.toml, read into a frozen Config. Unknown keys are errors."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SEVERITIES = ("info", "warning", "error")


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
    fail_on: str = "error"
    # the Django version whose makemigrations the migrations must match, "X.Y"; overrides what
    # the requirement and lock files say (djstate/django_version.py)
    django_version: str | None = None


def load_config(root: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read ``[tool.djstate]`` from ``root/pyproject.toml`` (if any), then apply overrides."""
    values: dict[str, Any] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{pyproject}: cannot read: {exc}") from exc
        values = dict(data.get("tool", {}).get("djstate", {}))
    known = {f.name for f in fields(Config)}
    for key in values:
        if key.replace("-", "_") not in known:
            raise ConfigError(f"{pyproject}: unknown key [tool.djstate] {key!r}; known: {', '.join(sorted(known))}")
    values = {k.replace("-", "_"): v for k, v in values.items()}
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for key in ("exclude", "site_packages"):
        if key in values:
            if isinstance(values[key], str) or not all(isinstance(x, str) for x in values[key]):
                raise ConfigError(f"[tool.djstate] {key} must be a list of strings")
            values[key] = tuple(values[key])
    if values.get("fail_on", "error") not in SEVERITIES:
        raise ConfigError(f"fail_on must be one of {', '.join(SEVERITIES)}")
    for key in ("auth_user_model", "default_auto_field", "settings"):
        if key in values and not isinstance(values[key], str):
            raise ConfigError(f"[tool.djstate] {key} must be a string")
    if "django_version" in values:
        _check_django_version(values["django_version"])
    if "swappable" in values and not isinstance(values["swappable"], dict):
        raise ConfigError("[tool.djstate] swappable must be a table of setting = \"app.Model\"")
    return replace(Config(), **values)


def _check_django_version(value: Any) -> None:
    from djstate.django_version import SUPPORTED, parse_version_text

    known = ", ".join(f"{a}.{b}" for a, b in SUPPORTED)
    if not isinstance(value, str) or parse_version_text(value) is None:
        raise ConfigError(f'[tool.djstate] django_version must be a string like "4.2"; got {value!r}')
    if parse_version_text(value) not in SUPPORTED:
        raise ConfigError(f"[tool.djstate] django_version {value!r} is not one djstate knows; known: {known}")
