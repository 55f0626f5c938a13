"""Run the DRF oracle (dump_drf_fields.py) in a subprocess; see that script for the JSON shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def drf_fields(
    apps: list[str],
    modules: list[str],
    path: Path | None = None,
    auth_user_model: str = "auth.User",
) -> dict:
    """DRF's own ``get_fields()`` for every serializer class defined in ``modules``.

    ``apps`` become INSTALLED_APPS; ``path`` (a project folder) is put on sys.path.
    """
    cmd = [sys.executable, str(HERE / "dump_drf_fields.py"), "--auth-user-model", auth_user_model]
    for app in apps:
        cmd += ["--app", app]
    for module in modules:
        cmd += ["--module", module]
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"DRF oracle failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)
