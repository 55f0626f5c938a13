"""Released projects migrate cleanly, so djstate must report zero error findings on them.

The corpora are fetched through corpora/fetch.py (pinned by version and sha256) into
~/.cache/djstate/corpora, as `make corpora` does.

Which corpora: the manifest's "core" tier by default (fast enough for `make test`);
DJSTATE_CORPORA=all for every entry, =held_out for the held-out entries only, =wide for
the wide tier, or a comma-separated list of names.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from djstate.cache import FactsStore, default_cache_dir
from djstate.config import Config
from djstate.engine import scan

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpora_fetch", ROOT / "corpora" / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpora_fetch"] = fetch  # dataclasses look their module up there
_spec.loader.exec_module(fetch)



def _selected() -> list[str]:
    manifest = fetch.load_manifest()
    which = os.environ.get("DJSTATE_CORPORA", "").strip() or "core"
    if which == "all":
        return [c.name for c in manifest]
    if which == "held_out":
        return [c.name for c in manifest if c.held_out]
    if which in fetch.TIERS:
        return [c.name for c in manifest if c.tier == which]
    names = [n.strip() for n in which.split(",") if n.strip()]
    return [fetch._lookup(n, manifest).name for n in names]  # an unknown name fails collection


CORPORA = _selected()


@pytest.mark.parametrize("name", CORPORA)
def test_released_corpus_has_no_error_findings(name, capsys):
    root = fetch.ensure(name)
    start = time.perf_counter()
    store = FactsStore(root, default_cache_dir())  # the content-hash cache, as users run it
    result = scan(root, Config(), store)
    seconds = time.perf_counter() - start
    by_code = Counter(f"{f.code}/{f.severity}" for f in result.findings)
    checked = result.project.serializers.checked()
    resolved = sum(1 for s, built in checked if s.is_model and built.names_certain)
    with capsys.disabled():
        stats = result.stats
        print(
            f"\n[corpus] {name}: {stats['apps']} apps, {stats['migrations']} migrations, "
            f"{stats['models']} models, {len(checked)} serializers "
            f"({sum(1 for s, _ in checked if s.is_model)} model, {resolved} fully resolved), "
            f"{stats['unverified']} unverified, {seconds:.2f}s "
            f"({store.stats.misses} files parsed, {store.stats.hits} from cache), "
            f"findings {dict(sorted(by_code.items())) or '{}'}"
        )
    assert result.project.serializers.internal_errors == []
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors == [], "\n".join(f"{f.path}:{f.line}: {f.code} {f.message}" for f in errors)
