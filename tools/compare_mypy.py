"""djstate beside mypy + django-stubs on the bundled example's query bugs, in one run.

The bugs are listed in tools/compare_mypy_bugs.toml (file, line, the rule that must report it; each
one is confirmed against Django by tests/test_example_queries_runtime.py). This script:

1. builds once a cached virtualenv ~/.cache/djstate/venvs/mypy-<hash> holding pinned mypy,
   django-stubs (its mypy plugin), djangorestframework-stubs, and the Django and DRF the example
   is written for: what mypy + django-stubs needs to start, since its plugin runs
   ``django.setup()`` on the project's settings;
2. writes a mypy config with both plugins, ``check_untyped_defs`` (without it mypy skips the
   bodies of the example's unannotated functions) and the example's settings module; the
   example's migrations are excluded, since one of them is unparsable on purpose (DJS100) and a
   syntax error stops mypy;
3. runs mypy on the example (cold: a fresh cache, then warm) and ``djstate scan`` on it (cold
   with ``--no-cache``, then warm; no virtualenv read: ``--no-site-packages``), timing each;
4. says for each bug whether each tool reported something on its line, and lists what each tool
   reported elsewhere. A djstate finding counts only with the bug's code; a mypy error counts
   whatever its text (the table's detail lists each message, to be read). Reports on the lines of
   the example's other deliberate mistakes (migrations, serializers) are counted apart: they are
   neither a query bug caught nor a false report.

Usage: ``python tools/compare_mypy.py [--md FILE] [--json FILE] [--write-doc]`` (``make
compare-mypy`` writes the section "Side by side with mypy + django-stubs" of docs/accuracy.md).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"
MANIFEST = Path(__file__).with_name("compare_mypy_bugs.toml")
ACCURACY = ROOT / "docs" / "accuracy.md"
SECTION = "## Side by side with mypy + django-stubs"
VENVS = Path.home() / ".cache" / "djstate" / "venvs"

# django-stubs 5.2.x is the line written for Django 5.2 (corpora/example/requirements.txt);
# its `compatible-mypy` extra allows mypy < 1.20
PINS = (
    "mypy==1.19.1",
    "django-stubs==5.2.9",
    "django-stubs-ext==5.2.9",
    "djangorestframework-stubs==3.16.9",
    "Django==5.2.19",
    "djangorestframework==3.18.3",
)
MYPY_CONFIG = """\
[mypy]
plugins = mypy_django_plugin.main, mypy_drf_plugin.main
check_untyped_defs = True
exclude = (^|/)migrations/
mypy_path = {example}

[mypy.plugins.django-stubs]
django_settings_module = bookshop.settings
"""
MYPY_LINE = re.compile(r"^(?P<path>[^:\n]+\.py):(?P<line>\d+): (?P<level>error|note): (?P<message>.*)$")
MARKER = re.compile(r"#\s*djstate:\s*(expect|future)\s+(DJS\d{3}(?:\s*,\s*DJS\d{3})*)")


def mypy_venv() -> Path:
    """The cached virtualenv with PINS for this interpreter, built on first use."""
    key = hashlib.sha256("\n".join((sys.version.split()[0], *PINS)).encode()).hexdigest()[:12]
    venv = VENVS / f"mypy-{key}"
    done = venv / ".djstate-complete"
    if not done.exists():
        print(f"building {venv} (once)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *PINS], check=True)
        done.write_text("\n".join(PINS) + "\n")
    return venv


def installed_versions(venv: Path) -> dict[str, str]:
    out = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True, check=True)
    wanted = {p.split("==")[0].lower() for p in PINS}
    return {name: version for name, _, version in (ln.partition("==") for ln in out.stdout.splitlines())
            if name.lower() in wanted}  # fmt: skip


def timed(cmd: list[str], **kwargs) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return proc, time.perf_counter() - start


def run_mypy(venv: Path, work: Path, check_untyped_defs: bool = True, repeat: int = 1) -> tuple[list[dict], dict]:
    """mypy's errors on the example ({path, line, message}), and its best cold and warm times of ``repeat``."""
    name = "mypy" if check_untyped_defs else "mypy-typed-only"
    config = work / f"{name}.ini"
    text = MYPY_CONFIG.format(example=EXAMPLE)
    config.write_text(text if check_untyped_defs else text.replace("check_untyped_defs = True\n", ""))
    colds, warms = [], []
    for attempt in range(repeat):
        cmd = [str(venv / "bin" / "mypy"), "--config-file", str(config), "--cache-dir", str(work / f"{name}-cache-{attempt}"),
               "--show-error-codes", "--no-pretty", "--no-error-summary", "--hide-error-context", "."]  # fmt: skip
        cold, cold_s = timed(cmd, cwd=EXAMPLE)  # a fresh cache
        warm, warm_s = timed(cmd, cwd=EXAMPLE) if check_untyped_defs else (cold, float("nan"))
        colds.append(cold_s)
        warms.append(warm_s)
    cold_s, warm_s = min(colds), min(warms)
    if cold.returncode not in (0, 1) or cold.stdout != warm.stdout:
        raise SystemExit(f"mypy did not run cleanly (exit {cold.returncode}):\n{cold.stdout[-3000:]}{cold.stderr[-3000:]}")
    errors = []
    for line in cold.stdout.splitlines():
        match = MYPY_LINE.match(line)
        if match and match["level"] == "error":
            errors.append({"path": Path(match["path"]).as_posix(), "line": int(match["line"]), "message": match["message"]})
    return errors, {"cold": cold_s, "warm": warm_s, "exit": cold.returncode}


def run_djstate(work: Path, repeat: int = 1, source: Path = ROOT) -> tuple[list[dict], dict]:
    """djstate's findings on the example, and its best cold (no cache) and warm times of ``repeat``.
    ``source`` is the checkout whose djstate package runs (a clean worktree measures a commit)."""
    env = dict(os.environ, DJSTATE_CACHE_DIR=str(work / "djstate-cache"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])))  # fmt: skip
    python = ROOT / ".venv" / "bin" / "python"
    base = [str(python), "-m", "djstate.cli", "scan", str(EXAMPLE), "--format", "json", "--no-site-packages"]
    timed(base, env=env, cwd=work)  # fills the cache (cwd: `python -m` puts it before PYTHONPATH)
    colds, warms = [], []
    for _ in range(repeat):
        cold, cold_s = timed([*base, "--no-cache"], env=env, cwd=work)
        warm, warm_s = timed(base, env=env, cwd=work)
        colds.append(cold_s)
        warms.append(warm_s)
    cold_s, warm_s = min(colds), min(warms)
    if cold.returncode not in (0, 1):
        raise SystemExit(f"djstate failed (exit {cold.returncode}):\n{cold.stderr[-3000:]}")
    findings = json.loads(cold.stdout)["findings"]

    def keys(found: list[dict]) -> set[tuple]:
        return {(f["path"], f["line"], f["code"]) for f in found}

    if keys(findings) != keys(json.loads(warm.stdout)["findings"]):
        raise SystemExit("djstate's cold and warm scans disagree")
    return findings, {"cold": cold_s, "warm": warm_s, "exit": cold.returncode}


def djstate_tree(source: Path) -> str:
    """Which djstate was measured: the commit, and whether its package had uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=source, capture_output=True, text=True).stdout.strip()

    dirty = " with uncommitted changes under djstate/" if git("status", "--porcelain", "--", "djstate") else ""
    return f"djstate at {git('rev-parse', '--short', 'HEAD') or 'an unknown commit'}{dirty}"


def marked_lines() -> dict[tuple[str, int], set[str]]:
    """Every line of the example marked with a deliberate mistake, and its codes."""
    out: dict[tuple[str, int], set[str]] = {}
    for path in sorted(EXAMPLE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            match = MARKER.search(line)
            if match:
                out[(path.relative_to(EXAMPLE).as_posix(), number)] = set(re.split(r"\s*,\s*", match.group(2)))
    return out


def compare(bugs: list[dict], findings: list[dict], errors: list[dict]) -> dict:
    marked = marked_lines()
    bug_lines = {(b["path"], b["line"]) for b in bugs}
    rows = []
    for bug in bugs:
        at = (bug["path"], bug["line"])
        ours = [f for f in findings if (f["path"], f["line"]) == at and f["code"] == bug["code"]]
        theirs = [e for e in errors if (e["path"], e["line"]) == at]
        rows.append({**bug, "djstate": [f["message"] for f in ours], "mypy": [e["message"] for e in theirs]})

    def elsewhere(reports: list[dict], is_ours: bool) -> tuple[list[dict], list[dict]]:
        other_mistakes, false = [], []
        for r in reports:
            at = (r["path"], r["line"])
            if at in bug_lines:
                if is_ours and r["code"] not in marked.get(at, set()):
                    false.append(r)  # the right line, a wrong rule
                continue
            if at in marked and (not is_ours or r["code"] in marked[at]):
                other_mistakes.append(r)
            else:
                false.append(r)
        return other_mistakes, false

    our_other, our_false = elsewhere(findings, True)
    their_other, their_false = elsewhere(errors, False)
    return {"rows": rows, "djstate_other_mistakes": our_other, "djstate_false": our_false,
            "mypy_other_mistakes": their_other, "mypy_false": their_false}  # fmt: skip


def render(result: dict, versions: dict, times: dict, today: str) -> str:
    rows = result["rows"]
    ours = sum(1 for r in rows if r["djstate"])
    theirs = sum(1 for r in rows if r["mypy"])
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["code"], []).append(r)
    asks = sum(1 for e in result["mypy_false"] if e["message"].endswith("[var-annotated]"))
    annotations = f" ({asks} of them ask for a type annotation)" if asks else ""
    pins = ", ".join(f"{name} {version}" for name, version in sorted(versions.items(), key=lambda kv: kv[0].lower()))
    out = [
        SECTION, "",
        f"Measured {today} by `make compare-mypy` (tools/compare_mypy.py) on corpora/example: the {len(rows)} query bugs "
        "listed in tools/compare_mypy_bugs.toml, each confirmed against Django 5.2 with SQLite by "
        "tests/test_example_queries_runtime.py (FieldError, AttributeError, ValueError, one query per row "
        "measured with CaptureQueriesContext, or the rows a default manager hides). Both tools run in the same "
        "run on the same tree. "
        f"mypy side: {pins}, with `check_untyped_defs` and both plugins; migrations excluded "
        f"(one is unparsable on purpose and a syntax error stops mypy). djstate side: {times['djstate_tree']}, `--no-site-packages`. "
        f"Times are wall-clock, the best of {times['repeat']} runs each, on a shared 2-core machine "
        f"(load average {times['load']:.1f} at the start).",
        "",
        "| tool | caught | false reports | on the example's other mistakes | time cold / warm | needs |",
        "|---|---|---|---|---|---|",
        f"| djstate | {ours}/{len(rows)} | {len(result['djstate_false'])} | {len(result['djstate_other_mistakes'])} "
        f"| {times['djstate']['cold']:.1f} s / {times['djstate']['warm']:.1f} s | the source tree only: no settings, nothing installed |",
        f"| mypy + django-stubs | {theirs}/{len(rows)} | {len(result['mypy_false'])}{annotations} | {len(result['mypy_other_mistakes'])} "
        f"| {times['mypy']['cold']:.1f} s / {times['mypy']['warm']:.1f} s | settings importable (`django.setup()` runs), "
        "Django, DRF and the stubs installed, `check_untyped_defs` for unannotated code |",
        f"| mypy + django-stubs, default config (no `check_untyped_defs`) | {result['mypy_default_caught']}/{len(rows)} "
        f"| {result['mypy_default_false']} | | | the same, and every function annotated |",
        "",
        "| code | bug | where | djstate | mypy |",
        "|---|---|---|---|---|",
    ]
    for code in sorted(by_code):
        for r in by_code[code]:
            ours_here, theirs_here = ("yes" if r[tool] else "no" for tool in ("djstate", "mypy"))
            out.append(f"| {code} | {r['kind']} | `{r['path']}:{r['line']}` | {ours_here} | {theirs_here} |")
    out += ["", "Per rule: " + ", ".join(
        f"{code} djstate {sum(1 for r in rs if r['djstate'])}/{len(rs)}, mypy {sum(1 for r in rs if r['mypy'])}/{len(rs)}"
        for code, rs in sorted(by_code.items())) + "."]  # fmt: skip
    for tool, label in (("djstate", "djstate"), ("mypy", "mypy + django-stubs")):
        missed = [f"{r['kind']} (`{r['path']}:{r['line']}`)" for r in rows if not r[tool]]
        out += ["", f"{label} misses: " + ("; ".join(missed) or "nothing") + "."]
    out += ["", "What mypy said on each bug line it caught:", ""]
    out += [f"- `{r['path']}:{r['line']}`: {r['mypy'][0]}" for r in rows if r["mypy"]] or ["- nothing"]
    out += ["", "False reports (a report on no deliberate mistake, or with the wrong rule):", ""]
    out += [f"- djstate `{f['path']}:{f['line']}` {f['code']}: {f['message']}" for f in result["djstate_false"]]
    out += [f"- mypy `{e['path']}:{e['line']}`: {e['message']}" for e in result["mypy_false"]]
    if not result["djstate_false"] and not result["mypy_false"]:
        out.append("- none")
    return "\n".join(out) + "\n"


def write_doc(section: str) -> None:
    """Replace (or append) this section of docs/accuracy.md, leaving the others alone."""
    text = ACCURACY.read_text(encoding="utf-8")
    start = text.find(SECTION + "\n")
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    ACCURACY.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--md", type=Path, help="write the Markdown section here")
    parser.add_argument("--json", type=Path, help="write every report of both tools here")
    parser.add_argument("--djstate-source", type=Path, default=ROOT,
                        help="the checkout whose djstate runs (e.g. a clean `git worktree` of a commit); default this one")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool; the best time is kept")
    parser.add_argument("--write-doc", action="store_true", help=f"replace the section '{SECTION[3:]}' of docs/accuracy.md")
    args = parser.parse_args()

    bugs = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["bug"]
    venv = mypy_venv()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="djstate-compare-mypy-") as tmp:
        work = Path(tmp)
        errors, mypy_times = run_mypy(venv, work, repeat=args.repeat)
        typed_only, _ = run_mypy(venv, work, check_untyped_defs=False)
        findings, djstate_times = run_djstate(work, repeat=args.repeat, source=args.djstate_source)
    result = compare(bugs, findings, errors)
    default = compare(bugs, findings, typed_only)
    result["mypy_default_caught"] = sum(1 for r in default["rows"] if r["mypy"])
    result["mypy_default_false"] = len(default["mypy_false"])
    versions = installed_versions(venv)
    times = {"mypy": mypy_times, "djstate": djstate_times, "load": load, "repeat": args.repeat,
             "djstate_tree": djstate_tree(args.djstate_source)}
    section = render(result, versions, times, datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    print(section)
    if args.md:
        args.md.write_text(section, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "times": times, **result}, indent=1), encoding="utf-8")
    if args.write_doc:
        write_doc(section)


if __name__ == "__main__":
    main()
