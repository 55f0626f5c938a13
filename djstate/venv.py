"""The analysed project's virtualenv, found on its own as pyright and editors find it.

Its site-packages is then read as source (never imported) for the apps, model bases, fields
and serializer bases the project uses from installed packages, as an explicit
``--site-packages DIR`` is.

Order, first hit wins:

1. ``VIRTUAL_ENV`` (an activated virtualenv), then ``UV_PROJECT_ENVIRONMENT`` (uv's
   environment folder; relative to the current folder, as uv reads it);
2. in the scanned folder, then each parent folder up to the repository root (the nearest folder
   holding ``.git``, inclusive; without one, the scanned folder and its two parents, never the
   home folder nor ``/``):

   - ``.pdm-python`` (pdm records the interpreter it uses there),
   - ``.venv`` (uv, poetry with ``virtualenvs.in-project``, pdm, pipenv with
     ``PIPENV_VENV_IN_PROJECT``, ``python -m venv .venv``), then ``venv``,
   - ``__pypackages__/X.Y/lib`` (PEP 582, pdm's older mode).

A virtualenv is a folder with ``pyvenv.cfg`` and a ``lib/python3.*/site-packages`` (or
``Lib/site-packages`` on Windows); the Python version comes from ``pyvenv.cfg`` (``version``
or ``version_info``), else from the folder's name. Poetry's virtualenvs outside the project
(``~/.cache/pypoetry/virtualenvs``), hatch's and conda's are not looked for: name them with
``--site-packages``. ``include-system-site-packages`` is not followed.

Nothing here raises: an unreadable folder, a broken link or a symlink loop is a folder that
is not a virtualenv.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

VENV_NAMES = (".venv", "venv")
# how far up a folder outside any repository is searched: it and its two parents
UNBOUNDED_LEVELS = 3
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")
_LIB_PYTHON = re.compile(r"(?:python|pypy)(\d+)\.(\d+)t?")


@dataclass(frozen=True)
class Environment:
    """What djstate read as the project's installed packages, and how it was chosen.

    ``found_by`` is ``VIRTUAL_ENV``, ``UV_PROJECT_ENVIRONMENT``, ``.pdm-python``, ``.venv``,
    ``venv``, ``__pypackages__`` (detected), ``--site-packages`` or ``site-packages`` (named by
    the command line or the configuration), ``off`` (detection turned off, nothing named) or
    ``none`` (nothing found)."""

    found_by: str
    path: str | None = None  # the virtualenv folder (absolute), or the first folder named
    site_packages: tuple[str, ...] = ()
    python: str | None = None  # "3.12.1", or "3.12" when only the folder name says it

    @property
    def read(self) -> bool:
        return bool(self.site_packages)

    @property
    def detected(self) -> bool:
        return self.read and self.found_by not in ("--site-packages", "site-packages")

    def as_dict(self, root: Path) -> dict:
        """JSON ``stats.environment``: paths relative to the scanned root when inside it."""
        return {
            "read": self.read,
            "found_by": self.found_by,
            "path": shown_path(self.path, root) if self.path else None,
            "python": self.python,
            "site_packages": [shown_path(p, root) for p in self.site_packages],
        }


def shown_path(path: str, root: Path) -> str:
    """``path`` relative to ``root`` when inside it (``.venv``), else absolute."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return Path(path).as_posix()
    return rel.as_posix() or "."


def describe(environment: dict | None) -> str:
    """One phrase for the text summary, from ``stats.environment``; empty when unknown."""
    if not environment:
        return ""
    found_by = environment.get("found_by")
    if not environment.get("read"):
        if found_by == "off":
            return "no environment read (--no-site-packages)"
        return "no virtualenv found (--site-packages DIR names one)"
    version = f"Python {environment['python']}, " if environment.get("python") else ""
    where = environment.get("path") or ", ".join(environment.get("site_packages") or ())
    return f"environment {where} ({version}{found_by})"


def find_environment(root: Path, environ: Mapping[str, str] | None = None) -> Environment:
    """The project's virtualenv (see the module docstring for the order), or ``found_by="none"``."""
    environ = os.environ if environ is None else environ
    for variable in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        value = environ.get(variable)
        if value:
            found = _safely(_virtualenv, Path(value).expanduser().absolute(), variable)
            if found is not None:
                return found
    for folder in search_folders(root):
        found = _safely(_in_folder, folder)
        if found is not None:
            return found
    return Environment("none")


def explicit(site_packages: tuple[str, ...], found_by: str) -> Environment:
    """The folders named by ``--site-packages`` or the configuration."""
    python = None
    for folder in site_packages:
        match = _LIB_PYTHON.fullmatch(Path(folder).parent.name)
        if match:
            python = f"{match.group(1)}.{match.group(2)}"
            break
    return Environment(found_by, site_packages[0] if site_packages else None, tuple(site_packages), python)


def search_folders(root: Path) -> list[Path]:
    """The scanned folder, then its parents up to the repository root (inclusive); without a
    repository, the folder and its two parents, never the home folder nor ``/``."""
    chain = [root, *root.parents]
    for index, folder in enumerate(chain):
        if _exists(folder / ".git"):
            return chain[: index + 1]
    home = _home()
    return [f for f in chain[:UNBOUNDED_LEVELS] if f == root or (f != home and f.parent != f)]


def _in_folder(folder: Path) -> Environment | None:
    pdm = _pdm_python(folder)
    if pdm is not None:
        return pdm
    for name in VENV_NAMES:
        found = _virtualenv(folder / name, name)
        if found is not None:
            return found
    return _pypackages(folder)


def _virtualenv(path: Path, found_by: str) -> Environment | None:
    """``path`` as a virtualenv: it has pyvenv.cfg and a site-packages folder."""
    config = path / "pyvenv.cfg"
    if not _is_file(config):
        return None
    version = _cfg_version(config)
    sites = _site_packages(path)
    if not sites:
        return None
    if version:  # two lib/python3.X folders (an upgraded venv): the one pyvenv.cfg names
        short = ".".join(version.split(".")[:2])
        sites = [s for s in sites if s[0] == short] or sites
    short, site = sites[-1]
    return Environment(found_by, str(path), (str(site),), version or short)


def _site_packages(venv: Path) -> list[tuple[str, Path]]:
    """(X.Y, folder) for each lib/python3.X/site-packages, oldest first; Windows' Lib/site-packages."""
    out = []
    for lib in ("lib", "Lib"):
        for name in _listdir(venv / lib):
            match = _LIB_PYTHON.fullmatch(name)
            site = venv / lib / name / "site-packages"
            if match and _is_dir(site):
                out.append((f"{match.group(1)}.{match.group(2)}", site))
        if not out and _is_dir(venv / lib / "site-packages"):  # Windows: no version in the path
            out.append(("", venv / lib / "site-packages"))
        if out:
            break
    return sorted(out, key=lambda item: tuple(int(p) for p in item[0].split(".") if p.isdigit()))


def _pdm_python(folder: Path) -> Environment | None:
    """pdm writes the interpreter it uses to ``.pdm-python``; its virtualenv is two folders up."""
    marker = folder / ".pdm-python"
    if not _is_file(marker):
        return None
    try:
        text = marker.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text:
        return None
    interpreter = Path(text) if Path(text).is_absolute() else folder / text
    return _virtualenv(interpreter.parent.parent, ".pdm-python")


def _pypackages(folder: Path) -> Environment | None:
    """PEP 582: ``__pypackages__/3.X/lib`` holds the packages, the newest version first."""
    base = folder / "__pypackages__"
    found = []
    for name in _listdir(base):
        match = _VERSION.fullmatch(name)
        if match and _is_dir(base / name / "lib"):
            found.append(((int(match.group(1)), int(match.group(2))), name))
    if not found:
        return None
    _, name = max(found)
    return Environment("__pypackages__", str(base), (str(base / name / "lib"),), name)


def _cfg_version(config: Path) -> str | None:
    """``version = 3.11.7`` (venv) or ``version_info = 3.12.1`` (uv, virtualenv: "3.11.7.final.0")."""
    try:
        text = config.read_text(encoding="utf-8", errors="replace")[:8192]
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    for key in ("version", "version_info"):
        match = _VERSION.match(values.get(key, ""))
        if match:
            return ".".join(part for part in match.groups() if part is not None)
    return None


def _safely(function, *args):
    try:
        return function(*args)
    except (OSError, ValueError, RuntimeError):  # odd filesystems: not a virtualenv
        return None


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except (OSError, ValueError):
        return []


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _home() -> Path | None:
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
