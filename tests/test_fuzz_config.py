"""Fuzz the configuration: any [tool.djstate] table, of any value types, is either accepted or
a ConfigError (one line, exit 2 from the CLI), never another exception."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from djstate.config import KEYS, ConfigError, load_config

EXAMPLES = int(os.environ.get("DJSTATE_FUZZ_CONFIG_EXAMPLES", "300"))

_scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=12), st.sampled_from(["DJS1", "DJS999", "error", "5.2", "x.y", "", ".", "*"]))  # fmt: skip
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                       max_leaves=6)  # fmt: skip
_keys = st.one_of(st.sampled_from(sorted(KEYS | {k.replace("_", "-") for k in KEYS})), st.text(max_size=8))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(table=st.dictionaries(_keys, _values, max_size=4))
def test_any_config_is_accepted_or_a_config_error(tmp_path_factory, table):
    root = tmp_path_factory.mktemp("cfg")
    lines = ["[tool.djstate]"] + [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in table.items()]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        load_config(root)
    except ConfigError as exc:
        assert "\n" not in str(exc).strip()


def test_cli_config_error_is_exit_2_without_traceback(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\nselect = {a = 1}\nexclude = 5\n")
    proc = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(tmp_path), "--no-cache"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
