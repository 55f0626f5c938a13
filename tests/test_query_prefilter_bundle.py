"""The 'queries' prefilter's answers are kept per content hash between scans
(djstate.markers.query_prefilter): a warm scan runs the prefilter regex over no unchanged module,
only over a changed one, and reports what a scan without the bundle reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import djstate.markers as markers
from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import scan

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"


class CountingRegex:
    """The prefilter's regex, counting the texts it is run over."""

    def __init__(self) -> None:
        self.texts: list[bytes] = []

    def search(self, data: bytes):
        self.texts.append(data)
        return markers.__dict__["_REAL_REGEX"].search(data)


def _outcome(result) -> tuple:
    stats = dict(result.stats)
    stats.pop("seconds")
    return [f.__dict__ for f in result.findings], stats, list(map(repr, result.project.unjudged))


@pytest.fixture
def regex(monkeypatch):
    counting = CountingRegex()
    monkeypatch.setitem(markers.__dict__, "_REAL_REGEX", markers._MAY_HOLD_QUERIES)
    monkeypatch.setattr(markers, "_MAY_HOLD_QUERIES", counting)
    monkeypatch.setattr(markers, "_QUERY_PREFILTER", {})  # this process has seen no file yet
    return counting


def test_a_warm_scan_takes_the_answers_from_the_bundle(tmp_path, regex, monkeypatch):
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root)
    cache_dir = tmp_path / "cache"
    cold = scan(root, Config(), FactsStore(root, cache_dir, jobs=1))
    assert regex.texts, "the cold scan ran the prefilter"
    assert list((cache_dir / "bundles").glob("prefilter-*"))

    monkeypatch.setattr(markers, "_QUERY_PREFILTER", {})  # a new process: only the bundle knows
    regex.texts.clear()
    warm = scan(root, Config(), FactsStore(root, cache_dir, jobs=1))
    assert regex.texts == []
    assert _outcome(warm) == _outcome(cold)

    changed = root / "bookshop" / "reports.py"
    changed.write_bytes(changed.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(markers, "_QUERY_PREFILTER", {})
    regex.texts.clear()
    edited = scan(root, Config(), FactsStore(root, cache_dir, jobs=1))
    assert regex.texts == [changed.read_bytes()]  # the changed module only
    monkeypatch.setattr(markers, "_QUERY_PREFILTER", {})
    assert _outcome(edited) == _outcome(scan(root, Config(), FactsStore(root, None, jobs=1)))
