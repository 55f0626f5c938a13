#!/usr/bin/env python3
"""Scan every pinned corpus with `djstate scan --format json`, one subprocess each, and
write what djstate said (crash, counts, every error and warning finding) as JSON and as a
markdown table.

    python tools/sweep_corpora.py                       # all corpora -> docs/data/sweep-latest.*
    python tools/sweep_corpora.py --which held_out      # only the held-out ones
    python tools/sweep_corpora.py wiki shuup            # named corpora
    python tools/sweep_corpora.py --djstate-path /tmp/djstate-baseline \\
        --out docs/data/sweep-baseline-ab348ef          # another checkout, same interpreter
    python tools/sweep_corpora.py --select DJS5 --site-packages oracle \\
        --out /tmp/djs5-sweep                           # query rules, each corpus's oracle venv

Corpora come from corpora/fetch.py (pinned, sha256-checked, in ~/.cache/djstate/corpora).
Each scan runs as `<python> -m djstate.cli scan <root> --format json` with the usual
content-hash facts cache (`--select CODES` passed on; `--site-packages oracle` reads each
corpus's oracle venv, ~/.cache/djstate/oracle-venvs/<name>-<version>, as its virtualenv;
`--nice N` lowers the scans' priority), in a scratch working folder so the current folder never shadows
the djstate under test; `--djstate-path DIR` puts DIR first on PYTHONPATH, and the JSON
records which djstate file each run imported and that checkout's commit. Runs are
sequential (the scans use both cores themselves). Exit status: 0 when every scan finished
(findings or not), 1 when a scan crashed, timed out or a corpus could not be fetched.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpora_fetch", ROOT / "corpora" / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpora_fetch"] = fetch  # dataclasses look their module up there
_spec.loader.exec_module(fetch)

TAIL = 3000  # characters of stderr kept for a crash


def select(which: str, names: list[str]) -> list:
    manifest = fetch.load_manifest()
    if names:
        return [fetch._lookup(n, manifest) for n in names]
    if which == "all":
        return manifest
    if which == "held_out":
        return [c for c in manifest if c.held_out]
    return [c for c in manifest if c.tier == which]


def _env(djstate_path: Path | None) -> dict:
    env = dict(os.environ)
    if djstate_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(djstate_path), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def probe(python: str, djstate_path: Path | None, cwd: str) -> dict:
    """Which djstate the subprocesses import, and that checkout's commit."""
    code = "import djstate, sys; print(djstate.__file__); print(getattr(djstate, '__version__', '?')); print(sys.version.split()[0])"
    proc = subprocess.run([python, "-c", code], env=_env(djstate_path), cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"sweep_corpora: cannot import djstate with {python}:\n{proc.stderr}")
    module_file, version, py = proc.stdout.split("\n")[:3]
    checkout = Path(module_file).resolve().parent.parent
    git = lambda *a: subprocess.run(["git", "-C", str(checkout), *a], capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "djstate")
    return {
        "python": python, "python_version": py, "djstate_file": module_file, "djstate_version": version,
        "checkout": str(checkout), "commit": git("rev-parse", "HEAD"),
        "djstate_folder_dirty": bool(dirty),
    }


def _finding(f: dict) -> dict:
    return {k: f.get(k) for k in ("code", "severity", "path", "line", "message")}


ORACLE_VENVS = Path.home() / ".cache" / "djstate" / "oracle-venvs"


def oracle_site_packages(corpus) -> Path | None:
    """The site-packages of the corpus's oracle venv (Python 3.12), or None when there is none."""
    path = ORACLE_VENVS / f"{corpus.name}-{corpus.version}" / "lib" / "python3.12" / "site-packages"
    return path if path.is_dir() else None


def run_one(corpus, python: str, djstate_path: Path | None, timeout: float, cwd: str,
            select_codes: str | None = None, site_packages: str | None = None, nice: int = 0) -> dict:
    row = {"name": corpus.name, "version": corpus.version, "tier": corpus.tier, "held_out": corpus.held_out}
    try:
        root = fetch.ensure(corpus.name)
    except (fetch.FetchError, OSError) as e:
        return {**row, "status": "fetch-failed", "crashed": False, "detail": str(e)[-TAIL:]}
    cmd = [python, "-m", "djstate.cli", "scan", str(root), "--format", "json"]
    if select_codes:
        cmd += ["--select", select_codes]
    if site_packages == "oracle":
        venv = oracle_site_packages(corpus)
        if venv is None:
            return {**row, "status": "no-oracle-venv", "crashed": False, "detail": f"no oracle venv under {ORACLE_VENVS}"}
        cmd += ["--site-packages", str(venv)]
        row["site_packages"] = str(venv)
    elif site_packages:
        cmd += ["--site-packages", site_packages]
        row["site_packages"] = site_packages
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=_env(djstate_path), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return {**row, "status": "timeout", "crashed": True, "seconds": round(time.perf_counter() - start, 2),
                "detail": f"no result after {timeout:.0f} s\n{err[-TAIL:]}"}
    seconds = round(time.perf_counter() - start, 2)
    row.update(exit_code=proc.returncode, seconds=seconds)
    if proc.returncode not in (0, 1):
        return {**row, "status": "crashed", "crashed": True, "detail": proc.stderr[-TAIL:] or proc.stdout[-TAIL:]}
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        return {**row, "status": "crashed", "crashed": True,
                "detail": f"exit {proc.returncode} but stdout is not JSON ({e}); stderr:\n{proc.stderr[-TAIL:]}"}
    findings = report.get("findings", [])
    stats = report.get("stats", {})
    severity = Counter(f.get("severity") for f in findings)
    by_code = Counter(f"{f.get('code')}/{f.get('severity')}" for f in findings)
    row.update(
        status="ok",
        crashed=False,
        traceback_in_stderr="Traceback (most recent call last)" in proc.stderr,
        stderr_tail=proc.stderr[-TAIL:] if proc.stderr.strip() else "",
        files=stats.get("files"), apps=stats.get("apps"), migrations=stats.get("migrations"),
        models=stats.get("models"), unverified=stats.get("unverified"), scan_seconds=stats.get("seconds"),
        errors=severity.get("error", 0), warnings=severity.get("warning", 0), infos=severity.get("info", 0),
        by_code=dict(sorted(by_code.items())),
        error_findings=[_finding(f) for f in findings if f.get("severity") == "error"],
        warning_findings=[_finding(f) for f in findings if f.get("severity") == "warning"],
        info_counts=dict(sorted(Counter(f.get("code") for f in findings if f.get("severity") == "info").items())),
    )
    return row


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_md(data: dict) -> str:
    meta, rows = data["meta"], data["corpora"]
    ok = [r for r in rows if r["status"] == "ok"]
    held = [r for r in rows if r["held_out"]]
    out = [
        f"# djstate corpus sweep: {meta['label']}",
        "",
        f"djstate {meta['djstate_version']} from `{meta['checkout']}` (commit `{meta['commit'][:12]}`"
        f"{', djstate/ folder has uncommitted edits' if meta['djstate_folder_dirty'] else ''}), "
        f"Python {meta['python_version']}, {meta['started']} UTC, total {meta['total_seconds']:.0f} s "
        f"(fetching included), per-corpus timeout {meta['timeout']:.0f} s. Written by `tools/sweep_corpora.py`.",
        "",
        f"{len(rows)} corpora ({len(held)} held out, marked **HELD-OUT**); {len(ok)} scanned, "
        f"{sum(1 for r in rows if r['crashed'])} crashed or timed out, "
        f"{sum(1 for r in rows if r['status'] == 'fetch-failed')} not fetched. "
        f"Error findings: {sum(r['errors'] for r in ok)} in {sum(1 for r in ok if r['errors'])} corpora "
        f"(held-out: {sum(r['errors'] for r in ok if r['held_out'])} in "
        f"{sum(1 for r in ok if r['held_out'] and r['errors'])}); warnings: {sum(r['warnings'] for r in ok)}.",
        "",
        "| corpus | tier | status | files | apps | migrations | models | errors | warnings | unverified | seconds | findings by code |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        name = f"{r['name']} {r['version']}" + (" **HELD-OUT**" if r["held_out"] else "")
        if r["status"] != "ok":
            out.append(f"| {name} | {r['tier']} | **{r['status'].upper()}** | | | | | | | | {r.get('seconds', '')} | |")
            continue
        codes = ", ".join(f"{k} {v}" for k, v in r["by_code"].items())
        out.append(
            f"| {name} | {r['tier']} | ok | {r['files']} | {r['apps']} | {r['migrations']} | {r['models']} | "
            f"{r['errors']} | {r['warnings']} | {r['unverified']} | {r['seconds']} | {codes} |"
        )
    broken = [r for r in rows if r["status"] != "ok"]
    if broken:
        out += ["", "## Crashes, timeouts, fetch failures", ""]
        for r in broken:
            out += [f"### {r['name']} {r['version']}{' (HELD-OUT)' if r['held_out'] else ''}: {r['status']}", "",
                    "```", r.get("detail", "").strip(), "```", ""]
    for severity, key in (("error", "error_findings"), ("warning", "warning_findings")):
        found = [(r, f) for r in ok for f in r[key]]
        out += ["", f"## Every {severity} finding, grouped by code ({len(found)})", ""]
        by_code: dict[str, list] = {}
        for r, f in found:
            by_code.setdefault(f["code"], []).append((r, f))
        for code in sorted(by_code, key=lambda c: (-len(by_code[c]), c)):
            items = by_code[code]
            per = Counter(r["name"] for r, _ in items)
            out += [f"### {code}: {len(items)} in {len(per)} corpora "
                    f"({', '.join(f'{n} {k}' for n, k in per.most_common())})", ""]
            for r, f in items:
                tag = " [HELD-OUT]" if r["held_out"] else ""
                out.append(f"- {r['name']}{tag} `{f['path']}:{f['line']}`: {_cell(f['message'])}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", metavar="NAME", help="corpora to scan (default: --which)")
    ap.add_argument("--which", default="all", choices=("all", "held_out", *fetch.TIERS), help="which corpora when no NAME is given")
    ap.add_argument("--djstate-path", type=Path, help="checkout of djstate put first on PYTHONPATH")
    ap.add_argument("--python", default=sys.executable, help="interpreter running djstate (default: this one)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per corpus (default 600)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "data" / "sweep-latest"), help="output path without .json/.md")
    ap.add_argument("--label", help="title of the markdown page (default: the output's file name)")
    ap.add_argument("--select", dest="select_codes", help="rule codes or prefixes passed to scan --select (e.g. DJS5)")
    ap.add_argument("--site-packages", help="a site-packages folder for every scan, or 'oracle': each corpus's oracle venv")
    ap.add_argument("--nice", type=int, default=0, help="run each scan under nice -n N (default 0)")
    args = ap.parse_args(argv)
    djstate_path = args.djstate_path.resolve() if args.djstate_path else None
    corpora = select(args.which, args.names)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory(prefix="djstate-sweep-") as scratch:
        meta = probe(args.python, djstate_path, scratch)
        if djstate_path is not None and Path(meta["checkout"]) != djstate_path:
            sys.exit(f"sweep_corpora: {args.python} imports djstate from {meta['djstate_file']}, not from {djstate_path}")
        for i, corpus in enumerate(corpora, 1):
            row = run_one(corpus, args.python, djstate_path, args.timeout, scratch,
                          args.select_codes, args.site_packages, args.nice)
            rows.append(row)
            print(f"[{i}/{len(corpora)}] {corpus.name}{' (held out)' if corpus.held_out else ''}: {row['status']}"
                  + (f", {row['errors']} errors, {row['warnings']} warnings, {row['seconds']} s" if row["status"] == "ok" else ""),
                  file=sys.stderr, flush=True)
    meta.update(label=args.label or out.name, started=started.strftime("%Y-%m-%d %H:%M"),
                total_seconds=round(time.perf_counter() - t0, 1), timeout=args.timeout,
                selection=args.names or args.which, select=args.select_codes, site_packages=args.site_packages,
                nice=args.nice)
    data = {"meta": meta, "corpora": rows}
    Path(f"{out}.json").write_text(json.dumps(data, indent=1) + "\n")
    Path(f"{out}.md").write_text(render_md(data))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}", file=sys.stderr)
    return 1 if any(r["crashed"] or r["status"] in ("fetch-failed", "no-oracle-venv") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
