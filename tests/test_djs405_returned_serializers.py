"""DJS405 and the serializers a view's get_serializer_class/get_serializer return.

DRF decides: each case's views are requested with a POST (Django, DRF, SQLite, the migration
the case carries). A view that passes the missing columns to ``save()`` in ``perform_create``
creates (201), one that does not allow POST answers 405, and a view that creates with DRF's
own code through a serializer without a NOT NULL column fails with IntegrityError. djstate is
silent on the first two and warns, naming the view, on the third."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.djs405_required_field_missing import RETURNED_INVALID, RETURNED_VALID
from tests.conftest import run_scan, write_project

RUNNER = r'''
import importlib, inspect, json
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
)
django.setup()
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView
from shop.models import Vendor

call_command("migrate", verbosity=0)
vendor = Vendor.objects.create(pk=1, name="v")
views = importlib.import_module("shop.views")
factory = APIRequestFactory()
out = {}
for name, view in vars(views).items():
    if not (inspect.isclass(view) and issubclass(view, APIView) and view.__module__ == "shop.views"):
        continue
    try:
        with transaction.atomic():
            response = view.as_view()(factory.post("/", {"vendor": vendor.pk, "title": "t"}, format="json"))
            out[name] = response.status_code
            transaction.set_rollback(True)
    except Exception as exc:
        out[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
'''


def _drf_posts(root: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", RUNNER], capture_output=True, text=True, env=env, cwd=root,
                          timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _djs405(root: Path) -> list[tuple[int, str, str]]:
    return sorted((f.line, f.severity, f.field) for f in run_scan(root).findings if f.code == "DJS405")


@pytest.mark.oracle
def test_views_that_pass_the_columns_or_never_create_are_left_alone(tmp_path):
    root = write_project(tmp_path, RETURNED_VALID.files)
    # ProductList returns ProductCreate (no `stock`) for POST, NoteList's get_serializer gives
    # ProductNote (neither `stock` nor `vendor`): each perform_create passes them to save()
    assert _drf_posts(root) == {"ProductList": 201, "NoteList": 201, "ProductDetail": 405}
    assert _djs405(root) == []


@pytest.mark.oracle
def test_a_view_creating_with_drfs_own_code_fails_and_is_warned_about(tmp_path):
    root = write_project(tmp_path, RETURNED_INVALID.files)
    posted = _drf_posts(root)
    assert list(posted) == ["ProductList"]
    assert posted["ProductList"].startswith("IntegrityError: NOT NULL constraint failed: shop_product.stock")
    findings = [f for f in run_scan(root).findings if f.code == "DJS405"]
    assert [(f.line, f.severity, f.field) for f in findings] == [(16, "warning", "stock")]
    assert "ProductList returns it from get_serializer_class or get_serializer" in findings[0].message


def test_a_name_the_method_binds_itself_is_not_followed(tmp_path):
    """`ProductCreate = ...` inside get_serializer_class: the name no longer says which class
    the view uses, so its perform_create does not excuse the module's ProductCreate."""
    views = RETURNED_INVALID.files["shop/views.py"].replace(
        "        if self.request.method == 'POST':\n",
        "        ProductCreate = self.pick()\n        if self.request.method == 'POST':\n",
    ) + "\n    def pick(self):\n        return ProductRead\n\n    def perform_create(self, serializer):\n        serializer.save(stock=0)\n"  # fmt: skip
    root = write_project(tmp_path, {**RETURNED_INVALID.files, "shop/views.py": views})
    assert _djs405(root) == [(16, "warning", "stock")]


@pytest.mark.oracle
def test_a_view_module_without_serializer_class_is_read(tmp_path):
    """A view that names its serializers only in get_serializer_class (no `serializer_class =`
    anywhere in the module) is still read: DRF fails the same way, djstate warns the same way."""
    views = RETURNED_INVALID.files["shop/views.py"].replace("    serializer_class = ProductRead\n", "").replace(
        "        return super().get_serializer_class()\n", "        return ProductRead\n"
    )
    assert "serializer_class =" not in views
    root = write_project(tmp_path, {**RETURNED_INVALID.files, "shop/views.py": views})
    assert _drf_posts(root)["ProductList"].startswith("IntegrityError: NOT NULL constraint failed: shop_product.stock")
    assert _djs405(root) == [(16, "warning", "stock")]
