"""The rule registry: stable unique codes, complete docs, and docs/rules.md kept current."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from djstate.rules import rule_classes
from djstate.rules.base import DOC_SECTIONS

ROOT = Path(__file__).resolve().parent.parent


def test_codes_are_unique_and_well_formed():
    codes = [r.code for r in rule_classes()]
    assert len(codes) == len(set(codes))
    for rule in rule_classes():
        assert re.fullmatch(r"DJS[1-5]\d\d", rule.code) or rule.code in ("DJS000", "DJS001")  # internal-error, unused-suppression
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.severity in ("error", "warning", "info")


def test_docstrings_have_every_section():
    for rule in rule_classes():
        doc = inspect.getdoc(rule)
        for section in DOC_SECTIONS:
            assert f"## {section}" in doc, f"{rule.code} lacks '{section}'"


def test_rule_reference_is_generated_from_docstrings():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == module.render(), "run `make docs`"


def test_only_the_parsing_layer_imports_libcst():
    offenders = []
    for path in (ROOT / "djstate").rglob("*.py"):
        if "parse" in path.relative_to(ROOT / "djstate").parts:
            continue
        if re.search(r"^\s*(import libcst|from libcst)", path.read_text(), re.MULTILINE):
            offenders.append(path.relative_to(ROOT).as_posix())
    assert offenders == []


def test_facts_are_picklable_plain_data():
    import pickle

    from djstate.parse import parse_file

    source = b"from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [('a', '0001')]\n    operations = [migrations.AddField('m', 'f', models.IntegerField(default=1))]\n"
    facts = parse_file("a/migrations/0002_x.py", "a.migrations.0002_x", source, "migration")
    assert pickle.loads(pickle.dumps(facts)) == facts
