"""Run a fixture module's test functions statement by statement against Django with SQLite, in a
subprocess, and say which exception each statement raised.

The query tests mark the lines djstate must report with ``# expect:``; Django must fail on
exactly those lines (FieldError and the like) and run every other one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# argv: the fixture's module, its functions (comma-separated), its apps (comma-separated), a JSON
# dict of extra globals, and "1" if a failed assert counts as a statement that ran.
# Prints {line: exception class name or null}.
RUNNER = r"""
import ast, importlib, json, sys
import django
from django.conf import settings

module_name, functions, apps = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
extra, asserts_run = json.loads(sys.argv[4]), sys.argv[5] == "1"
settings.configure(INSTALLED_APPS=apps, DEFAULT_AUTO_FIELD="django.db.models.AutoField",
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
module = importlib.import_module(module_name)
source = open(module.__file__).read()
out = {}
for func in functions:
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == func)
    for stmt in node.body:
        try:
            exec(compile(ast.Module([stmt], []), "<case>", "exec"), vars(module) | extra)
            out[str(stmt.lineno)] = None
        except AssertionError as exc:
            out[str(stmt.lineno)] = None if asserts_run else type(exc).__name__  # the query itself ran
        except Exception as exc:
            out[str(stmt.lineno)] = type(exc).__name__
print(json.dumps(out))
"""


def run_statements(
    root: Path, module: str, apps: list[str], functions: tuple[str, ...] = ("good", "bad"),
    extra: dict | None = None, asserts_run: bool = False,
) -> dict[int, str | None]:
    """Each statement's line in ``module``'s ``functions`` -> the exception it raised (None: it ran).
    ``asserts_run``: a statement whose ``assert`` fails still ran its query."""
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, module, ",".join(functions), ",".join(apps), json.dumps(extra or {}),
         "1" if asserts_run else "0"],
        capture_output=True, text=True, timeout=300, cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root)), check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {int(line): error for line, error in json.loads(proc.stdout).items()}


def assert_marked_lines_fail(root: Path, module: str, apps: list[str], count: int, error: str = "FieldError") -> None:
    """Django raises ``error`` on exactly the lines of ``module`` marked ``# expect:`` (there are
    ``count``) and runs every other statement of its ``good``/``bad`` functions."""
    from tests.conftest import expected_markers

    outcome = run_statements(root, module, apps)
    path = module.replace(".", "/") + ".py"
    marked = {line for file, line, _ in expected_markers(root) if file == path}
    for line, raised in outcome.items():
        assert raised == (error if line in marked else None), (line, raised)
    assert len(marked) == count and marked <= set(outcome)
