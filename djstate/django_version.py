"""Which Django version the scanned project runs, read from its dependency files.

Pure Python and static: requirement files, ``pyproject.toml``, lock files, ``setup.cfg`` and
``setup.py`` are read as text (``setup.py`` is searched for requirement strings, never run),
and a configured site-packages folder is asked for its ``django`` package's version. The
project is never imported.

Order, first hit wins:

1. ``django_version = "X.Y"`` in ``[tool.djstate]`` (source ``config``);
2. in the scanned folder, then each parent folder up to the repository root (the folder
   holding ``.git``): the exact pins of ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``, then
   the declared requirements of ``requirements*.txt`` and ``requirements/*.txt`` (following
   ``-r``/``-c`` includes), ``pyproject.toml`` (``[project]`` dependencies and optional
   dependencies, ``[dependency-groups]``, ``[tool.poetry.*dependencies]``), ``Pipfile``,
   ``setup.cfg`` ``install_requires`` and ``setup.py``;
3. the ``django`` package in a configured ``site_packages`` folder (``django/__init__.py``'s
   ``VERSION`` tuple, else its ``.dist-info`` folder);
4. otherwise the latest version djstate knows, marked as assumed.

A range (``Django>=4.2,<5.0``, ``^4.2``, ``~=4.2``) is read as the **highest supported
version it allows**: a project is most likely installed with the newest release its range
admits, and that is the ``makemigrations`` whose output the migrations must match. A pin
below the oldest supported version is judged as the oldest (3.2), one above the newest as
the newest; the source says so.
"""

from __future__ import annotations

import configparser
import json
import operator
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Version = tuple[int, int]

# Django feature releases whose migration semantics djstate knows (docs/django-versions.md)
SUPPORTED: tuple[Version, ...] = ((3, 2), (4, 0), (4, 1), (4, 2), (5, 0), (5, 1), (5, 2), (6, 0), (6, 1))
LATEST: Version = SUPPORTED[-1]
_MAX_PATCH = 40  # patch releases tried when a range is matched against a feature release
_MAX_BYTES = 2_000_000  # dependency files larger than this are not read


@dataclass(frozen=True)
class DjangoVersion:
    version: Version
    source: str  # "config", a file relative to the scanned root, "site-packages", or "assumed"
    detail: str = ""  # the requirement as written, e.g. "Django>=4.2,<5.0"

    below_supported: bool = False  # pinned older than SUPPORTED[0]: its autodetector is not emulated
    pinned: Version | None = None  # below_supported: the newest older release the pin allows, e.g. (1, 11)

    @property
    def compared(self) -> Version:
        """The release whose autodetector drift follows: ``version``, or the older pinned
        release (djstate.state.old_django compares only what did not change since)."""
        return self.pinned if self.below_supported and self.pinned else self.version

    @property
    def setting(self) -> str:
        """``django_version`` as a config value that gives this judgement back (``djstate diff``)."""
        if self.below_supported:
            return _text(self.pinned) if self.pinned else _text(NO_MIGRATIONS)
        return self.text

    @property
    def assumed(self) -> bool:
        return self.source == "assumed"

    @property
    def text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"

    def as_dict(self) -> dict:
        out: dict = {"version": self.text, "source": self.source}
        if self.below_supported:  # "partly": only what did not change since (state/old_django.py)
            out["judged"] = "partly" if self.pinned else False
        if self.below_supported and self.pinned:
            out["compared_as"] = _text(self.pinned)
        if self.detail:
            out["requirement"] = self.detail
        return out


def parse_version_text(text: str) -> Version | None:
    """``"4.2"``/``"4.2.11"`` -> (4, 2); None when it is not a version."""
    match = re.fullmatch(r"\s*(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def find_django_version(
    root: Path, configured: str | None = None, site_packages: Iterable[str] = ()
) -> DjangoVersion:
    """The version to judge ``root`` with (see the module docstring for the order)."""
    if configured:
        parsed = parse_version_text(configured)
        if parsed is not None and parsed < SUPPORTED[0]:  # compared where it agrees with 3.2 (1.7+)
            return _clamped(parsed, "config", configured)
        if parsed is not None:
            return DjangoVersion(parsed, "config", configured)
    for folder in _folders(root):
        found = _from_folder(folder, root)
        if found is not None:
            return found
    for folder in site_packages:
        found = _from_site_packages((root / folder).resolve())
        if found is not None:
            return found
    return DjangoVersion(LATEST, "assumed")


def _folders(root: Path) -> list[Path]:
    """The scanned folder, then its parents up to the repository root (the folder holding
    ``.git``); only the scanned folder when no repository encloses it."""
    chain = [root]
    for folder in [root, *root.parents][:12]:
        if folder != root:
            chain.append(folder)
        if _exists(folder / ".git"):
            return chain
    return [root]


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # an unreadable parent folder: not a repository we can read
        return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        parts = []
        up = root
        while True:
            try:
                rest = path.relative_to(up)
                return "/".join([*parts, rest.as_posix()])
            except ValueError:
                parts.append("..")
                if up == up.parent:
                    return path.as_posix()
                up = up.parent


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _from_folder(folder: Path, root: Path) -> DjangoVersion | None:
    # exact pins first
    for name, reader in (("uv.lock", _uv_or_poetry_lock), ("poetry.lock", _uv_or_poetry_lock),
                         ("Pipfile.lock", _pipfile_lock)):  # fmt: skip
        text = _read(folder / name)
        if text is not None:
            pin = reader(text)
            if pin is not None:
                return _judged(f"=={pin}", _rel(folder / name, root))
    # then declared requirements
    for path in _requirement_files(folder):
        specs = _requirements_file(path, set())
        if specs:
            return _judged(specs[0], _rel(path, root))
    for name, reader in (("pyproject.toml", _pyproject), ("Pipfile", _pipfile),
                         ("setup.cfg", _setup_cfg), ("setup.py", _setup_py)):  # fmt: skip
        text = _read(folder / name)
        if text is None:
            continue
        spec = reader(text)
        if spec is not None:
            return _judged(spec, _rel(folder / name, root))
    # an unpacked release: its own metadata (a wheel's .dist-info/METADATA, an sdist's PKG-INFO)
    for path in [*_glob(folder, "*.dist-info/METADATA"), folder / "PKG-INFO", *_glob(folder, "*.egg-info/PKG-INFO")]:
        text = _read(path)
        spec = _metadata(text) if text is not None else None
        if spec is not None:
            return _judged(spec, _rel(path, root))
    return None


def _glob(folder: Path, pattern: str) -> list[Path]:
    try:
        return sorted(folder.glob(pattern))
    except OSError:
        return []


def _metadata(text: str) -> str | None:
    """``Requires-Dist: Django>=4.2`` of core metadata; requirements behind an extra don't count."""
    lines = re.findall(r"^Requires-Dist:\s*(.+)$", text, re.MULTILINE)
    return _first_spec(line.split(";", 1)[0] for line in lines if "extra ==" not in line)


def _judged(spec: str, source: str, detail: str | None = None) -> DjangoVersion | None:
    version, note = judge_spec(spec)
    if version is None:
        return None
    below = bool(note) and "older than" in note
    pinned = older_release(spec) if below else None
    return DjangoVersion(version, source, f"{detail or 'Django' + spec}{note}", below_supported=below, pinned=pinned)


# --- requirement specifiers -------------------------------------------------------------------

_REQUIREMENT = re.compile(
    r"^\s*django\s*(?:\[[^\]]*\])?\s*(?P<spec>(?:\(?\s*(?:===|==|!=|~=|>=|<=|>|<)\s*[\w.*+!-]+\s*,?\s*\)?)*)\s*(?:;.*)?$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"(===|==|!=|~=|>=|<=|>|<)\s*([\w.*+!-]+)")


def requirement_spec(line: str) -> str | None:
    """The specifier of a ``Django...`` requirement line (``""`` for bare ``Django``), else None."""
    line = line.split("#", 1)[0].strip()
    line = re.split(r"\s+--?[a-zA-Z]", line, maxsplit=1)[0]  # pip options: --hash=..., -e
    if not line:
        return None
    match = _REQUIREMENT.match(line)
    if match is None:
        return None
    return re.sub(r"[\s()]", "", match.group("spec"))


def judge_spec(spec: str) -> tuple[Version | None, str]:
    """The highest supported feature release a specifier allows, and a note when clamped.

    Understands PEP 440 clauses (``==``, ``===``, ``!=``, ``~=``, ``>=``, ``<=``, ``>``, ``<``,
    ``==X.Y.*``) and Poetry's ``^``/``~``/``X.Y.*``/``*``."""
    clauses = _clauses(spec)
    if clauses is None:
        return None, ""
    allowed = [v for v in SUPPORTED if any(_allows(clauses, (*v, p)) for p in range(_MAX_PATCH))]
    if allowed:
        return allowed[-1], ""
    # nothing supported: judge with the nearest supported release
    bound = _pinned(clauses)
    if bound is None:
        return None, ""
    if bound < SUPPORTED[0] or older_release(spec) is not None:  # `<3.2` allows only older ones
        if older_release(spec) is None:
            return SUPPORTED[0], f" (older than {_text(OLDER[0])}, before migrations: models vs migrations not judged)"
        return SUPPORTED[0], f" (older than {_text(SUPPORTED[0])}: models vs migrations judged where they did not change)"
    return LATEST, f" (newer than {_text(LATEST)}: judged as {_text(LATEST)})"


# feature releases before SUPPORTED[0] (djstate.state.old_django compares what they share)
OLDER: tuple[Version, ...] = ((1, 7), (1, 8), (1, 9), (1, 10), (1, 11), (2, 0), (2, 1), (2, 2), (3, 0), (3, 1))
NO_MIGRATIONS: Version = (1, 6)  # the `setting` of a pin older than 1.7


def older_release(spec: str) -> Version | None:
    """The newest release before SUPPORTED[0] that a specifier allows (``<2,>=1.8`` -> 1.11)."""
    clauses = _clauses(spec)
    if clauses is None:
        return None
    allowed = [v for v in OLDER if any(_allows(clauses, (*v, p)) for p in range(_MAX_PATCH))]
    return allowed[-1] if allowed else None


def _text(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _release(text: str) -> tuple[int, ...] | None:
    match = re.match(r"^v?(\d+(?:\.\d+)*)", text)
    return tuple(int(x) for x in match.group(1).split(".")) if match else None


def _clauses(spec: str) -> list[tuple[str, str]] | None:
    """PEP 440 clauses for a specifier (Poetry's forms translated); None when unreadable."""
    spec = spec.strip()
    if spec in ("", "*"):
        return []
    out: list[tuple[str, str]] = []
    for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", spec):
        part = part.strip()
        if not part or part == "*":
            continue
        if part.startswith("^"):
            release = _release(part[1:])
            if release is None:
                return None
            first = next((i for i, x in enumerate(release) if x), len(release) - 1)
            upper = list(release[: first + 1])
            upper[-1] += 1
            out += [(">=", part[1:]), ("<", ".".join(map(str, upper)))]
        elif part.startswith("~") and not part.startswith("~="):
            release = _release(part[1:])
            if release is None:
                return None
            upper = [release[0] + 1] if len(release) == 1 else [release[0], release[1] + 1]
            out += [(">=", part[1:]), ("<", ".".join(map(str, upper)))]
        elif part[0].isdigit():
            out.append(("==", part))  # Poetry: a bare version is an exact pin
        else:
            match = _CLAUSE.fullmatch(part)
            if match is None:
                return None
            out.append((match.group(1), match.group(2)))
    return out


def _pinned(clauses: list[tuple[str, str]]) -> Version | None:
    """Where an unsatisfiable (by supported releases) range sits: its first bound."""
    for op, value in clauses:
        release = _release(value)
        if release is not None:
            return (release[0], release[1] if len(release) > 1 else 0)
    return None


def _cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = max(len(a), len(b))
    a, b = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (a > b) - (a < b)


def _allows(clauses: list[tuple[str, str]], version: tuple[int, ...]) -> bool:
    for op, value in clauses:
        wildcard = value.endswith(".*")
        release = _release(value[:-2] if wildcard else value)
        if release is None:
            return False
        if op in ("==", "===", "!=") and wildcard:
            same = version[: len(release)] == release
            if same != (op != "!="):
                return False
            continue
        c = _cmp(version, release)
        if op in ("==", "===") and c != 0:
            return False
        if op == "!=" and c == 0:
            return False
        if op == ">=" and c < 0 or op == ">" and c <= 0 or op == "<=" and c > 0 or op == "<" and c >= 0:
            return False
        if op == "~=":
            prefix = release[:-1] if len(release) > 1 else release
            if c < 0 or version[: len(prefix)] != prefix:
                return False
    return True


# --- files --------------------------------------------------------------------------------------


def _requirement_files(folder: Path) -> list[Path]:
    try:
        top = sorted(p for p in folder.glob("requirements*.txt") if p.is_file())
        nested = sorted(p for p in (folder / "requirements").glob("*.txt") if p.is_file())
    except OSError:
        return []
    # requirements.txt first, then the others in name order
    return sorted(top, key=lambda p: (p.name != "requirements.txt", p.name)) + nested


def _requirements_file(path: Path, seen: set[Path], depth: int = 0) -> list[str]:
    """Django specifiers in a requirements file and the files it includes with -r/-c."""
    resolved = path.resolve()
    if resolved in seen or depth > 8:
        return []
    seen.add(resolved)
    text = _read(path)
    if text is None:
        return []
    found: list[str] = []
    includes: list[Path] = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.strip()
        include = re.match(r"^(?:-r|-c|--requirement|--constraint)\s*=?\s*(\S+)", line)
        if include:
            includes.append(path.parent / include.group(1))
            continue
        spec = requirement_spec(line)
        if spec is not None:
            found.append(spec)
    for included in includes:
        found += _requirements_file(included, seen, depth + 1)
    # a pinned clause beats a bare name (a constraints file pins what another lists)
    return sorted(found, key=lambda s: s == "")


def _first_spec(lines: Iterable[Any]) -> str | None:
    specs = [s for s in (requirement_spec(x) for x in lines if isinstance(x, str)) if s is not None]
    specs.sort(key=lambda s: s == "")
    return specs[0] if specs else None


def _pyproject(text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    lines: list[Any] = list(project.get("dependencies", []) or [])
    for group in (project.get("optional-dependencies", {}) or {}).values():
        lines += list(group or []) if isinstance(group, list) else []
    for group in (data.get("dependency-groups", {}) or {}).values():
        lines += list(group or []) if isinstance(group, list) else []
    spec = _first_spec(lines)
    if spec is not None:
        return spec
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [g.get("dependencies", {}) for g in (poetry.get("group", {}) or {}).values() if isinstance(g, dict)]
    for table in tables:
        if isinstance(table, dict):
            spec = _poetry_value(table)
            if spec is not None:
                return spec
    return None


def _poetry_value(table: dict) -> str | None:
    for key, value in table.items():
        if key.lower() != "django":
            continue
        if isinstance(value, dict):
            value = value.get("version", "*")
        if isinstance(value, list):  # multiple constraints per python version: the first
            value = value[0].get("version", "*") if value and isinstance(value[0], dict) else "*"
        return value if isinstance(value, str) else "*"
    return None


def _pipfile(text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        if isinstance(table, dict):
            spec = _poetry_value(table)
            if spec is not None:
                return spec
    return None


def _uv_or_poetry_lock(text: str) -> str | None:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    for package in data.get("package", []) or []:
        if isinstance(package, dict) and str(package.get("name", "")).lower() == "django":
            version = package.get("version")
            if isinstance(version, str):
                return version
    return None


def _pipfile_lock(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    for section in ("default", "develop"):
        table = data.get(section, {}) if isinstance(data, dict) else {}
        for name, entry in (table or {}).items():
            if name.lower() == "django" and isinstance(entry, dict):
                version = entry.get("version", "")
                if isinstance(version, str) and version.startswith("=="):
                    return version[2:]
    return None


def _setup_cfg(text: str) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    lines: list[str] = []
    if parser.has_option("options", "install_requires"):
        lines += parser.get("options", "install_requires").splitlines()
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            lines += value.splitlines()
    return _first_spec(lines)


_SETUP_STRING = re.compile(r"""["']\s*(django\s*(?:\[[^\]'"]*\])?\s*(?:[<>=!~][^"']*)?)["']""", re.IGNORECASE)


def _setup_py(text: str) -> str | None:
    """Requirement strings naming Django in setup.py's text; the file is never executed."""
    return _first_spec(m.group(1) for m in _SETUP_STRING.finditer(text))


_VERSION_TUPLE = re.compile(r"^VERSION\s*=\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)", re.MULTILINE)


def _from_site_packages(site: Path) -> DjangoVersion | None:
    text = _read(site / "django" / "__init__.py")
    if text is not None:
        match = _VERSION_TUPLE.search(text)
        if match:
            version = (int(match.group(1)), int(match.group(2)))
            return _clamped(version, "site-packages", f"Django {'.'.join(match.groups())}")
    try:
        infos = sorted(site.glob("[Dd]jango-*.dist-info"))
    except OSError:
        infos = []
    for info in infos:
        metadata = _read(info / "METADATA") or ""
        match = re.search(r"^Version:\s*(\S+)", metadata, re.MULTILINE)
        text = match.group(1) if match else info.name[len("django-") : -len(".dist-info")]
        release = _release(text)
        if release is not None and len(release) >= 2:
            return _clamped((release[0], release[1]), "site-packages", f"Django {text}")
    return None


def _clamped(version: Version, source: str, detail: str) -> DjangoVersion:
    if version < SUPPORTED[0]:
        if version < OLDER[0]:
            note = f"(older than {_text(OLDER[0])}, before migrations: models vs migrations not judged)"
            return DjangoVersion(SUPPORTED[0], source, f"{detail} {note}", True)
        note = f"(older than {_text(SUPPORTED[0])}: models vs migrations judged where they did not change)"
        return DjangoVersion(SUPPORTED[0], source, f"{detail} {note}", True, version)
    if version > LATEST:
        return DjangoVersion(LATEST, source, f"{detail} (judged as {_text(LATEST)})")
    if version not in SUPPORTED:  # a feature release between known ones: the one before it
        below = max(v for v in SUPPORTED if v <= version)
        return DjangoVersion(below, source, f"{detail} (judged as {_text(below)})")
    return DjangoVersion(version, source, detail)


_COMPARE = {">=": operator.ge, ">": operator.gt, "<": operator.lt, "<=": operator.le}


def version_verdict(test: tuple, django_version: Any) -> bool | None:
    """Whether ``django.VERSION[:n] <op> literal`` holds under the Django version the project is
    judged as; None when that is not known for certain. A version read from the project (config,
    a requirement, site-packages) decides; an assumed one only when every supported release
    gives the same answer."""
    length, op, literal = test
    compare = _COMPARE[op]

    def holds(version: tuple[int, int]) -> bool:
        full = (*version, 0, "final", 0)  # django.VERSION's shape; the literal has no micro part
        return compare(full[:length] if length else full, literal)

    if django_version is None:
        return None
    if not django_version.assumed:
        return holds(django_version.compared)
    answers = {holds(version) for version in SUPPORTED}
    return answers.pop() if len(answers) == 1 else None
