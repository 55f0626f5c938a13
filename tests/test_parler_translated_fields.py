"""django-parler's ``TranslatedFields`` (a class attribute, no field) as the bundled description
says: its contribute_to_class gives the model a reverse accessor named as the attribute and a
descriptor per translated field, and creates ``<Model>Translation`` in the model's app.

Checked with the real packages in the pinned venv of tools/gen_thirdparty.py (django-parler 2.4,
DRF 3.18, Django 5.2): Django writes the fixture's migration (with the translation model), and
DRF accepts the translated names and ``translations`` in ``Meta.fields`` and rejects an unknown
one. shuup's django-parler 1.9.2 has the same contribute_to_class and model name (read in its
source); the translation model's schema differs between the two (unique_together in 1.9,
a UniqueConstraint in 2.x), so djstate leaves that model unjudged instead of describing it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from djstate.facts.values import Call
from djstate.state.thirdparty import contribution
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gen_thirdparty", ROOT / "tools" / "gen_thirdparty.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

MODELS = """from django.db import models
from parler.models import TranslatableModel, TranslatedFields


class Product(TranslatableModel):
    sku = models.CharField(max_length=20)
    translations = TranslatedFields(
        name=models.CharField(max_length=100),
        description=models.TextField(blank=True),
    )
"""
SERIALIZERS = """from rest_framework import serializers

from shop.models import Product


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "description", "translations"]


class BrokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name", "nickname"]
"""
FILES = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/models.py": MODELS,
         "shop/serializers.py": SERIALIZERS}  # fmt: skip


@pytest.fixture(scope="module")
def venv_python() -> Path:
    try:
        return gen.ensure_venv()
    except gen.VenvError as exc:
        if exc.offline:
            pytest.skip(f"the package index cannot be reached to build the pinned venv: {str(exc)[:300]}")
        pytest.fail(f"the pinned venv of tools/gen_thirdparty.py cannot be built:\n{exc}")


@pytest.fixture(scope="module")
def written(venv_python, tmp_path_factory) -> Path:
    """The fixture with the migration Django (and parler) write for it."""
    root = tmp_path_factory.mktemp("parler")
    write_project(root, FILES)
    make_migrations(root, ["shop"], python=str(venv_python))
    return root


def test_django_creates_the_translation_model_in_the_app(written):
    text = (written / "shop" / "migrations" / "0001_initial.py").read_text()
    assert "name='ProductTranslation'" in text or 'name="ProductTranslation"' in text


def test_drf_accepts_the_translated_names_and_rejects_an_unknown_one(venv_python, written):
    proc = subprocess.run(
        [str(venv_python), str(ROOT / "tests" / "oracle" / "dump_drf_fields.py"), "--app", "shop",
         "--module", "shop.serializers"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(written), "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    good, broken = out["shop.serializers.ProductSerializer"], out["shop.serializers.BrokenSerializer"]
    assert good["error"] is None and sorted(good["fields"]) == ["description", "id", "name", "sku", "translations"]
    assert broken["error"]["type"] == "ImproperlyConfigured" and "nickname" in broken["error"]["message"]


def test_djstate_knows_the_names_and_reports_only_the_unknown_one(venv_python, written, tmp_path):
    """With the venv read (TranslatableModelMixin's own class attributes come from its source)."""
    root = tmp_path / "p"
    shutil.copytree(written, root, ignore=shutil.ignore_patterns("__pycache__"))
    site = next(venv_python.parent.parent.glob("lib/python3*/site-packages"))
    (root / "pyproject.toml").write_text(f'[tool.djstate]\nsite_packages = ["{site}"]\n')
    result = run_scan(root)
    errors = [(f.code, f.path) for f in result.findings if f.severity == "error"]
    assert errors == [("DJS401", "shop/serializers.py")]
    assert [f.line for f in result.findings if f.code == "DJS401" and "nickname" in f.message] == [15]
    # the translation model is in the migrations and no class defines it: unjudged, not deleted
    assert not [f for f in result.findings if f.code.startswith("DJS21")]
    assert any(u.unit == "deletion of shop.ProductTranslation" for u in result.project.unjudged)


def test_the_description_is_read_with_placeholders():
    call = Call("parler.models.TranslatedFields", (), {"name": None, "description": None, "meta": None})
    found = contribution(call, "texts", "Product")
    assert found is not None
    assert found.names == {"texts", "name", "description"} and found.models == ("ProductTranslation",)
    assert contribution(Call("parler.models.TranslatedFields", ("x",), {}), "texts", "Product") is None
