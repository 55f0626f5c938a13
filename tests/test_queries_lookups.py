"""The lookup table is Django's own (tools/gen_django_lookups.py), and the resolver reads it
the way Django's build_lookup does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from djstate.state.lookups import lookup_table

ROOT = Path(__file__).resolve().parent.parent


def test_table_matches_the_installed_django():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_django_lookups.py"), "--base"],
                          capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
    generated = json.loads(proc.stdout)
    table = lookup_table()
    assert generated["django"] == table["django"]
    assert generated["fields"] == table["fields"]


def test_table_knows_what_the_anchor_needs():
    fields = lookup_table()["fields"]
    char = fields["django.db.models.CharField"]
    assert "startswith" in char["lookups"] and "startwith" not in char["lookups"]
    assert "year" not in char["transforms"]
    assert fields["django.db.models.DateField"]["transforms"]["year"] == "django.db.models.IntegerField"
    assert fields["django.db.models.JSONField"]["any_transform"] is True
    assert "unaccent" in lookup_table()["postgres"]["django.db.models.CharField"]["transforms"]
