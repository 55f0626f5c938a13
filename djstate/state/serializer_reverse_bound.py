"""The reverse accessors the packages of a virtualenv may give a model of the tree.

A model that apps outside the tree may point at (``AUTH_USER_MODEL``, a swappable target, a
model read from the virtualenv) gets a reverse accessor from each of their relations:
``related_name`` (or the model's ``default_related_name``), else ``<model>_set`` or, for a
one-to-one, ``<model>``. DRF's ``build_field`` finds such an accessor (``_meta``), so a
``Meta.fields`` name on the model may be one of them; but only one of those names.

:func:`outside_accessors` reads, as text and without parsing, the ``.py`` files of every package
of the named site-packages folders that holds a Django models module, and returns what bounds
those names: every literal ``related_name``, every class name (lowercased, the default
accessors' stem) and every templated ``related_name`` (``"%(class)s_x"``). It answers None (no
bound) when a package sets a relation's name in a way text does not show: a ``related_name``
that is not a literal, or a model class built by a call (``type(name, bases, attrs)``).
Django's own field machinery (``django/db/``) builds no relation to a project's model and is
skipped. Folders a ``.pth`` file names are read too; an editable install's import hook
(``__editable__``) leaves the bound open. Without site-packages folders nothing is known of the
apps outside the tree: None.

Each file's reading depends on its bytes only: with a facts store, it is kept by content hash in
one bundle per set of folders (``FactsStore.load_bundle``), so a warm scan reads and hashes the
files but runs no regex over an unchanged one.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# a keyword argument or dict key naming a relation's accessor, or a write to a field's
_NAME = rb"(?:default_related_name|related_name|related_query_name)"
_NAME_SET = re.compile(rb"(?<![\w.])" + _NAME + rb"\s*=(?!=)\s*|['\"]" + _NAME + rb"['\"]\s*:\s*")
_NAME_WRITE = re.compile(rb"\." + _NAME + rb"\s*=(?!=)|setattr\([^)\n]*['\"]" + _NAME + rb"['\"]")
_LITERAL = re.compile(rb"""(?:[rbuRBU]{0,2})(['"])([^'"\\\n]*)\1\s*(?=[,)}\n#]|$)""")
_NONE = re.compile(rb"None\b")
_CLASS = re.compile(rb"^\s*class\s+(\w+)", re.M)
_ADDED = re.compile(rb"""add_to_class\(\s*['"](\w+)['"]""")
# a model class built by a call: its name, and so its default accessor, is computed
_BUILT_CLASS = re.compile(rb"(?:\btype|ModelBase|__class__)\(\s*[^,()\n]+,\s*\([^)]*Model")
_RELATION_CALL = re.compile(rb"\b(?:ForeignKey|OneToOneField|ManyToManyField|ForeignObject|ParentalKey|ParentalManyToManyField)\(")
# a string formatted at runtime ('_%s_objects' % x, "{}_set".format(x), f"{x}_set") and its placeholders
_FORMATTED = re.compile(rb"""(?:[fF]?)(['"])([^'"\\\n]*)\1\s*(?:%|\.format\(|(?=[,)\n]))""")
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sd]|\{[^}]*\}")
_RELAYED = re.compile(rb"(\w+)\s*(?=[,)\n])")
# Django's field and model machinery: no model relation of its own (GenericRel takes the
# related_query_name a GenericRelation is given, a literal where that relation is written)
_MACHINERY = ("django/db/", "django/contrib/contenttypes/fields.py")


@dataclass(frozen=True)
class OutsideAccessors:
    """What bounds the reverse accessors the packages' relations may give a model."""

    names: frozenset[str]  # literal related_names and add_to_class names
    classes: frozenset[str]  # every class name of those packages, lowercased
    templates: frozenset[str]  # related_names with %(class)s / %(app_label)s / %(model_name)s

    def may_give(self, name: str, template_matches) -> bool:
        """Whether one of the packages' relations may give a model the accessor ``name``."""
        if name in self.names:
            return True
        if (name[:-4] if name.endswith("_set") else name) in self.classes:
            return True
        return any(template_matches(t, name) for t in self.templates)


def _is_django(path: Path) -> bool:
    try:
        return b"django" in path.read_bytes()
    except OSError:
        return True


def _model_packages(site: Path) -> list[Path]:
    """The top-level packages of a site-packages folder that hold a Django models module (one
    that names django: celery's SQLAlchemy models are none)."""
    out = []
    try:
        entries = sorted(site.iterdir())
    except OSError:
        return out
    for entry in entries:
        if not entry.is_dir() or entry.name.endswith((".dist-info", ".egg-info", "__pycache__")):
            continue
        for folder, dirs, files in os.walk(entry):  # os.path, not Path: thousands of folders
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            module = "models.py" if "models.py" in files else "__init__.py" if os.path.basename(folder) == "models" else None
            if module is not None and module in files and _is_django(Path(folder, module)):
                out.append(entry)
                break
    return out


def _statement(text: bytes, at: int) -> bool:
    """Whether the match starts a statement (``related_name = field.name``: a local variable,
    which names a relation only when passed on as a keyword, a match of its own)."""
    return not text[text.rfind(b"\n", 0, at) + 1 : at].strip()


def _with_path_files(site_packages: list[Path]) -> list[Path] | None:
    """The folders, with those their ``.pth`` files add (a package installed in development
    mode lives there); None when an import hook of an editable install decides (``__editable__``)."""
    out = list(site_packages)
    for site in site_packages:
        try:
            files = sorted(site.glob("*.pth"))
        except OSError:
            return None
        for pth in files:
            if pth.name.startswith("__editable__"):
                return None
            try:
                lines = pth.read_text(errors="replace").splitlines()
            except OSError:
                return None
            for line in lines:
                line = line.strip()
                if line and not line.startswith(("#", "import ", "import\t")):
                    folder = (site / line).resolve()
                    if folder.is_dir() and folder not in out:
                        out.append(folder)
    return out


def outside_accessors(
    site_packages: list[Path], own: set[str] = frozenset(), store: Any = None
) -> OutsideAccessors | None:
    """The bound of the accessors the packages of ``site_packages`` may give; ``own``: the
    scanned tree's top-level packages, installed there too, whose models djstate reads itself;
    ``store``: a FactsStore whose bundles keep each file's reading by content hash."""
    if not site_packages:
        return None
    folders = _with_path_files(site_packages)
    if folders is None:
        return None
    bundle = f"reverse-bound-{_fingerprint()}-{hashlib.sha256(repr(folders).encode()).hexdigest()[:16]}"
    cached: dict[bytes, Any] = store.load_bundle(bundle) if store is not None else {}
    used: dict[bytes, Any] = {}
    bound = _read_folders(folders, own, cached, used)
    if store is not None and used.keys() != cached.keys():
        store.save_bundle(bundle, used)
    return bound


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """This module's source: a bundle read by other regexes is not reused."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _read_folders(folders: list[Path], own: set[str], cached: dict, used: dict) -> OutsideAccessors | None:
    """:func:`outside_accessors` over the folders; ``cached``/``used``: each file's
    :func:`read_relations` by the sha256 of its bytes, last run's and this run's."""
    names: set[str] = set()
    classes: set[str] = set()
    templates: set[str] = set()
    for site in folders:
        for package in _model_packages(site):
            if package.name in own:
                continue
            for folder, dirs, files in os.walk(package):  # os.path, not Path: thousands of files
                dirs[:] = [d for d in dirs if d not in ("__pycache__", "migrations")]  # no model of its own
                relative = folder[len(os.path.join(site, "")):].replace(os.sep, "/") + "/"  # os.walk keeps the prefix
                for file in files:
                    if not file.endswith(".py") or (relative + file).startswith(_MACHINERY):
                        continue
                    try:
                        with open(os.path.join(folder, file), "rb") as handle:
                            data = handle.read()
                    except OSError:
                        return None  # unreadable: it may hold anything
                    key = hashlib.sha256(data).digest()
                    found = used[key] if key in used else cached[key] if key in cached else read_relations(data)
                    used[key] = found
                    if found is None:
                        return None
                    names |= found[0]
                    classes |= found[1]
                    templates |= found[2]
    return OutsideAccessors(frozenset(names), frozenset(classes), frozenset(templates))


def read_relations(text: bytes) -> tuple[set[str], set[str], set[str]] | None:
    """(accessor names, lowercased class names, templated names) one file may give; None
    when it may give a name its text does not show."""
    names = {n.decode() for n in _ADDED.findall(text)}
    classes = {c.decode().lower() for c in _CLASS.findall(text)}
    templates: set[str] = set()
    if b"related_" in text:
        if _NAME_WRITE.search(text):
            return None  # a field's accessor renamed after it was built
        for match in _NAME_SET.finditer(text):
            if b"#" in text[text.rfind(b"\n", 0, match.start()) + 1 : match.start()]:
                continue  # in a comment
            literal = _LITERAL.match(text, match.end())
            if literal is not None:
                value = literal.group(2).decode(errors="replace")
                (templates if "%(" in value else names).add(value)
                continue
            formatted = _FORMATTED.match(text, match.end())
            if formatted is not None:  # '_%s_objects' % name: any word where the placeholders are
                templates.add(_PLACEHOLDER.sub("%(app_label)s", formatted.group(2).decode(errors="replace")))
                continue
            relayed = _RELAYED.match(text, match.end())
            if relayed is not None and relayed.group(1) == match.group(0).strip(b"=:'\" \t"):
                continue  # related_name=related_name: a caller's value, a literal where it is written
            if not _NONE.match(text, match.end()) and not _statement(text, match.start()):
                return None  # a related_name computed at runtime
    if _BUILT_CLASS.search(text) and not _relations_named(text):
        return None  # a model class built by a call, with a relation its default accessor names
    return names, classes, templates


def _relations_named(text: bytes) -> bool:
    """Whether every relation field built in the text is given its accessor's name."""
    for match in _RELATION_CALL.finditer(text):
        depth, end = 1, match.end()
        while depth and end < len(text):
            depth += {40: 1, 41: -1}.get(text[end], 0)
            end += 1
        if not _NAME_SET.search(text[match.end() : end]):
            return False
    return True
