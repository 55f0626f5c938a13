"""The benchmark's generated project is clean: Django finds no missing migration, djstate no finding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import scan

TOOLS = Path(__file__).resolve().parent.parent / "tools"
sys.path.insert(0, str(TOOLS))
import bench  # noqa: E402
import bench_gen  # noqa: E402


def test_generated_project_is_clean_for_django_and_djstate(tmp_path):
    root = bench_gen.generate(tmp_path / "proj", apps=4, migrations=5)
    django = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=root, capture_output=True, text=True,
    )  # fmt: skip
    assert django.returncode == 0, django.stdout + django.stderr
    assert "No changes detected" in django.stdout
    result = scan(root, Config(), FactsStore(root, None))
    assert result.findings == []
    stats = result.stats
    assert (stats["apps"], stats["migrations"], stats["models"]) == (4, 20, 12)
    assert stats["judged"] == {"models": [12, 12], "serializers": [8, 8]}


def test_fit_exponent():
    assert abs(bench.fit_exponent([(500, 1.0), (1000, 2.0), (2000, 4.0)]) - 1.0) < 1e-9
    assert abs(bench.fit_exponent([(500, 1.0), (1000, 4.0)]) - 2.0) < 1e-9
    assert bench.fit_exponent([(500, 1.0)]) is None
