"""`make bench`: djstate's scan times beside Django's makemigrations and django-orm-lens, in one run.

For each tree it measures, with repeated runs (min and median) and the peak RSS of the whole
process tree (djstate plus its parse workers):

- djstate cold (empty facts cache), and on the wagtail tree also cold with ``--select DJS1,DJS2``
  (the job Django's makemigrations does);
- warm with nothing changed;
- warm after touching one model file (its content changes, so that file is parsed again);
- warm after adding one migration (an empty one on the app's leaf);
- on the real trees, cold and warm-after-touch again with ``--ignore DJS5``: without the query
  rules the queries layer is neither parsed nor built, so the difference is what it costs;
- ``django-orm-lens drift`` (a pinned bench-only tool in its own cached venv);
- Django's ``makemigrations --check --dry-run``, where the tree's packages are installed
  (the wagtail tree: the oracle venv it is copied from; the generated trees: that venv's Django
  and DRF with the tree on the path).

The trees: wagtail + django + taggit + modelcluster + rest_framework copied out of an installed
environment, netbox and mayan-edms (copies of the pinned corpora, since touching files
in place would disturb other scans), and generated projects of N apps (tools/bench_gen.py),
whose times give the fitted exponent of time against N. Everything lives under
``~/.cache/djstate/bench``. The table goes to stdout and into docs/performance.md between
the bench markers, with the core count and the load average.

    python tools/bench.py [--trees wagtail,netbox,mayan,gen] [--sizes 500,1000,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_gen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOME = Path.home() / ".cache" / "djstate"
BENCH = HOME / "bench"
CORPORA = HOME / "corpora"
ORACLE = HOME / "oracle-venvs"
ORM_LENS = "django-orm-lens==1.13.5"  # pinned; bench-only, never a runtime or test dependency
ORM_LENS_VENV = HOME / "bench-venv"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
WAGTAIL_PACKAGES = ("wagtail", "django", "taggit", "modelcluster", "rest_framework")
WAGTAIL_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.sites",
    "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.contrib.search_promotions",
    "wagtail.contrib.settings", "wagtail.contrib.simple_translation", "wagtail.embeds", "wagtail.sites",
    "wagtail.users", "wagtail.snippets", "wagtail.documents", "wagtail.images", "wagtail.search",
    "wagtail.locales", "wagtail.admin", "wagtail", "modelcluster", "taggit", "rest_framework",
]  # fmt: skip


# -- process tree sampling ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the process and all its descendants summed, exit code.
    The CPU seconds of the process and its reaped descendants go to ``CPU_SECONDS``."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            pids, total, frontier = set(), 0, [proc.pid]
            while frontier:
                pid = frontier.pop()
                if pid not in pids:
                    pids.add(pid)
                    total += _rss_kb(pid)
                    frontier += _children(pid)
            peak = max(peak, total)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(f"bench: {' '.join(cmd[:3])} ... exited {proc.returncode}\n{err.decode()[-2000:]}\n")
    return seconds, peak / 1024, proc.returncode


CPU_SECONDS: list[float] = []  # user + system seconds of each run(), in order


# -- the trees ---------------------------------------------------------------------------------


@dataclass
class Tree:
    name: str
    path: Path
    model_file: str  # touched by the warm-after-touch run
    migrations_dir: str  # where the added migration goes
    app_label: str
    size: int | None = None  # N for generated trees
    django: tuple[list[str], dict, Path] | None = None  # makemigrations command, env, cwd
    rows: list[Row] = field(default_factory=list)


@dataclass
class Row:
    run: str
    times: list[float]
    rss: float
    cpu: list[float] = field(default_factory=list)  # user + system seconds, workers included

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _oracle_site(name: str) -> Path | None:
    for venv in sorted(ORACLE.glob(f"{name}-*")):
        for site in venv.glob("lib/python3.*/site-packages"):
            return site
    return None


def wagtail_tree() -> Tree:
    """wagtail + django + taggit + modelcluster + rest_framework, copied from an installed venv."""
    site = _oracle_site("wagtail")
    python = None
    if site is not None:
        python = site.parents[2] / "bin" / "python"
    else:  # the test venv has them too (Django 5.2)
        site = next((ROOT / ".venv" / "lib").glob("python3.*/site-packages"))
    out = BENCH / "trees" / "wagtail"
    stamp = out / ".source"
    if not stamp.exists() or stamp.read_text() != str(site):
        shutil.rmtree(out, ignore_errors=True)
        for package in WAGTAIL_PACKAGES:
            shutil.copytree(site / package, out / package, ignore=shutil.ignore_patterns("__pycache__"))
        stamp.write_text(str(site))
    tree = Tree("wagtail+django+taggit+modelcluster+drf", out, "taggit/models.py", "taggit/migrations", "taggit")
    if python is not None and python.exists():
        settings = BENCH / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "bench_wagtail_settings.py").write_text(
            'SECRET_KEY = "bench"\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n'
            f'DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": "{BENCH}/wagtail.sqlite3"}}}}\n'
            f"INSTALLED_APPS = {WAGTAIL_APPS!r}\nROOT_URLCONF = None\nWAGTAIL_SITE_NAME = 'bench'\n"
        )
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench_wagtail_settings", PYTHONPATH=str(settings))
        tree.django = ([str(python), "-m", "django", "makemigrations", "--check", "--dry-run"], env, settings)
    return tree


def corpus_tree(name: str, model_file: str, migrations_dir: str, label: str) -> Tree | None:
    found = sorted(CORPORA.glob(f"{name}-[0-9]*"))
    if not found:
        return None
    source = found[-1]
    out = BENCH / "trees" / source.name
    if not out.exists():
        shutil.copytree(source, out, symlinks=True)
    return Tree(source.name, out, model_file, migrations_dir, label)


def generated_tree(apps: int) -> Tree:
    out = BENCH / "trees" / f"gen-{apps}"
    stamp = out / ".generated"
    if not stamp.exists():
        bench_gen.generate(out, apps)
        stamp.write_text(str(apps))
    tree = Tree(f"generated, {apps} apps", out, "app0000/models.py", "app0000/migrations", "app0000", size=apps)
    site = _oracle_site("wagtail")  # its Django and DRF
    if site is not None:
        python = site.parents[2] / "bin" / "python"
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchsite.settings", PYTHONPATH=str(out))
        tree.django = ([str(python), "-m", "django", "makemigrations", "--check", "--dry-run"], env, out)
    return tree


# -- the runs ----------------------------------------------------------------------------------


def orm_lens() -> Path | None:
    exe = ORM_LENS_VENV / "bin" / "django-orm-lens"
    marker = ORM_LENS_VENV / ".pinned"
    if exe.exists() and marker.exists() and marker.read_text() == ORM_LENS:
        return exe
    try:
        subprocess.run([sys.executable, "-m", "venv", str(ORM_LENS_VENV)], check=True)
        subprocess.run([str(ORM_LENS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", ORM_LENS], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        sys.stderr.write(f"bench: cannot install {ORM_LENS}: {exc}\n")
        return None
    marker.write_text(ORM_LENS)
    return exe


DJSTATE = [str(ROOT / ".venv" / "bin" / "djstate")]  # --djstate replaces it (e.g. another worktree's)


def djstate_cmd(tree: Tree, *extra: str) -> list[str]:
    return [*DJSTATE, "scan", str(tree.path), *extra]


def measure(tree: Tree, args, lens: Path | None) -> None:
    cache = BENCH / "cache" / tree.path.name
    env = dict(os.environ, DJSTATE_CACHE_DIR=str(cache))

    def repeat(label: str, times: int, cmd: list[str], before=None, after=None, run_env=env, cwd=None) -> Row:
        row = Row(label, [], 0.0)
        for k in range(times):
            if before:
                before(k)
            seconds, rss, _ = run(cmd, run_env, cwd)
            row.cpu.append(CPU_SECONDS[-1])
            if after:
                after(k)
            row.times.append(seconds)
            row.rss = max(row.rss, rss)
        tree.rows.append(row)
        print(f"  {tree.name}: {label}: min {row.min:.2f} s, median {row.median:.2f} s, "
              f"CPU median {statistics.median(row.cpu):.2f} s, peak RSS {row.rss:.0f} MB", flush=True)
        return row

    def clear(_k: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    model = tree.path / tree.model_file
    original = model.read_bytes()

    def touch(k: int) -> None:
        model.write_bytes(original + f"\n# bench touch {time.time_ns()} {k}\n".encode())

    def restore(_k: int) -> None:
        model.write_bytes(original)

    mig_dir = tree.path / tree.migrations_dir
    leaf = sorted(p.stem for p in mig_dir.glob("[0-9]*.py"))[-1]
    added = mig_dir / "9999_bench_added.py"

    def add_migration(k: int) -> None:
        added.write_text(
            f"# bench {time.time_ns()} {k}\nfrom django.db import migrations\n\n\n"
            f"class Migration(migrations.Migration):\n    dependencies = [({tree.app_label!r}, {leaf!r})]\n\n"
            "    operations = []\n"
        )

    def remove_migration(_k: int) -> None:
        added.unlink(missing_ok=True)

    try:
        if args.cold_repeat:
            repeat("djstate cold", args.cold_repeat, djstate_cmd(tree), before=clear)
        if args.cold_repeat and tree.django is not None and tree.size is None:
            repeat("djstate cold --select DJS1,DJS2", args.cold_repeat, djstate_cmd(tree, "--select", "DJS1,DJS2"), before=clear)
            run(djstate_cmd(tree), env)  # fill the cache again
        if args.cold_repeat and tree.size is None:  # the cost of the query layer (issue 13)
            repeat("djstate cold --ignore DJS5", args.cold_repeat, djstate_cmd(tree, "--ignore", "DJS5"), before=clear)
            run(djstate_cmd(tree), env)
        run(djstate_cmd(tree), env)
        repeat("djstate warm, nothing changed", args.repeat, djstate_cmd(tree))
        repeat("djstate warm, one model file touched", args.repeat, djstate_cmd(tree), before=touch, after=restore)
        if tree.size is None:
            repeat("djstate warm, one model file touched, --ignore DJS5", args.repeat,
                   djstate_cmd(tree, "--ignore", "DJS5"), before=touch, after=restore)  # fmt: skip
        repeat("djstate warm, one migration added", args.repeat, djstate_cmd(tree), before=add_migration, after=remove_migration)
    finally:
        restore(0)
        remove_migration(0)
    if lens is not None and not args.no_compare:
        repeat("django-orm-lens drift", args.repeat, [str(lens), "drift", "--path", str(tree.path), "--exit-zero"])
    if tree.django is not None and not args.no_compare:
        cmd, django_env, cwd = tree.django
        repeat("Django makemigrations --check --dry-run", args.repeat, cmd, run_env=django_env, cwd=cwd)


# -- the report --------------------------------------------------------------------------------


def _stats(tree: Tree) -> dict:
    out = subprocess.run(
        djstate_cmd(tree, "--format", "json"), capture_output=True, text=True,
        env=dict(os.environ, DJSTATE_CACHE_DIR=str(BENCH / "cache" / tree.path.name)),
    )  # fmt: skip
    try:
        return json.loads(out.stdout)["stats"]
    except (json.JSONDecodeError, KeyError):
        return {}


def fit_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(N)."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None


def report(trees: list[Tree], started: float) -> str:
    load = os.getloadavg()
    lines = [
        f"Measured by `make bench` (tools/bench.py) on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}: "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} at the end (other jobs shared the machine when it is above "
        f"{os.cpu_count()}), Python {platform.python_version()}. Times are wall seconds over repeated runs (min / median); "
        "peak RSS is the whole process tree (djstate and its parse workers) summed. CPU is the median of user + "
        "system seconds of that tree: on a shared machine it is the stable measure, wall time mostly waiting. "
        "Ratios compare medians with Django's `makemigrations --check --dry-run` and `django-orm-lens drift` "
        "on the same tree in the same run, in wall and in CPU seconds.",
        "",
        "| tree | run | min | median | CPU | peak RSS | vs Django | vs Django (CPU) | vs orm-lens |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for tree in trees:
        by_run = {r.run: r for r in tree.rows}
        django = next((r for r in tree.rows if r.run.startswith("Django")), None)
        lens = by_run.get("django-orm-lens drift")
        stats = _stats(tree)
        label = f"{tree.name} ({stats.get('files', '?')} files, {stats.get('apps', '?')} apps, {stats.get('migrations', '?')} migrations)"
        for row in tree.rows:
            cpu = statistics.median(row.cpu) if row.cpu else None
            vs_django = f"{row.median / django.median:.2f}×" if django else "–"
            vs_django_cpu = f"{cpu / statistics.median(django.cpu):.2f}×" if django and django.cpu and cpu is not None else "–"
            vs_lens = f"{row.median / lens.median:.2f}×" if lens else "–"
            cpu_cell = f"{cpu:.2f} s" if cpu is not None else "–"
            lines.append(f"| {label} | {row.run} | {row.min:.2f} s | {row.median:.2f} s | {cpu_cell} | {row.rss:.0f} MB "
                         f"| {vs_django} | {vs_django_cpu} | {vs_lens} |")
            label = ""
    generated = [t for t in trees if t.size]
    if len(generated) >= 2:
        lines += ["", "Fitted exponent of the median time against N (generated trees, "
                  + ", ".join(str(t.size) for t in generated) + " apps):", ""]
        for run_name in [r.run for r in generated[0].rows]:
            points = [(t.size, r.median) for t in generated for r in t.rows if r.run == run_name]
            exponent = fit_exponent(points)
            cpu = fit_exponent([(t.size, statistics.median(r.cpu)) for t in generated for r in t.rows
                                if r.run == run_name and r.cpu])  # fmt: skip
            if exponent is not None:
                lines.append(f"- {run_name}: **{exponent:.2f}**" + (f" (CPU seconds: {cpu:.2f})" if cpu is not None else ""))
    return "\n".join(lines) + "\n"


def write_doc(table: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    block = f"{BEGIN}\n{table}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## `make bench`\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", default="wagtail,netbox,mayan,gen")
    parser.add_argument("--sizes", default="500,1000,2000", help="apps in the generated trees")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm measurement")
    parser.add_argument("--cold-repeat", type=int, default=2, help="runs of each cold measurement (0: none)")
    parser.add_argument("--no-doc", action="store_true", help="print the table only")
    parser.add_argument("--no-compare", action="store_true", help="skip django-orm-lens and Django's makemigrations")
    parser.add_argument("--djstate", help="the djstate command to time (default: this tree's venv)")
    parser.add_argument("--json", type=Path, help="also write every row's times here")
    args = parser.parse_args()
    if args.djstate:
        DJSTATE[:] = args.djstate.split()
    started = time.time()
    wanted = args.trees.split(",")
    trees: list[Tree] = []
    if "wagtail" in wanted:
        trees.append(wagtail_tree())
    if "netbox" in wanted:
        trees.append(corpus_tree("netbox", "circuits/models/circuits.py", "circuits/migrations", "circuits"))
    if "mayan" in wanted:
        trees.append(corpus_tree("mayan-edms", "mayan/apps/tags/models.py", "mayan/apps/tags/migrations", "tags"))
    if "gen" in wanted:
        trees += [generated_tree(int(n)) for n in args.sizes.split(",") if n]
    trees = [t for t in trees if t is not None]
    lens = None if args.no_compare else orm_lens()
    for tree in trees:
        print(f"bench: {tree.name} ({tree.path})", flush=True)
        measure(tree, args, lens)
    table = report(trees, started)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(
            {"load_average": os.getloadavg(), "started": started, "finished": time.time(),
             "trees": [{"name": t.name, "size": t.size, "rows": [{"run": r.run, "times": r.times, "cpu": r.cpu, "rss": r.rss}
                                                                  for r in t.rows]} for t in trees]},
            indent=1,
        ))
    if not args.no_doc:
        write_doc(table)
        print(f"bench: the table is in {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
