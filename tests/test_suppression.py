"""# djstate: ignore[...] comments, per-file ignores and severity overrides."""

from __future__ import annotations

from djstate.rules.base import migration_source
from djstate.suppression import read_suppressions
from tests.conftest import run_scan, write_project

SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "",
        "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    pass\n"}  # fmt: skip
USE = "\n\ndef seed(apps, editor):\n    Book.objects.create()"


def scan(tmp_path, header: str, config: str = ""):
    files = {**SHOP, "shop/migrations/0001_initial.py": migration_source(header=header + USE)}
    if config:
        files["pyproject.toml"] = "[tool.djstate]\n" + config
    write_project(tmp_path, files)
    # Book has no migration (DJS210): only the codes under test are compared
    return [(f.code, f.line, f.severity) for f in run_scan(tmp_path).findings if f.code in ("DJS001", "DJS204")]


def test_unsuppressed_finding_is_reported(tmp_path):
    assert [c for c, _, _ in scan(tmp_path, "from shop.models import Book")] == ["DJS204"]


def test_code_suppression_on_the_line(tmp_path):
    assert scan(tmp_path, "from shop.models import Book  # djstate: ignore[DJS204]") == []


def test_prefix_and_bare_suppressions(tmp_path):
    assert scan(tmp_path, "from shop.models import Book  # djstate: ignore[DJS2]") == []
    assert scan(tmp_path, "from shop.models import Book  # djstate: ignore") == []


def test_other_code_does_not_suppress_and_is_unused(tmp_path):
    found = scan(tmp_path, "from shop.models import Book  # djstate: ignore[DJS201]")
    assert sorted(c for c, _, _ in found) == ["DJS001", "DJS204"]


def test_comment_on_a_later_line_of_the_statement(tmp_path):
    assert scan(tmp_path, "from shop.models import (\n    Book,  # djstate: ignore[DJS204]\n)") == []


def test_comment_on_another_statement_does_not_suppress(tmp_path):
    found = scan(tmp_path, "from shop.models import Book\nX = 1  # djstate: ignore[DJS204]")
    assert sorted(c for c, _, _ in found) == ["DJS001", "DJS204"]


def test_per_file_ignores_and_severity_overrides(tmp_path):
    assert scan(tmp_path, "from shop.models import Book", "per-file-ignores = {'shop/migrations/*' = ['DJS204']}\n") == []
    assert [s for _, _, s in scan(tmp_path, "from shop.models import Book", "severity = {DJS204 = 'error'}\n")] == ["error"]


def test_unused_not_judged_when_the_rule_did_not_run(tmp_path):
    from djstate.cache import FactsStore
    from djstate.config import load_config
    from djstate.engine import scan as run

    files = {**SHOP, "shop/migrations/0001_initial.py": migration_source(header="X = 1  # djstate: ignore[DJS204]")}
    write_project(tmp_path, files)
    config = load_config(tmp_path, {"select": ["DJS1", "DJS001"]})
    assert [f.code for f in run(tmp_path, config, FactsStore(tmp_path, None, jobs=1)).findings] == []


def test_read_suppressions_statement_spans():
    text = "a = f(\n    1,\n    2,  # djstate: ignore[DJS201,DJS202]\n)\nb = 2  # djstate: ignore\n# djstate:ignore[djs1]\n"
    found = [(s.line, s.first_line, s.codes) for s in read_suppressions("x.py", text)]
    assert found == [(3, 1, ("DJS201", "DJS202")), (5, 5, None), (6, 6, ("DJS1",))]
    # a file that does not tokenize is read line by line
    assert [(s.line, s.codes) for s in read_suppressions("x.py", "a = (\n  # djstate: ignore[DJS100]\n")] == [(2, ("DJS100",))]


def test_files_that_do_not_tokenize_never_crash():
    for text in ("a=1\x00 # djstate: ignore\n", "def f(:\n  x # djstate: ignore[DJS1]\n", "\tif x:\n  y # djstate: ignore\n"):
        assert [s.line for s in read_suppressions("x.py", text)] in ([1], [2])
