"""Cold and warm `scan` times per pinned corpus (the table in docs/performance.md).

    .venv/bin/python tools/measure_corpora.py

Cold: an empty, temporary facts cache (every file parsed, on every core). Warm: the same
scan again, facts from that cache. Prints one Markdown table row per corpus.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from djstate.cache import FactsStore  # noqa: E402
from djstate.config import Config  # noqa: E402
from djstate.engine import scan  # noqa: E402

_spec = importlib.util.spec_from_file_location("corpora_fetch", ROOT / "corpora" / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpora_fetch"] = fetch
_spec.loader.exec_module(fetch)


def main() -> None:
    for corpus in fetch.load_manifest():
        root = fetch.ensure(corpus.name)
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            scan(root, Config(), FactsStore(root, Path(cache)))
            cold = time.perf_counter() - start
            start = time.perf_counter()
            result = scan(root, Config(), FactsStore(root, Path(cache)))
            warm = time.perf_counter() - start
        s = result.stats
        print(
            f"| {corpus.name} {corpus.version} | {s['files']} | {s['apps']} | {s['migrations']} | "
            f"{s['models']} | {cold:.2f} s | {warm:.2f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
