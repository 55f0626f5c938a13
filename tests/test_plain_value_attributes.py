"""A class attribute built by a call that can only make a plain value is not a field.

ModelBase adds to a model only what has ``contribute_to_class`` (and is not a class). pulpcore's
``Content._repository_types = collections.defaultdict(set)``, ``Artifact.FORBIDDEN_DIGESTS =
set(...).difference(...)`` and ``PATH_REGEX = re.compile(...)`` had left those models unjudged as
"maybe a field", which lost 9 drift mutations on the pulp corpora. A call djstate cannot follow
(``copy.deepcopy(...)``, ``getattr(settings, ...)``) may still build a field: its model's read
fields are compared, a field only in the migrations is not (tests/test_maybe_field_partial.py).

Django's autodetector is the oracle: makemigrations writes the migrations, then an edit of the
model is judged by both.
"""

from __future__ import annotations

import pytest

from djstate.state.class_attributes import _plain_value_call
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
import collections
import copy
import re

from django.db import models

ALL = ("md5", "sha1", "sha256")
ALLOWED = ("sha256",)


class Artifact(models.Model):
    FORBIDDEN_DIGESTS = set(ALL).difference(ALLOWED)
    PATH_REGEX = re.compile(r"(?P<key_id>[0-9a-fA-F]{16})\\.pub")
    _repository_types = collections.defaultdict(set)
    name = models.CharField(max_length=40)


class Copied(models.Model):
    template = copy.deepcopy(ALLOWED)
    name = models.CharField(max_length=40)
'''


@pytest.mark.oracle
def test_plain_value_attributes_leave_the_model_judged(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS})
    make_migrations(tmp_path, ["shop"])
    operations, _, _ = djstate_operations(tmp_path)
    assert operations == set()
    unjudged = {u.unit for u in run_scan(tmp_path).project.unjudged if u.unit.startswith("model ")}
    assert "model shop.Artifact" not in unjudged and "model shop.Copied" not in unjudged
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=40", "max_length=60"))
    expected = django_operations(tmp_path, ["shop"])
    assert expected == {("AlterField", "artifact", "name"), ("AlterField", "copied", "name")}
    assert djstate_operations(tmp_path)[0] == expected  # Copied's read fields are judged too


@pytest.mark.parametrize("source,plain", [
    ("collections.defaultdict(builtins.set)", True),
    ("set(A).difference(settings.B)", True),
    ("re.compile('(?P<k>x)\\\\.pub')", True),
    ("min(8, (os.cpu_count() or 2) * 4)", True),  # label-studio's export storages
    ("os.environ.get('X', '')", True),
    ("copy.deepcopy(x)", False),
    ("getattr(settings, 'FIELD')", False),
    ("dict(a=1).get('a')", False),
    ("models.CharField(max_length=3)", False),
])  # fmt: skip
def test_plain_value_call(source, plain):
    assert _plain_value_call(source) is plain
