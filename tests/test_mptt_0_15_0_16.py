"""django-mptt 0.15.0 (misago's virtualenv) and 0.16.0 (wiki's) are taken from the description.

djstate describes ``MPTTModel`` as measured with 0.20.0 (four fields, db_index on tree_id only,
editable=False; no manager in migrations). 0.15.0 and 0.16.0 add the same fields; their
``register()`` differs only in the tree index: with a Django older than 5 it is appended to
``_meta.index_together``, after that to nothing (0.18+ append it to ``Meta.indexes``).
``ModelState.from_model`` reads ``Meta``'s declared options, not ``_meta``, so the index never
reaches Django's state: Django gives a child exactly what the description says.

Django is the oracle, 5.2 (the test venv's) and 4.2 (the cached venv of
tests/test_oracle_versions.py), with django-mptt installed by pip into a cached folder; the
tests skip only when the package index cannot be reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.state.thirdparty_descriptions import third_party_base
from djstate.state.thirdparty import described_for_installed
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.pip_site import installed_site
from tests.test_mptt_installed_version import MODELS, _scan
from tests.test_oracle_drift import apps_py, django_operations
from tests.test_oracle_versions import venv_python

VERSIONS = ("0.15.0", "0.16.0")
CACHE = Path("~/.cache/djstate/venvs").expanduser()

INDEXED = '''

class IndexedNode(MPTTModel):
    value = models.CharField(max_length=20)
    parent = TreeForeignKey("self", null=True, on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["value"], name="value_idx")]
'''

# each model's mptt fields, declared indexes and managers as ModelState.from_model holds them,
# and the index_together the metaclass set at runtime (None: Django 5.1+ has no such option)
FROM_MODEL = r'''
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
import mptt
from django.apps import apps
from django.db.migrations.state import ModelState
out = {"django": django.VERSION[:2], "mptt": mptt.__version__}
for model in apps.get_app_config("shop").get_models():
    state = ModelState.from_model(model)
    out[model.__name__] = {
        "fields": {n: [f.deconstruct()[1], f.deconstruct()[3]] for n, f in state.fields.items()
                   if n in ("lft", "rght", "tree_id", "level")},
        "indexes": [list(i.fields) for i in state.options.get("indexes", [])],
        "index_together": sorted(map(list, state.options.get("index_together", ()))),
        "managers": [m[0] for m in state.managers],
        "runtime_index_together": [list(t) for t in model._meta.index_together]
        if hasattr(model._meta, "index_together") else None,
    }
json.dump(out, sys.stdout)
'''


@pytest.fixture(scope="module", params=VERSIONS)
def mptt_site(request) -> Path:
    return installed_site(CACHE / f"site-django-mptt-{request.param}", "django-mptt", request.param, "mptt/models.py")


def test_0_15_and_0_16_are_described(mptt_site):
    models = str(mptt_site / "mptt" / "models.py")
    assert described_for_installed("mptt.models.MPTTModel", "mptt.models", models)


@pytest.mark.parametrize("django", ["4.2", "5.2"])
def test_django_gives_a_child_only_the_described_fields(mptt_site, django, tmp_path):
    root = write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS + INDEXED})
    python = str(venv_python("4.2")) if django == "4.2" else sys.executable
    proc = subprocess.run([python, "-c", FROM_MODEL], capture_output=True, text=True, timeout=120, cwd=root,
                          env={**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{mptt_site}", "PYTHONWARNINGS": "ignore"})  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out.pop("mptt") == mptt_site.name.rsplit("-", 1)[-1] and ".".join(map(str, out.pop("django"))) == django
    described = {n: [p, dict(k)] for n, p, k in third_party_base("mptt.models.MPTTModel").fields}
    for name in ("Category", "Node", "IndexedNode"):
        assert out[name]["fields"] == described, name
        assert out[name]["managers"] == [] and out[name]["index_together"] == []
    assert out["Node"]["indexes"] == [] and out["IndexedNode"]["indexes"] == [["value"]]  # no tree index in the state
    # the metaclass did add the tree index, where from_model does not look
    expected = [["tree_id", "lft"]] if django == "4.2" else None
    assert out["Node"]["runtime_index_together"] == expected


@pytest.fixture
def with_mptt(mptt_site, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(mptt_site))
    return mptt_site


def test_tree_models_are_judged_and_an_edit_is_reported_as_django_writes_it(with_mptt, tmp_path):
    root = write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                                    "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(root, ["shop"])
    assert django_operations(root, ["shop"]) == set()
    result = _scan(root, with_mptt)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [3, 3]
    assert not [u for u in result.project.unjudged if "metaclass" in u.detail]
    models = root / "shop" / "models.py"
    models.write_text(models.read_text().replace("value = models.CharField(max_length=20)", "value = models.CharField(max_length=30)"))
    assert django_operations(root, ["shop"]) == {("AlterField", "node", "value")}
    findings = _scan(root, with_mptt).findings
    assert [(f.code, f.model, f.field) for f in findings] == [("DJS212", "Node", "value")], [f.message for f in findings]
