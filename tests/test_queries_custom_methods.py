"""Queries through custom QuerySet/manager methods, module-qualified models, `assert` and
`filter(**kwargs)` (issue 13's recall on real projects, tools/mutate.py's query kinds).

Each project is the query rules' shop (djstate/rules/query_cases.py) plus a library app whose
managers and querysets take the shapes real projects use; every line marked `# expect:` is run
against Django with SQLite and must raise FieldError, every other line must run."""

from __future__ import annotations

import textwrap

from djstate.rules.query_cases import query_case
from tests.oracle.statements import run_statements
from tests.conftest import expected_markers, run_scan, write_project

LIBRARY = {
    "library/__init__.py": "",
    "library/apps.py": "from django.apps import AppConfig\n\n\nclass LibraryConfig(AppConfig):\n    name = 'library'\n",
    "library/managers.py": textwrap.dedent('''\
        from django.db import models


        class LoanQuerySet(models.QuerySet):
            def open(self):
                return self.filter(returned=False)

            def for_reader(self, reader):
                qs = self.open()
                if reader:
                    qs = qs.filter(reader=reader)
                return qs

            def counted(self):
                return self.annotate(n=models.Count("pk"))


        class OpenManager(models.Manager):
            def get_queryset(self):
                return super().get_queryset().filter(returned=False).select_related()


        class CountingManager(models.Manager):
            def get_queryset(self):
                return super().get_queryset().annotate(n=models.Count("pk"))
        '''),
    "library/models.py": textwrap.dedent('''\
        from django.db import models

        from .managers import CountingManager, LoanQuerySet, OpenManager


        class Loan(models.Model):
            reader = models.CharField(max_length=50)
            returned = models.BooleanField(default=False)

            objects = models.Manager.from_queryset(LoanQuerySet)()
            still_out = OpenManager()
            counting = CountingManager()


        class Viewset:
            def get_url_name(self, name):
                return name


        def register(model):
            model.viewset = Viewset()  # wagtail's register_snippet gives the class `snippet_viewset`
            return model


        register(Loan)
        '''),
    "library/migrations/__init__.py": "",
    "library/migrations/0001_initial.py": textwrap.dedent('''\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Loan",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("reader", models.CharField(max_length=50)),
                        ("returned", models.BooleanField(default=False)),
                    ],
                ),
            ]
        '''),
}

SOURCE = textwrap.dedent('''\
    from library import models as library_models
    from library.models import Loan


    def good(query):
        Loan.objects.open().filter(reader="x").order_by("reader")
        Loan.objects.for_reader("x").filter(returned=True)
        Loan.still_out.filter(reader="x")
        Loan.objects.counted().filter(n__gte=0)  # counted() annotates: not judged
        Loan.counting.filter(n__gte=0)  # the manager annotates: not judged
        library_models.Loan.objects.filter(reader="x")
        assert not Loan.objects.filter(reader="x").exists()
        Loan.objects.filter(**query).values("reader")
        Book.objects.filter(publisher_id__name="x", publisher_id__in=[1])  # an attname goes on as its relation
        Loan.viewset.get_url_name("list")  # set on the class at runtime: no manager


    def bad(query):
        Loan.objects.open().filter(readr="x")  # expect: DJS501
        Loan.objects.for_reader("x").order_by("-retuned")  # expect: DJS501
        Loan.still_out.filter(reader__startwith="x")  # expect: DJS501
        library_models.Loan.objects.filter(readers="x")  # expect: DJS501
        assert Loan.objects.filter(reeder="x").exists()  # expect: DJS501
        Loan.objects.filter(**query).values("reader__nme")  # expect: DJS501
        Book.objects.filter(publisher_id__nmae="x")  # expect: DJS501
    ''')

def project(tmp_path):
    case = query_case(SOURCE.split("\n", 2)[2], **LIBRARY)
    files = dict(case.files)
    files["shop/queries.py"] = files["shop/queries.py"].replace(
        "from .models import", "from library import models as library_models\nfrom library.models import Loan\nfrom .models import")
    return write_project(tmp_path, files, case.symlinks, case.config)


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = project(tmp_path)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = project(tmp_path)
    outcome = run_statements(root, "shop.queries", ["shop", "library"], extra={"query": {"reader": "x"}}, asserts_run=True)
    marked = {line for path, line, _ in expected_markers(root) if path == "shop/queries.py"}
    for line, error in outcome.items():
        if line in marked:
            assert error == "FieldError", (line, error)
        else:
            assert error is None, (line, error)
    assert len(marked) == 7 and marked <= set(outcome)
