"""Mutation testing on real code: break a released package's models↔migrations agreement
the way a hurried edit would, and check that djstate reports exactly that break.

The packages are the test venv's own copies of django-taggit and wagtail. Each test copies
the package folder into ``tmp_path`` (Python sources only: templates, static files and
translations are not read by djstate and would only slow the copy), applies ONE mutation
and scans the copy:

(a) a field added to a model (or to an abstract base it inherits from)  -> DJS211 AddField
(b) a field's ``max_length`` changed                                    -> DJS212 AlterField
(c) a field's ``null`` changed                                          -> DJS212 AlterField
(d) an ``AddField`` operation deleted from a migration (the model keeps
    the field, so ``makemigrations`` would write it again)              -> DJS211 AddField
(e) a relation's ``on_delete`` changed                                  -> DJS212 AlterField

The unmutated copy must have no DJS210-213 error; after the mutation the drift findings,
minus those the unmutated copy already had, must be exactly the expected one: right code,
severity "error", app label, model and field, reported in the mutated models file.

A mutation djstate misses stays in the table, marked ``xfail(strict=True)`` with what it
reports instead, until djstate is fixed. Wagtail is scanned with a facts cache shared by
the whole session (records are keyed by content hash, so a mutated file is parsed again
and nothing else is).
"""

from __future__ import annotations

import ast
import shutil
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import ScanResult, scan
from tests.conftest import run_scan

SITE = Path(sysconfig.get_paths()["purelib"])
DRIFT_CODES = ("DJS210", "DJS211", "DJS212", "DJS213")
WAGTAIL_CONFIG = Config(exclude=("test/*", "project_template/*"))
NOT_SOURCE = shutil.ignore_patterns(
    "__pycache__", "locale", "locales", "static", "static_src", "templates", "jinja2"
)

# --- mutations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replace:
    """Replace a snippet that occurs exactly once in a file of the package."""

    path: str
    old: str
    new: str

    def apply(self, root: Path) -> None:
        file = root / self.path
        text = file.read_text(encoding="utf-8")
        if text.count(self.old) != 1:  # not an assertion: a stale snippet must not pass as an xfail
            raise ValueError(f"{self.path}: the snippet must occur exactly once: {self.old!r}")
        file.write_text(text.replace(self.old, self.new), encoding="utf-8")


@dataclass(frozen=True)
class DropAddField:
    """Delete one ``migrations.AddField(model_name=..., name=...)`` from a migration."""

    path: str
    model_name: str
    name: str

    def apply(self, root: Path) -> None:
        file = root / self.path
        source = file.read_text(encoding="utf-8")
        wanted = {"model_name": self.model_name, "name": self.name}
        calls = [
            node
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "AddField"
            and wanted.items() <= _literal_kwargs(node).items()
        ]
        lines = source.splitlines(keepends=True)
        if len(calls) != 1 or lines[calls[0].end_lineno - 1].strip() != "),":
            raise ValueError(f"{self.path}: no single AddField {wanted} ending its own line")
        call = calls[0]
        del lines[call.lineno - 1 : call.end_lineno]
        file.write_text("".join(lines), encoding="utf-8")
        ast.parse(file.read_text(encoding="utf-8"))  # still a valid migration


def _literal_kwargs(call: ast.Call) -> dict:
    return {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}


@dataclass(frozen=True)
class Expected:
    code: str
    app: str
    model: str  # lowercased
    field: str


MUTATIONS: list = []


def mutation(
    name: str, package: str, change: Replace | DropAddField, expected: Expected, xfail: str | None = None
) -> None:
    """Register a mutation; ``xfail`` is what djstate reports instead of the expected finding
    (only a failed assertion counts: a mutation that cannot be applied is an error)."""
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=xfail)] if xfail else []
    MUTATIONS.append(pytest.param(package, change, expected, id=f"{package}-{name}", marks=marks))


# fmt: off
# (a) a field added to a model

mutation("a_add_field", "taggit",
         Replace("models.py", "class Tag(TagBase):\n    class Meta:",
                 "class Tag(TagBase):\n    description = models.TextField(blank=True)\n\n    class Meta:"),
         Expected("DJS211", "taggit", "tag", "description"))
mutation("a_add_field_to_abstract_base", "taggit",
         Replace("models.py", "class TaggedItemBase(ItemBase):\n",
                 "class TaggedItemBase(ItemBase):\n    weight = models.PositiveIntegerField(default=0)\n"),
         Expected("DJS211", "taggit", "taggeditem", "weight"))
mutation("a_add_field", "wagtail",
         Replace("embeds/models.py", "    provider_name = models.TextField(blank=True)\n",
                 "    provider_name = models.TextField(blank=True)\n    provider_url = models.TextField(blank=True)\n"),
         Expected("DJS211", "wagtailembeds", "embed", "provider_url"))
mutation("a_add_field_2", "wagtail",
         Replace("contrib/search_promotions/models.py",
                 "    query_string = models.CharField(max_length=MAX_QUERY_STRING_LENGTH, unique=True)\n",
                 "    query_string = models.CharField(max_length=MAX_QUERY_STRING_LENGTH, unique=True)\n"
                 "    last_hit_at = models.DateTimeField(null=True, blank=True)\n"),
         Expected("DJS211", "wagtailsearchpromotions", "query", "last_hit_at"))

# (b) max_length changed

mutation("b_max_length", "taggit",
         Replace("models.py", '"name"), unique=True, max_length=100', '"name"), unique=True, max_length=150'),
         Expected("DJS212", "taggit", "tag", "name"))
mutation("b_max_length_2", "taggit",
         Replace("models.py", "        max_length=100,\n        allow_unicode=True,",
                 "        max_length=200,\n        allow_unicode=True,"),
         Expected("DJS212", "taggit", "tag", "slug"))
mutation("b_max_length", "wagtail",
         Replace("contrib/redirects/models.py", 'verbose_name=_("redirect from"), max_length=255',
                 'verbose_name=_("redirect from"), max_length=512'),
         Expected("DJS212", "wagtailredirects", "redirect", "old_path"))
mutation("b_max_length_2", "wagtail",
         Replace("models/sites.py", 'verbose_name=_("hostname"), max_length=255', 'verbose_name=_("hostname"), max_length=300'),
         Expected("DJS212", "wagtailcore", "site", "hostname"))

# (c) null changed

mutation("c_null", "taggit",
         Replace("models.py", 'object_id = models.IntegerField(verbose_name=_("object ID"), db_index=True)',
                 'object_id = models.IntegerField(verbose_name=_("object ID"), db_index=True, null=True)'),
         Expected("DJS212", "taggit", "taggeditem", "object_id"))
mutation("c_null", "wagtail",
         Replace("embeds/models.py", "    url = models.TextField()\n", "    url = models.TextField(null=True)\n"),
         Expected("DJS212", "wagtailembeds", "embed", "url"))
mutation("c_null_2", "wagtail",
         Replace("contrib/search_promotions/models.py", "    date = models.DateField()\n",
                 "    date = models.DateField(null=True)\n"),
         Expected("DJS212", "wagtailsearchpromotions", "querydailyhits", "date"))

# (d) an AddField deleted from a migration

mutation("d_drop_add_field", "wagtail",
         DropAddField("embeds/migrations/0009_embed_cache_until.py", "embed", "cache_until"),
         Expected("DJS211", "wagtailembeds", "embed", "cache_until"))
mutation("d_drop_add_field_2", "wagtail",
         DropAddField("users/migrations/0011_userprofile_dismissibles.py", "userprofile", "dismissibles"),
         Expected("DJS211", "wagtailusers", "userprofile", "dismissibles"))
mutation("d_drop_add_field_3", "wagtail",
         DropAddField("contrib/redirects/migrations/0007_add_autocreate_fields.py", "redirect", "automatically_created"),
         Expected("DJS211", "wagtailredirects", "redirect", "automatically_created"))
mutation("d_drop_add_field_4", "wagtail",
         DropAddField("contrib/search_promotions/migrations/0007_searchpromotion_external_link_text_and_more.py",
                      "searchpromotion", "external_link_text"),
         Expected("DJS211", "wagtailsearchpromotions", "searchpromotion", "external_link_text"))

# (e) on_delete changed

mutation("e_on_delete", "taggit",
         Replace("models.py", 'related_name="%(app_label)s_%(class)s_items", on_delete=models.CASCADE',
                 'related_name="%(app_label)s_%(class)s_items", on_delete=models.PROTECT'),
         Expected("DJS212", "taggit", "taggeditem", "tag"))
mutation("e_on_delete_2", "taggit",
         Replace("models.py", "        ContentType,\n        on_delete=models.CASCADE,",
                 "        ContentType,\n        on_delete=models.PROTECT,"),
         Expected("DJS212", "taggit", "taggeditem", "content_type"))
mutation("e_on_delete", "wagtail",
         Replace("images/models.py", 'Image, related_name="renditions", on_delete=models.CASCADE',
                 'Image, related_name="renditions", on_delete=models.PROTECT'),
         Expected("DJS212", "wagtailimages", "rendition", "image"))
mutation("e_on_delete_2", "wagtail",
         Replace("contrib/search_promotions/models.py", 'related_name="daily_hits", on_delete=models.CASCADE',
                 'related_name="daily_hits", on_delete=models.PROTECT'),
         Expected("DJS212", "wagtailsearchpromotions", "querydailyhits", "query"))
mutation("e_on_delete_3", "wagtail",
         Replace("models/pages.py", '        on_delete=models.CASCADE,\n        related_name="subscribers",',
                 '        on_delete=models.PROTECT,\n        related_name="subscribers",'),
         Expected("DJS212", "wagtailcore", "pagesubscription", "page"))


# the same kinds on wagtail's central models, whose bases reach outside the scanned tree

OUTSIDE_BASE = (
    "no drift finding at all: djstate leaves {model} unverified ({why}; a base from outside the "
    "scanned tree may add fields), so the whole model is skipped and only counted in stats.unverified"
)
INDEXED = "its abstract base {base} inherits index.Indexed, which wagtail/search/index.py star-imports from modelsearch"
PAGE = "AbstractPage inherits index.Indexed from modelsearch, ClusterableModel from modelcluster and MP_Node from treebeard"

mutation("a_add_field_page", "wagtail",
         Replace("models/pages.py", "    draft_title = models.CharField(max_length=255, editable=False)\n",
                 "    draft_title = models.CharField(max_length=255, editable=False)\n"
                 "    subtitle = models.CharField(max_length=255, blank=True)\n"),
         Expected("DJS211", "wagtailcore", "page", "subtitle"),
         xfail=OUTSIDE_BASE.format(model="wagtailcore.Page", why=PAGE))
# Models whose bases come from installed packages (modelsearch's Indexed): missed when only
# wagtail is scanned, caught once `site_packages` names the virtualenv.
SITE_VARIANTS = [
    ("b_max_length_image", Replace("images/models.py", '    title = models.CharField(max_length=255, verbose_name=_("title"))\n',
                                   '    title = models.CharField(max_length=300, verbose_name=_("title"))\n'),
     Expected("DJS212", "wagtailimages", "image", "title")),
    ("c_null_document", Replace("documents/models.py", '    title = models.CharField(max_length=255, verbose_name=_("title"))\n',
                                '    title = models.CharField(max_length=255, verbose_name=_("title"), null=True)\n'),
     Expected("DJS212", "wagtaildocs", "document", "title")),
    ("d_drop_add_field_image", DropAddField("images/migrations/0027_image_description.py", "image", "description"),
     Expected("DJS211", "wagtailimages", "image", "description")),
    ("e_on_delete_image", Replace("images/models.py", '        editable=False,\n        on_delete=models.SET_NULL,\n',
                                  '        editable=False,\n        on_delete=models.CASCADE,\n'),
     Expected("DJS212", "wagtailimages", "image", "uploaded_by_user")),
]
BASES = {"image": INDEXED.format(base="AbstractImage"), "document": INDEXED.format(base="AbstractDocument")}
for _name, _change, _expected in SITE_VARIANTS:
    _model = f"{_expected.app}.{_expected.model.capitalize()}"
    mutation(_name, "wagtail", _change, _expected, xfail=OUTSIDE_BASE.format(model=_model, why=BASES[_expected.model]))
    mutation(_name, "wagtail+site", _change, _expected)
# fmt: on


# --- scanning ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def facts_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("facts-cache")


def copy_package(package: str, dest: Path) -> Path:
    folder = package.split("+")[0]
    return Path(shutil.copytree(SITE / folder, dest / folder, ignore=NOT_SOURCE))


def scan_package(package: str, root: Path, cache: Path) -> ScanResult:
    if package == "taggit":
        return run_scan(root)
    config = WAGTAIL_CONFIG
    if package.endswith("+site"):
        config = Config(exclude=WAGTAIL_CONFIG.exclude, site_packages=(str(SITE),))
    return scan(root, config, FactsStore(root, cache, jobs=None))


def drift(result: ScanResult) -> set[tuple[str, str, str, str | None, str, str]]:
    return {
        (f.code, f.severity, f.app, (f.model or "").lower(), f.field, f.path)
        for f in result.findings
        if f.code in DRIFT_CODES
    }


@pytest.fixture(scope="session")
def baseline(tmp_path_factory, facts_cache):
    """The drift findings of each unmutated package, scanned once per session."""
    found = {}

    def of(package: str) -> set:
        if package not in found:
            root = copy_package(package, tmp_path_factory.mktemp(f"pristine-{package}"))
            found[package] = drift(scan_package(package, root, facts_cache))
        return found[package]

    return of


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("package", ["taggit", "wagtail", "wagtail+site"])
def test_unmutated_package_has_no_drift_error(package, baseline):
    assert [f for f in baseline(package) if f[1] == "error"] == []


@pytest.mark.parametrize("package, change, expected", MUTATIONS)
def test_mutation_is_caught(tmp_path, facts_cache, baseline, package, change, expected: Expected):
    root = copy_package(package, tmp_path)
    change.apply(root)
    new = drift(scan_package(package, root, facts_cache)) - baseline(package)
    reported = {(code, severity, app, model, field) for code, severity, app, model, field, _ in new}
    assert reported == {(expected.code, "error", expected.app, expected.model, expected.field)}
    if isinstance(change, Replace):  # reported where the mutation is
        assert {path for *_, path in new} == {change.path}
