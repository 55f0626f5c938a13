"""Time `djstate diff HEAD~1 HEAD` on netbox (1279 .py files) committed twice: as released,
then with one field added to one model. Cold: an empty facts cache; warm: the next run.
Run: .venv/bin/python tools/measure_diff.py"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpora import fetch  # noqa: E402

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
       "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "netbox"
        shutil.copytree(fetch.ensure("netbox"), repo)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "netbox as released")
        models = repo / "circuits" / "models" / "circuits.py"
        text = models.read_text()
        models.write_text(text.replace("    cid = models.CharField(", "    priority = models.PositiveSmallIntegerField(null=True)\n    cid = models.CharField(", 1))
        git(repo, "commit", "-qam", "one field, no migration")
        env = {**ENV, "DJSTATE_CACHE_DIR": str(Path(scratch) / "cache")}
        for label in ("cold", "warm"):
            start = time.perf_counter()
            proc = subprocess.run([str(ROOT / ".venv" / "bin" / "djstate"), "diff", "HEAD~1", "HEAD"], cwd=repo,
                                  env=env, capture_output=True, text=True)  # fmt: skip
            seconds = time.perf_counter() - start
            summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
            print(f"{label}: {seconds:.2f} s (exit {proc.returncode}; {summary})")


if __name__ == "__main__":
    main()
