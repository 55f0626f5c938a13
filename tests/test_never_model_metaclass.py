"""A class whose metaclass derives from ``abc.ABCMeta`` (and not ModelBase) is never a model.

django-ca imports josepy/acme's ``Order``, built on ``JSONObjectWithFields`` whose metaclass is
``JSONObjectWithFieldsMeta(abc.ABCMeta)``. Its other bases could not be followed, so djstate took
it for a model it cannot see, whose default reverse names (``order``, ``order_set``) might exist on
any model, and left a query naming ``order`` unjudged. Python refuses a class whose metaclass
does not derive from ModelBase beside ``models.Model`` (a metaclass conflict), so such a class is
never a model and hides no reverse accessor. A class whose bases cannot be followed and whose
metaclass is not read stays a possible model.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import run_statements

TREE = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/messages.py": textwrap.dedent('''\
        import abc


        def make_base():
            return object


        class JSONMeta(abc.ABCMeta):
            pass


        class Order(make_base(), metaclass=JSONMeta):
            pass


        class Maybe(make_base()):
            pass
        '''),
    "shop/models.py": textwrap.dedent('''\
        from django.db import models

        from shop.messages import Maybe, Order  # noqa: F401


        class Account(models.Model):
            name = models.CharField(max_length=20)
        '''),
    "shop/queries.py": textwrap.dedent('''\
        from shop.models import Account


        def good():
            Account.objects.filter(name="x").count()


        def bad():
            Account.objects.filter(order=1).count()  # expect: DJS501


        def unjudged():
            Account.objects.filter(maybe=1).count()  # Maybe's bases cannot be followed: it may be a model
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["shop"])
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    assert any(u.reason == "query-unknown" and "maybe" in u.detail for u in result.project.unjudged)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["shop"])
    outcome = run_statements(root, "shop.queries", ["shop"])
    marked = {line for path, line, _ in expected_markers(root) if path == "shop/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 1 and marked <= set(outcome)
