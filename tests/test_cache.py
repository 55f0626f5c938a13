"""The facts cache: a scan with it equals a scan without it; corrupt and foreign records are
ignored and rebuilt; concurrent runs share it safely; `djstate cache clear`; the size cap."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from djstate import cache
from djstate.cache import FactsStore, Request
from djstate.config import Config
from djstate.engine import scan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"


def _outcome(result) -> tuple:
    """Findings, stats but the run time, and unjudged items in order, of a scan or its report."""
    stats = dict(result.stats)
    stats.pop("seconds")
    unjudged = result.unjudged if hasattr(result, "unjudged") else result.project.unjudged
    return [f.__dict__ for f in result.findings], stats, list(map(repr, unjudged))


def _records(folder: Path) -> list[Path]:
    return [p for p in folder.glob("??/*") if p.is_file()]


def test_cached_scan_equals_uncached_on_example(tmp_path):
    uncached = scan(EXAMPLE, Config(), FactsStore(EXAMPLE, None))
    cold = scan(EXAMPLE, Config(), FactsStore(EXAMPLE, tmp_path))
    warm_store = FactsStore(EXAMPLE, tmp_path)
    warm = scan(EXAMPLE, Config(), warm_store)
    assert warm_store.stats.misses == 0 and warm_store.stats.hits > 0
    assert uncached.findings  # the bookshop is broken on purpose
    assert _outcome(uncached) == _outcome(cold) == _outcome(warm)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign", "empty"])
def test_corrupt_or_foreign_record_is_ignored_and_rebuilt(tmp_path, damage):
    cache_dir = tmp_path / "cache"
    expected = _outcome(scan(EXAMPLE, Config(), FactsStore(EXAMPLE, cache_dir)))
    records = _records(cache_dir)
    assert records
    for record in records:
        data = record.read_bytes()
        record.write_bytes({
            "truncated": data[: len(data) // 2],
            "garbage": b"\x00not a pickle\xff" * 3,
            "foreign": pickle.dumps({"some": "other tool's record"}),
            "empty": b"",
        }[damage])  # fmt: skip
    store = FactsStore(EXAMPLE, cache_dir)
    assert _outcome(scan(EXAMPLE, Config(), store)) == expected
    assert store.stats.hits == 0 and store.stats.misses > 0
    if damage != "empty":  # an empty file reads as EOFError: also rejected with a reason
        assert store.stats.rejected
    assert len(store.stats.rejected) == len(records)
    # rebuilt: the next run reads every record again
    again = FactsStore(EXAMPLE, cache_dir)
    assert _outcome(scan(EXAMPLE, Config(), again)) == expected
    assert again.stats.misses == 0 and not again.stats.rejected


def test_verbose_says_why_a_record_was_rebuilt(tmp_path):
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, DJSTATE_CACHE_DIR=str(cache_dir))
    cmd = [sys.executable, "-c", "from djstate.cli import main; main()", "scan", str(EXAMPLE), "--verbose"]
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    record = _records(cache_dir)[0]
    record.write_bytes(b"garbage")
    shutil.rmtree(cache_dir / "snapshots", ignore_errors=True)  # else the unchanged tree's snapshot answers
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    assert f"cache record ignored and rebuilt: {record.name}: unreadable" in proc.stderr


def test_concurrent_runs_share_one_cache(tmp_path):
    """Four processes fill one empty cache at once: each gets the uncached result, and the cache
    holds only whole records (no temporary file is left behind)."""
    cache_dir = tmp_path / "cache"
    expected = _outcome(scan(EXAMPLE, Config(), FactsStore(EXAMPLE, None)))
    code = (
        "import json, sys; from pathlib import Path; from djstate.cache import FactsStore; "
        "from djstate.config import Config; from djstate.engine import scan; "
        f"r = scan(Path({str(EXAMPLE)!r}), Config(), FactsStore(Path({str(EXAMPLE)!r}), Path({str(cache_dir)!r}))); "
        "print(json.dumps(sorted((f.path, f.line, f.code, f.message) for f in r.findings)))"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    want = sorted((f["path"], f["line"], f["code"], f["message"]) for f in expected[0])
    assert all([tuple(x) for x in json.loads(out)] == [tuple(x) for x in want] for out in outputs)
    assert not list(cache_dir.rglob("*.tmp"))
    store = FactsStore(EXAMPLE, cache_dir)
    assert _outcome(scan(EXAMPLE, Config(), store)) == expected
    assert store.stats.misses == 0 and not store.stats.rejected


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "record"
    target.write_bytes(b"old")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", failing_replace)
    with pytest.raises(OSError):
        cache._atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_cache_clear_removes_only_djstate_files(tmp_path):
    cache_dir = tmp_path / "cache"
    scan(EXAMPLE, Config(), FactsStore(EXAMPLE, cache_dir))
    count = len(_records(cache_dir))
    (cache_dir / "notes.txt").write_text("not djstate's")
    files, size = cache.clear(cache_dir)
    assert files >= count > 0 and size > 0
    assert sorted(p.name for p in cache_dir.iterdir()) == ["notes.txt"]
    store = FactsStore(EXAMPLE, cache_dir)
    scan(EXAMPLE, Config(), store)
    assert store.stats.hits == 0 and store.stats.misses > 0


def test_cache_clear_command(tmp_path):
    cache_dir = tmp_path / "cache"
    scan(EXAMPLE, Config(), FactsStore(EXAMPLE, cache_dir))
    proc = subprocess.run(
        [sys.executable, "-c", "from djstate.cli import main; main()", "cache", "clear"],
        env=dict(os.environ, DJSTATE_CACHE_DIR=str(cache_dir)), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "removed" in proc.stdout
    assert not cache_dir.exists()


def test_eviction_keeps_the_cache_under_its_cap(tmp_path):
    cache_dir = tmp_path / "cache"
    now = time.time()
    for i in range(20):
        record = cache_dir / f"{i:02x}" / f"{i:064x}"
        record.parent.mkdir(parents=True)
        record.write_bytes(b"x" * 1000)
        os.utime(record, (now - 1000 + i, now - 1000 + i))  # record 0 is the oldest
    stale = cache_dir / "00" / "left.123.tmp"
    stale.write_bytes(b"x")
    os.utime(stale, (now - 7200, now - 7200))
    assert cache.evict(cache_dir, max_bytes=30_000) == 1  # under the cap: only the stale temp file
    removed = cache.evict(cache_dir, max_bytes=10_000)
    left = sorted(p.name for p in _records(cache_dir))
    assert removed == 12 and len(left) == 8  # down to 80% of the cap, the oldest first
    assert left == [f"{i:064x}" for i in range(12, 20)]


def test_a_run_that_writes_evicts_at_most_hourly(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("DJSTATE_CACHE_MAX_MB", "0.001")  # about 1 KB: everything is over
    store = FactsStore(EXAMPLE, cache_dir)
    scan(EXAMPLE, Config(), store)
    assert store.stats.evicted > 0 and (cache_dir / "last-eviction").exists()
    second = FactsStore(EXAMPLE, cache_dir)
    scan(EXAMPLE, Config(), second)
    assert second.written > 0 and second.stats.evicted == 0  # checked less than an hour ago


def test_facts_of_missing_file_are_a_problem_not_a_crash(tmp_path):
    store = FactsStore(tmp_path, tmp_path / "cache")
    facts = store.facts([Request("gone.py", "gone", "models")])
    assert facts["gone.py"].problem is not None


def _printed(report) -> str:
    """What `djstate scan --format json --unverified` prints for a report, but its run time."""
    from djstate import output

    stats = output.stats_of(report, report.config, report.root)
    stats.pop("seconds", None)
    text = output.render("json", report.findings, stats, report.root, statistics=False, show_source=False,
                         color=False, quiet=False, hidden=0)  # fmt: skip
    return output.with_unverified(text, "json", report, report.root, stats["environment"])


def _snapshot_of(root: Path, config: Config, cache_dir: Path, report, store):
    """The report as the project snapshot gives it back. Saved as if the scan had started now:
    the save refuses a tree that changed during the scan, and djstate's own files (which the
    snapshot fingerprints) may be edited while a long corpus scan runs."""
    from djstate import scan_cache

    assert scan_cache.save(cache_dir, root, config, report, store, time.time_ns() + scan_cache.RACY_NS) is None
    why: list[str] = []
    snapshot = scan_cache.lookup(cache_dir, root, config, why=why)
    assert snapshot is not None and snapshot.reused, why
    return snapshot


def _warm_scan_in_another_process(root: Path, cache_dir: Path) -> tuple:
    """(outcome, printed JSON, files parsed) of a scan of ``root`` from ``cache_dir`` in a new
    process whose PYTHONHASHSEED differs from this one's: set and dict orders that follow string
    hashes differ there, as between two runs of the command line."""
    code = (
        "import pickle, sys; from pathlib import Path; from djstate.cache import FactsStore; "
        "from djstate.config import Config; from djstate.engine import scan; from djstate.scan_cache import ScanReport; "
        "from tests.test_cache import _outcome, _printed; "
        f"root = Path({str(root)!r}); store = FactsStore(root, Path({str(cache_dir)!r})); "
        "report = ScanReport.of(scan(root, Config(), store)); "
        "sys.stdout.buffer.write(pickle.dumps((_outcome(report), _printed(report), store.stats.misses)))"
    )
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONHASHSEED=seed), capture_output=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return pickle.loads(proc.stdout)


def test_snapshot_prints_what_the_scan_printed(tmp_path):
    from djstate.scan_cache import ScanReport

    store = FactsStore(EXAMPLE, tmp_path)
    report = ScanReport.of(scan(EXAMPLE, Config(), store))
    snapshot = _snapshot_of(EXAMPLE, Config(), tmp_path, report, store)
    assert report.findings and report.unjudged
    assert _outcome(snapshot) == _outcome(report)
    assert _printed(snapshot) == _printed(report)


@pytest.mark.corpus
@pytest.mark.skipif(not os.environ.get("DJSTATE_CACHE_EQUIVALENCE"), reason="set DJSTATE_CACHE_EQUIVALENCE=1: two scans of each corpus (about 3 min for the core tier on a quiet machine)")
@pytest.mark.parametrize("name", __import__("tests.test_corpora", fromlist=["CORPORA"]).CORPORA)
def test_cached_scan_equals_uncached_on_corpus(name, tmp_path):
    """The corpora of tests/test_corpora.py (DJSTATE_CORPORA picks them): a scan into an empty
    cache (every file parsed, nothing read from the cache: what --no-cache computes), the next
    scan answered from the cache's records (here, and in another process with another hash
    seed), and the project snapshot saved after the first give the same findings, stats and
    unjudged items (in order), and print the same JSON."""
    from djstate.scan_cache import ScanReport
    from tests.test_corpora import fetch

    root = fetch.ensure(name)
    cold_store = FactsStore(root, tmp_path)
    uncached = ScanReport.of(scan(root, Config(), cold_store))
    assert cold_store.stats.hits == 0
    store = FactsStore(root, tmp_path)
    warm = ScanReport.of(scan(root, Config(), store))
    assert (store.stats.misses == 0 and store.stats.hits > 0) or store.failed
    assert _outcome(warm) == _outcome(uncached)
    assert _printed(warm) == _printed(uncached)
    # as a second `djstate scan` would: another process, strings hashed with another seed
    outcome, printed, misses = _warm_scan_in_another_process(root, tmp_path)
    assert misses == 0 or store.failed
    assert outcome == _outcome(uncached)
    assert printed == _printed(uncached)
    if not uncached.internal_errors:  # a scan with internal errors saves no snapshot
        snapshot = _snapshot_of(root, Config(), tmp_path, uncached, cold_store)
        assert _printed(snapshot) == _printed(uncached)


def _write_tree_with_unknowable_fields(root: Path, names: list[str]) -> None:
    """One model whose fields' max_length comes from outside the tree: each is left unjudged."""
    (root / "shop" / "migrations").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "migrations" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(
        "from django.db import models\n\nfrom vendor.limits import LENGTH\n\n\nclass Item(models.Model):\n"
        + "".join(f"    {n} = models.CharField(max_length=LENGTH)\n" for n in names)
    )
    (root / "shop" / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n"
        "            name='Item',\n            fields=[\n"
        "                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n"
        + "".join(f"                ('{n}', models.CharField(max_length=100)),\n" for n in names)
        + "            ],\n        ),\n    ]\n"
    )


def test_scan_prints_the_same_under_any_hash_seed(tmp_path):
    """Each `djstate scan` process hashes strings with its own seed: a report that followed a
    set's order (drift's fields both states have, once) printed the unjudged items in another
    order on the next run, so --no-cache and a snapshot written by another run disagreed."""
    names = ["title", "code", "label", "slug", "note", "colour", "size", "brand", "origin", "grade"]
    _write_tree_with_unknowable_fields(tmp_path / "tree", names)
    printed = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env.pop("VIRTUAL_ENV", None)
        proc = subprocess.run(
            [sys.executable, "-c", "from djstate.cli import main; main()", "scan", str(tmp_path / "tree"), "--format", "json",
             "--unverified", "--no-cache"], env=env, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        data["stats"].pop("seconds")
        printed.append(data)
    assert printed[0] == printed[1]
    fields = [u["unit"].rpartition(".")[2] for u in printed[0]["unverified"] if u["unit"].startswith("field shop.Item.")]
    assert fields == ["id", *names]  # the model's field order


def test_parser_fingerprint_changes_with_libcst_version(monkeypatch):
    """A record parsed by another libcst is never reused: its trees may differ for the same bytes."""
    import djstate.cache as cache

    cache.parser_fingerprint.cache_clear()
    monkeypatch.setattr(cache, "_libcst_version", lambda: b"__version__ = '1.0.0'")
    first = cache.parser_fingerprint()
    cache.parser_fingerprint.cache_clear()
    monkeypatch.setattr(cache, "_libcst_version", lambda: b"__version__ = '9.9.9'")
    second = cache.parser_fingerprint()
    cache.parser_fingerprint.cache_clear()
    assert first != second
    assert b"version" in cache._libcst_version()  # the installed libcst's file is found
