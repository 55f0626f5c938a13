"""Lookups a project registers on Django's field classes (netbox's ``CharField.register_lookup(Empty)``
and ``class CollatedIExact(CollatedCaseInsensitiveMixin, IExact)``): a suffix is judged against
Django's lookups plus the names registered on the field's class or its ancestors (SlugField is a
CharField). A registration whose name djstate cannot read leaves only that class's suffixes
unjudged. Before, any ``register_lookup`` in the tree left every suffix unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

MIGRATION = textwrap.dedent('''\
    from django.db import migrations, models


    class Migration(migrations.Migration):
        initial = True
        dependencies = []
        operations = [
            migrations.CreateModel(
                name="Book",
                fields=[
                    ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("title", models.CharField(max_length=50)),
                    ("slug", models.SlugField()),
                    ("pages", models.IntegerField(default=0)),
                    ("shelf", models.ForeignKey(null=True, on_delete=models.deletion.SET_NULL, to="shop.book")),
                ],
            ),
        ]
    ''')

LIBRARY = {
    "shop/__init__.py": "",
    "shop/apps.py": textwrap.dedent('''\
        from django.apps import AppConfig


        class ShopConfig(AppConfig):
            name = "shop"

            def ready(self):
                from shop import lookups  # noqa: F401  (registers them)
        '''),
    "shop/models.py": textwrap.dedent('''\
        from django.db import models


        class Book(models.Model):
            title = models.CharField(max_length=50)
            slug = models.SlugField()
            pages = models.IntegerField(default=0)
            shelf = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)
        '''),
    "shop/lookups.py": textwrap.dedent('''\
        from django.db.models import CharField, ForeignKey, Lookup
        from django.db.models.lookups import IExact


        class NotEqual(Lookup):
            lookup_name = "ne"

            def as_sql(self, compiler, connection):
                lhs, lhs_params = self.process_lhs(compiler, connection)
                rhs, rhs_params = self.process_rhs(compiler, connection)
                return f"{lhs} <> {rhs}", lhs_params + rhs_params


        class CollatedMixin:
            pass


        class CollatedIExact(CollatedMixin, IExact):
            pass


        class Missing(NotEqual):
            lookup_name = "missing"


        CharField.register_lookup(NotEqual)
        CharField.register_lookup(CollatedIExact)
        ForeignKey.register_lookup(Missing)
        '''),
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": MIGRATION,
    "shop/queries.py": textwrap.dedent('''\
        from shop.models import Book


        def good():
            Book.objects.filter(title__ne="x").count()
            Book.objects.filter(slug__ne="x").count()  # SlugField is a CharField
            Book.objects.filter(title__iexact="x").count()
            Book.objects.filter(shelf__missing=1).count()
            Book.objects.filter(pages__gt=1).count()


        def bad():
            Book.objects.filter(title__nee="x").count()  # expect: DJS501
            Book.objects.filter(pages__ne=1).count()  # expect: DJS501
            Book.objects.filter(title__ne__in=["x"]).count()  # expect: DJS501
            Book.objects.filter(shelf__mising=1).count()  # expect: DJS501
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, LIBRARY)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    # `title__ne__in`: after a lookup the project registers, djstate does not know what may follow
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")} - {("shop/queries.py", 15, "DJS501")}
    unknown = [u.detail for u in result.project.unjudged if u.reason == "query-unknown"]
    assert len(unknown) == 1 and "'ne' is a lookup the project registers on CharField" in unknown[0]


def test_a_lookup_whose_name_cannot_be_read_leaves_only_its_class_unjudged(tmp_path):
    files = dict(LIBRARY)
    files["shop/lookups.py"] = LIBRARY["shop/lookups.py"] + "\n\nNAME = 'x'\nCharField.register_lookup(NotEqual, lookup_name=NAME)\n"
    root = write_project(tmp_path, files)
    result = run_scan(root)
    got = {(f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {(14, "DJS501"), (16, "DJS501")}  # IntegerField and ForeignKey stay judged
    assert any("whose name djstate cannot read" in u.detail for u in result.project.unjudged)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, LIBRARY)
    outcome = run_statements(root, "shop.queries", ["shop"])
    marked = {line for path, line, _ in expected_markers(root) if path == "shop/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 4 and marked <= set(outcome)


VENV_PACKAGE = textwrap.dedent('''\
    from django.db.models import Field, Lookup


    @Field.register_lookup
    class NotEqual(Lookup):
        lookup_name = "neq"
    ''')


def test_a_lookup_a_package_of_the_virtualenv_registers_is_not_an_error(tmp_path):
    # pulpcore registers `ne` on Field for its plugins (pulp-rpm's tree registers lookups too)
    from djstate.cache import FactsStore
    from djstate.config import load_config
    from djstate.engine import scan

    root = write_project(tmp_path / "project", LIBRARY)
    venv = write_project(tmp_path / "venv", {"framework/__init__.py": "", "framework/lookups.py": VENV_PACKAGE})
    queries = root / "shop/queries.py"
    queries.write_text(queries.read_text() + "\n\ndef framework():\n    Book.objects.filter(pages__neq=1).count()\n")
    config = load_config(root, {"site_packages": (str(venv),)})
    result = scan(root, config, FactsStore(root, None, jobs=1))
    got = {(f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {(13, "DJS501"), (14, "DJS501"), (16, "DJS501")}  # line 20 (pages__neq) is not among them
    assert any("a package of the virtualenv registers" in u.detail for u in result.project.unjudged)
