"""Walking a tree: which files are apps, migrations and settings. No file is parsed here.

Apps are found anywhere: a package with a ``migrations/`` folder of migrations, an
``apps.py``, or a models module that imports Django. Virtualenvs, site-packages,
node_modules, hidden folders and ``exclude`` patterns are skipped. Unreadable folders and
symlink loops become warnings, not tracebacks.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {"node_modules", "site-packages", "dist-packages", "__pycache__", "htmlcov", "__pypackages__", "buck-out"}
# a migration module subclasses (django.db.)migrations.Migration; django/db/migrations/ holds
# `class Migration:` itself and must not look like an app's migrations package
_MIGRATION_CLASS = re.compile(rb"^class\s+Migration\s*\(\s*[\w.]*Migration\s*\)", re.MULTILINE)
_DJANGO_MODELS = re.compile(rb"django\.db|from\s+\.+\w*\s+import|models\.Model")
_SETTINGS_MODULE = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]""")


@dataclass
class WalkProblem:
    path: str
    message: str


@dataclass
class AppDir:
    """A folder that looks like a Django app."""

    path: str  # relative to root, POSIX; "" for the root itself
    module: str  # dotted import path, from its import root
    has_init: bool
    apps_file: str | None = None
    config_file: str | None = None  # where a non-apps.py AppConfig may be declared
    models_files: list[str] = field(default_factory=list)
    migrations_dir: str | None = None
    migrations_has_init: bool = False
    migration_files: list[str] = field(default_factory=list)


@dataclass
class Tree:
    root: Path
    apps: list[AppDir] = field(default_factory=list)
    # dotted module -> file path, for every module below an import root
    modules: dict[str, str] = field(default_factory=dict)
    manage_files: list[str] = field(default_factory=list)
    problems: list[WalkProblem] = field(default_factory=list)
    python_files: int = 0


def settings_module_from_manage(text: str) -> str | None:
    """The module a ``manage.py`` sets as DJANGO_SETTINGS_MODULE (a string literal). A regex,
    not the parser: a warm scan never needs libcst."""
    match = _SETTINGS_MODULE.search(text)
    return match.group(1) if match else None


def _excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel + "/", p) for p in patterns)


def _is_virtualenv(path: str, names: list[str]) -> bool:
    return "pyvenv.cfg" in names or ("bin" in names and "lib" in names and "include" in names)


def _read_head(path: str, limit: int = 65536) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return b""


def _listing(path: str) -> tuple[list[os.DirEntry], list[str]]:
    """A folder's entries: its sub-folders (links to folders too, as os.walk sees them) and
    the names of everything else."""
    folders, files = [], []
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                folders.append(entry)
            else:
                files.append(entry.name)
    return folders, files


def walk(root: Path, exclude: tuple[str, ...] = ()) -> Tree:
    """One ``os.scandir`` pass over the tree: each folder is listed once, and only folders
    that are links are resolved (a link loop is a problem, a link into the tree is skipped)."""
    tree = Tree(root)
    root_str = str(root)
    real_root = os.path.realpath(root_str)
    seen: set[tuple[int, int]] = set()  # (device, inode) of each folder walked: a folder is walked once
    packages: dict[str, tuple[bool, list[str], list[str]]] = {}

    try:
        root_listing = _listing(root_str)
        root_stat = os.stat(root_str)
    except OSError as exc:
        tree.problems.append(WalkProblem(".", f"cannot read folder: {exc.strerror or exc}"))
        return tree
    # (path, relative folder, listing, identity); depth first, sub-folders in sorted order, as os.walk
    stack = [(root_str, "", root_listing, (root_stat.st_dev, root_stat.st_ino))]
    while stack:
        dirpath, rel_dir, (folders, filenames), identity = stack.pop()
        if identity in seen:  # two links to one folder outside the root: scan it once
            continue
        seen.add(identity)
        real = None  # this folder's real path, resolved only when a sub-folder is a link
        keep = []
        for entry in sorted(folders, key=lambda e: e.name):
            name = entry.name
            sub_rel = f"{rel_dir}/{name}" if rel_dir else name
            if name.startswith(".") or name in SKIP_DIRS or _excluded(sub_rel, exclude):
                continue
            sub_path = entry.path
            try:
                if entry.is_symlink():
                    real = real or os.path.realpath(dirpath)
                    target = os.path.realpath(sub_path)
                    if real == target or real.startswith(target + os.sep):
                        tree.problems.append(WalkProblem(sub_rel, "symlink loop: the link points to a folder that contains it"))
                        continue
                    if target == real_root or target.startswith(real_root + os.sep):
                        continue  # inside the tree: scanned under its real path
                sub_stat = entry.stat()
                listing = _listing(sub_path)
            except OSError as exc:
                tree.problems.append(WalkProblem(sub_rel, f"cannot read folder: {exc.strerror or exc}"))
                continue
            sub_names = [e.name for e in listing[0]] + listing[1]
            if _is_virtualenv(sub_path, sub_names):
                continue
            if name == "build" and any(n == "lib" or n.startswith("bdist.") for n in sub_names):
                continue  # setuptools' build output: a second copy of the packages (django-tenants' sdist)
            keep.append((name, sub_path, sub_rel, listing, (sub_stat.st_dev, sub_stat.st_ino)))
        stack += [(path, rel, listing, ident) for _, path, rel, listing, ident in reversed(keep)]
        py = sorted(f for f in filenames if f.endswith(".py") and not _excluded(f"{rel_dir}/{f}" if rel_dir else f, exclude))
        tree.python_files += len(py)
        packages[rel_dir] = ("__init__.py" in filenames, py, [k[0] for k in keep])
        if "manage.py" in py:
            tree.manage_files.append(f"{rel_dir}/manage.py" if rel_dir else "manage.py")

    # dotted module names: a folder's import root is its nearest ancestor without __init__.py,
    # which may lie above the scanned root (scanning site-packages/django/contrib)
    root_parts: list[str] = []
    above = root
    while (above / "__init__.py").is_file() and above.parent != above:
        root_parts.insert(0, above.name)
        above = above.parent

    def is_package(rel: str) -> bool:
        return packages.get(rel, (False,))[0] if rel else bool(root_parts) or packages.get("", (False,))[0]

    # each folder's answers once, from its parent's (a tree of 5000 folders asked them 10000 times, each up to the root)
    inside: dict[str, bool] = {}
    module_of_dir: dict[str, str] = {"": ".".join(root_parts) if packages.get("", (False,))[0] else ""}

    def inside_package(rel: str) -> bool:
        """Whether a folder lies inside a regular package, through folders without __init__.py."""
        if "/" not in rel:
            return False
        if rel not in inside:
            parent = rel.rsplit("/", 1)[0]
            inside[rel] = is_package(parent) or inside_package(parent)
        return inside[rel]

    def module_of(rel_dir: str) -> str:
        if rel_dir not in module_of_dir:
            parent, _, name = rel_dir.rpartition("/")
            # a folder without __init__.py inside a package is a namespace portion of it
            # (coderedcms/tests/testapp: two such folders deep is still coderedcms.tests.testapp)
            if is_package(rel_dir) or (parent and inside_package(rel_dir)):
                above = module_of(parent)
                module_of_dir[rel_dir] = f"{above}.{name}" if above else name
            else:
                module_of_dir[rel_dir] = ""
        return module_of_dir[rel_dir]

    for rel_dir, (has_init, py, _subdirs) in packages.items():
        base = module_of(rel_dir)
        for name in py:
            rel = f"{rel_dir}/{name}" if rel_dir else name
            stem = name[:-3]
            if stem == "__init__":
                if base:
                    tree.modules.setdefault(base, rel)
            else:
                tree.modules.setdefault(f"{base}.{stem}" if base else stem, rel)

    for rel_dir, (has_init, py, subdirs) in sorted(packages.items()):
        if rel_dir.rsplit("/", 1)[-1] == "migrations" or "/migrations/" in f"/{rel_dir}/":
            continue
        parent_dir = rel_dir.rsplit("/", 1)[0] if "/" in rel_dir else ""
        if (
            rel_dir.rsplit("/", 1)[-1] == "models" and has_init and is_package(parent_dir)
            and "apps.py" not in py and "migrations" not in subdirs
        ):
            continue  # app/models/ (even with a models.py inside) is its app's models package
        app = AppDir(rel_dir, module_of(rel_dir), has_init)
        prefix = f"{rel_dir}/" if rel_dir else ""
        if "apps.py" in py:
            app.apps_file = prefix + "apps.py"
        elif "__init__.py" in py and (has_init and "migrations" in subdirs):
            app.config_file = prefix + "__init__.py"  # pre-3.2 style: the AppConfig lives here
        if "models.py" in py:
            app.models_files.append(prefix + "models.py")
        if "models" in subdirs and f"{prefix}models" in packages:
            app.models_files += [f"{prefix}models/{f}" for f in packages[f"{prefix}models"][1]]
        if "migrations" in subdirs:
            mig_dir = f"{prefix}migrations"
            mig_init, mig_py, _ = packages.get(mig_dir, (False, [], []))
            files = [f"{mig_dir}/{f}" for f in mig_py if f[0] not in "_~"]
            heads = {f: _read_head(str(root / f)) for f in files} if "apps.py" not in py and "models.py" not in py else {}
            is_app = "apps.py" in py or "models.py" in py
            if files and (is_app or any(_MIGRATION_CLASS.search(h) for h in heads.values())):
                app.migrations_dir = mig_dir
                app.migrations_has_init = mig_init
                app.migration_files = files
        if not app.migrations_dir and not app.apps_file:
            # a bare models module must import Django; a bare models/ package (django.db has
            # one) is not enough to make an app
            models_module = prefix + "models.py"
            if "models.py" not in py and "models.py" in packages.get(f"{prefix}models", (False, [], []))[1]:
                models_module = f"{prefix}models/models.py"  # app/models/models.py
            elif "models.py" not in py:
                continue
            if not _DJANGO_MODELS.search(_read_head(str(root / models_module))):
                continue
            if any(rel_dir.startswith(a.path + "/") and (a.apps_file or a.migrations_dir) for a in tree.apps):
                # a models module inside an app's package, with no AppConfig and no migrations:
                # Django gives its models the enclosing app's label (explorer.ee.db_connections)
                continue
        if app.migrations_dir or app.apps_file or app.models_files:
            tree.apps.append(app)
    return tree
