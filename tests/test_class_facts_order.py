"""Class facts must not depend on Python's string hash seed: they are cached and compared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SOURCE = '''
from django.conf import settings
from django.db import models


class Page(models.Model):
    title = models.CharField(max_length=10)
    if settings.USE_SLUGS:
        slug = models.SlugField()
        zeta = models.IntegerField()
        alpha = models.IntegerField()
        title = models.TextField()
'''

SCRIPT = f"""
from djstate.parse import parse_file
facts = parse_file("app/models.py", "app.models", {SOURCE!r}.encode(), "models")
print([a.name for a in facts.module_facts.class_bodies["Page"].attributes])
"""


def _attribute_names(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=root, check=True)
    return run.stdout.strip()


def test_attributes_of_a_branch_follow_source_order_under_any_hash_seed():
    orders = {_attribute_names(seed) for seed in ("0", "1", "2", "3", "4", "5")}
    assert len(orders) == 1, orders
    # names the branch assigns are opaque, in the order the branch mentions them
    assert orders.pop().endswith("'slug', 'zeta', 'alpha', 'title']")
