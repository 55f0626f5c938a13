"""Names that models outside the tree may give a model of the tree as reverse relations.

A model that apps outside the tree may point at (the ``AUTH_USER_MODEL`` target: admin's
``LogEntry``, DRF's ``Token``; a concrete parent read from a virtualenv, django_comments'
``Comment``) has reverse query names djstate does not place. Without the project's virtualenv
any name may be one of them. With it, every app that can be installed is in its site-packages,
and such a name is either a literal ``related_name``/``related_query_name`` there or the
lowercased name of a model class there. :class:`OutsideNames` gathers a superset of both from
the text of the site-packages (never imported), once and only when a query asks:

- every quoted identifier (``%(class)s`` templates included) in a file that declares a relation;
- every ``class X(...)`` name in any file, lowercased (an abstract base may hold the relation, its
  concrete subclass in another file gives the default name); a class with no base or only
  ``object`` (cssutils' ``class Profiles:``) is no model and gives none.

Top-level packages the tree also has are left out: the tree's copy is what runs (an oracle
venv holds an installed copy of the project, which a mutated tree no longer matches).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RELATION_TEXT = re.compile(rb"ForeignKey|OneToOneField|ManyToManyField|GenericRelation|related_name|related_query_name")
QUOTED = re.compile(rb"""["']([A-Za-z_][A-Za-z0-9_%()]*)["']""")
CLASS = re.compile(rb"^[ \t]*class[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*(\(\s*(?:object\s*,?\s*)?\)|:)?", re.M)
MAX_FILE_BYTES = 4_000_000
# lookups a package registers on field classes (pulpcore's `@Field.register_lookup` NotEqual):
# their names, read from the text of files that call register_lookup
LOOKUP_NAME = re.compile(rb"""\blookup_name\s*=\s*["'](\w+)["']""")
REGISTERED_AS = re.compile(rb"""register_lookup\(\s*[\w.]+\s*,\s*(?:lookup_name\s*=\s*)?["'](\w+)["']""")


class OutsideNames:
    def __init__(self, roots: tuple[Path, ...], tree_packages: set[str]) -> None:
        self.roots = roots
        self.tree_packages = tree_packages  # top-level packages of the scanned tree: not read here
        self._words: set[str] | None = None
        self._lookups: set[str] = set()
        self._templates: list[re.Pattern] = []

    def _read(self) -> set[str]:
        if self._words is not None:
            return self._words
        words: set[str] = set()
        templates: set[str] = set()
        for root in self.roots:
            for top in sorted(os.listdir(root)) if root.is_dir() else ():
                if top.split(".")[0] in self.tree_packages:
                    continue
                for folder, dirs, files in os.walk(root / top):
                    dirs[:] = [d for d in dirs if d != "__pycache__"]
                    for name in files:
                        if name.endswith(".py"):  # Django's own lookups are in its lookup table
                            self._read_file(Path(folder, name), words, templates, self._lookups if top != "django" else None)
        self._templates = [_template_pattern(t) for t in templates]
        self._words = words
        return words

    @staticmethod
    def _read_file(path: Path, words: set[str], templates: set[str], lookups: set[str] | None = None) -> None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return
            data = path.read_bytes()
        except OSError:
            return
        words.update(name.decode().lower() for name, baseless in CLASS.findall(data) if not baseless)
        if lookups is not None and b"register_lookup" in data:
            lookups.update(m.decode() for m in [*LOOKUP_NAME.findall(data), *REGISTERED_AS.findall(data)])
        if RELATION_TEXT.search(data) is None:
            return
        for match in QUOTED.findall(data):
            text = match.decode()
            (templates if "%(" in text else words).add(text)

    def registers_lookup(self, name: str) -> bool:
        """Whether a package of the virtualenv may register a lookup or transform of that name."""
        self._read()
        return name in self._lookups

    def may_name(self, name: str) -> bool:
        """Whether a model outside the tree may give a model that name as a reverse relation."""
        words = self._read()
        base = name[:-4] if name.endswith("_set") else name
        if {name, base, name.lower(), base.lower()} & words:
            return True
        return any(t.fullmatch(name) or t.fullmatch(base) for t in self._templates)


def _template_pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((?:class|model_name|app_label)\)s", template)
    return re.compile(r"\w+".join(re.escape(p) for p in parts))
