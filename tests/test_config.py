"""[tool.djstate]: every key type-checked (one line, exit 2), selectors validated, discovery
walking up to the repository root."""

from __future__ import annotations

import pytest

from djstate.config import KEYS, ConfigError, load_config
from tests.test_cli import SHOP, djstate, write_project

# a value of a wrong type for every key (and a few wrong values of the right type)
WRONG = {
    "auth_user_model": ["5", "[1]", "{a = 1}", "true"],
    "default_auto_field": ["5", "['x']"],
    "exclude": ["5", "'x'", "[1]", "{a = 1}"],
    "settings": ["5", "[]", "false"],
    "swappable": ["5", "'x'", "{X = 5}", "{X = 'noapp'}", "[1]"],
    "site_packages": ["5", "'x'", "[true]"],
    "no_site_packages": ["5", "'yes'", "[]"],
    "fail_on": ["5", "'fatal'", "[]"],
    "django_version": ["5", "'9.9'", "[]"],
    "select": ["5", "[1]", "['DJS999']", "['E501']", "{a = 1}"],
    "extend_select": ["5", "['DJS9']"],
    "ignore": ["5", "['X']"],
    "per_file_ignores": ["5", "{'a.py' = 'DJS1'}", "{'a.py' = ['DJS999']}", "[1]"],
    "severity": ["5", "{DJS204 = 'fatal'}", "{DJS999 = 'error'}", "[]"],
}


def test_every_key_has_wrong_values_listed():
    assert set(WRONG) == KEYS


@pytest.mark.parametrize("key,value", [(k, v) for k, vs in WRONG.items() for v in vs])
def test_wrong_type_is_a_config_error(tmp_path, key, value):
    (tmp_path / "pyproject.toml").write_text(f"[tool.djstate]\n{key.replace('_', '-')} = {value}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["tool = 5\n", "[tool]\ndjstate = 5\n", "[tool.djstate]\nswappable = {X = 5}\n",
                                  "[tool.djstate]\nselect = 5\n", "tool = 'x'\n"])  # fmt: skip
def test_cli_config_errors_exit_2_with_one_line(tmp_path, text):
    write_project(tmp_path, SHOP)
    (tmp_path / "pyproject.toml").write_text(text)
    proc = djstate("scan", str(tmp_path), "--no-cache")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_selection_keys_and_comma_lists(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.djstate]\nselect = ['DJS1,DJS2']\nextend-select = ['DJS401']\nignore = ['DJS204']\n"
        "per-file-ignores = {'legacy/*' = ['DJS1']}\nseverity = {DJS204 = 'error', DJS2 = 'info'}\nfail-on = 'warning'\n"
    )
    config = load_config(tmp_path)
    assert config.select == ("DJS1", "DJS2") and config.fail_on == "warning"
    assert config.rule_enabled("DJS101") and config.rule_enabled("DJS401") and not config.rule_enabled("DJS204")
    assert not config.rule_enabled("DJS402")
    assert config.ignored_in("DJS101", "legacy/migrations/0001_x.py") and not config.ignored_in("DJS201", "legacy/a.py")
    assert config.severity_of("DJS204", "warning") == "error" and config.severity_of("DJS201", "error") == "info"
    assert config.severity_of("DJS401", "error") == "error"


def test_config_found_up_to_the_repository_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\nfail-on = 'warning'\n")
    project = tmp_path / "src" / "site"
    project.mkdir(parents=True)
    config = load_config(project)
    assert config.fail_on == "warning" and config.config_file == str(tmp_path / "pyproject.toml")
    # a pyproject.toml without [tool.djstate] in between does not stop the walk
    (tmp_path / "src" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(project).fail_on == "warning"
    # the walk stops at the repository root
    outer = tmp_path / "outer"
    (outer / "repo" / ".git").mkdir(parents=True)
    (outer / "pyproject.toml").write_text("[tool.djstate]\nfail-on = 'info'\n")
    assert load_config(outer / "repo").fail_on == "error"


def test_missing_site_packages_in_config_is_a_warning(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\nsite-packages = ['nope']\n")
    config = load_config(tmp_path)
    assert len(config.warnings) == 1 and "nope" in config.warnings[0]
