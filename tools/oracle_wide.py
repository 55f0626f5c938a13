#!/usr/bin/env python3
"""Django and DRF as the automatic judge of djstate, on every corpus of corpora/manifest.toml.

For each corpus (one at a time: the machine is shared):

1. a cached venv under ~/.cache/djstate/oracle-venvs/<name>-<version>/ with the pinned artifact
   (re-packed from the sha256-verified tree fetch.py keeps) and its dependencies, psycopg[binary],
   and djangorestframework when the corpus mentions it; `.oracle-venv.json` records what was
   installed, or why the install failed;
2. settings: the project's own settings module when one imports, else generated ones (contrib
   apps + the corpus's apps); the third-party apps they need are added one by one from Django's
   own errors ("No installed app with label 'x'", "nonexistent parent node ('x', ...)", ...);
3. Django's MigrationAutodetector for the corpus's own app labels (what `makemigrations
   --dry-run` writes), loader.detect_conflicts(), and `.fields` of every ModelSerializer;
4. djstate scans the same installed package folders (`--site-packages` the venv's) and its
   DJS210-213 findings become operations as in tests/test_oracle_drift.py; DJS4xx errors are
   matched to the serializer classes DRF rejects.

Writes docs/data/oracle-wide.json and the "Wide oracle" section of docs/accuracy.md.

    python tools/oracle_wide.py                     # every corpus
    python tools/oracle_wide.py wagtail netbox      # some
    python tools/oracle_wide.py --force             # ignore cached per-corpus results
    python tools/oracle_wide.py --report-only       # re-render docs from cached results

The venvs and the per-corpus results are cached, so a killed run continues where it stopped.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().with_name("oracle_wide_probe.py")
CACHE = Path("~/.cache/djstate").expanduser()
VENVS = CACHE / "oracle-venvs"
WORK = CACHE / "oracle-wide"
UV_VENV = CACHE / "tools" / "uv-venv"
PYTHONS = {
    "3.12": "/root/.pyenv/versions/3.12.1/bin/python",
    "3.13": "/root/.pyenv/versions/3.13.0/bin/python",
    "3.11": "/root/.pyenv/versions/3.11.7/bin/python",
    "3.10": "/root/.pyenv/versions/3.10.13/bin/python",
}
DJSTATE_PYTHON = ROOT / ".venv" / "bin" / "python"
JSON_OUT = ROOT / "docs" / "data" / "oracle-wide.json"
ACCURACY = ROOT / "docs" / "accuracy.md"
START, END = "<!-- oracle-wide:start -->", "<!-- oracle-wide:end -->"
DRIFT_CODES = ("DJS210", "DJS211", "DJS212", "DJS213")
OPERATION = re.compile(r"makemigrations would write ([A-Za-z+]+)")
INSTALL_TIMEOUT = 300
SETTINGS_LOGIC = "7"  # bump when the settings search below changes: cached Django results are then redone
ATTEMPTS = 30
BASE_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.sites",
]
POSTGRES_DB = {"ENGINE": "django.db.backends.postgresql", "NAME": "oracle", "USER": "oracle", "HOST": "127.0.0.1"}
SQLITE_DB = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
ENV = {
    "SECRET_KEY": "oracle-wide-not-secret",
    "DJANGO_SECRET_KEY": "oracle-wide-not-secret",
    "DATABASE_URL": "postgres://oracle:oracle@127.0.0.1:5432/oracle",
}

# Settings a project reads from the environment that no error message lets us derive: the
# configuration module the project's own test suite uses.
PULP_KEY = str(Path("~/.cache/djstate/oracle-wide/pulp-db-encryption.key").expanduser())  # written on first use
PROJECT_ENV = {
    "netbox": {"NETBOX_CONFIGURATION": "netbox.configuration_testing"},
    "pulpcore": {"PULP_DB_ENCRYPTION_KEY": PULP_KEY},
    "pulp-container": {"PULP_DB_ENCRYPTION_KEY": PULP_KEY},
    "pulp-rpm": {"PULP_DB_ENCRYPTION_KEY": PULP_KEY},
    "galaxy-ng": {"PULP_DB_ENCRYPTION_KEY": PULP_KEY},
}

_spec = importlib.util.spec_from_file_location("corpora_fetch", ROOT / "corpora" / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpora_fetch"] = fetch  # dataclasses look their module up there
_spec.loader.exec_module(fetch)


def log(message: str) -> None:
    print(f"[oracle-wide {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()[:16]


def held_out() -> dict[str, bool]:
    data = fetch.tomllib.loads(fetch.MANIFEST.read_text())
    return {e["name"]: bool(e.get("held_out", False)) for e in data.get("corpus", [])}


# --- the artifact and its venv ------------------------------------------------------------------


def dist_info(tree: Path) -> Path | None:
    return next(iter(sorted(tree.glob("*.dist-info"))), None)


def package_base(tree: Path) -> Path:
    """The folder whose subfolders are the import packages: the wheel tree, or an sdist's source root."""
    if dist_info(tree) is not None:
        return tree
    inner = [p for p in tree.iterdir() if p.is_dir()]
    base = inner[0] if len(inner) == 1 else tree
    return base / "src" if (base / "src").is_dir() else base


def top_level_packages(tree: Path) -> list[str]:
    """Top-level import packages of a wheel tree (or of an sdist's source tree)."""
    info = dist_info(tree)
    if info is not None:
        return sorted(
            p.name for p in tree.iterdir()
            if p.is_dir() and (p / "__init__.py").is_file() and not p.name.endswith((".dist-info", ".data"))
        )
    inner = [p for p in tree.iterdir() if p.is_dir()]
    base = inner[0] if len(inner) == 1 else tree  # an sdist unpacks into name-version/
    if (base / "src").is_dir():
        base = base / "src"
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / "__init__.py").is_file()
                  and p.name not in ("tests", "test", "docs"))


def requires_python(tree: Path) -> str:
    info = dist_info(tree)
    meta = (info / "METADATA").read_text(errors="replace") if info else ""
    match = re.search(r"^Requires-Python:\s*(.+)$", meta, re.MULTILINE)
    if not match:
        return "3.12"
    from packaging.specifiers import SpecifierSet

    spec = SpecifierSet(match.group(1).strip())
    for version in ("3.12", "3.13", "3.11", "3.10"):
        if spec.contains(f"{version}.0") or spec.contains(f"{version}.5"):
            return version
    return "3.12"


def repack_wheel(tree: Path, corpus, into: Path) -> Path:
    """The pinned wheel again, from the verified tree (fetch.py keeps only the unpacked tree)."""
    wheel = into / corpus.filename
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(tree.rglob("*")):
            if path.is_file() and path.name != fetch.MARKER and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(tree).as_posix())
    return wheel


def uv() -> Path:
    binary = UV_VENV / "bin" / "uv"
    if not binary.exists():
        subprocess.run([PYTHONS["3.12"], "-m", "venv", str(UV_VENV)], check=True)
        subprocess.run([str(UV_VENV / "bin" / "pip"), "install", "--quiet", "uv"], check=True)
    return binary


def mentions(tree: Path, needle: str, limit: int = 4000) -> bool:
    for i, path in enumerate(tree.rglob("*.py")):
        if i > limit * 10:
            break
        try:
            if needle in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def ensure_venv(corpus, tree: Path, force: bool) -> dict:
    venv = VENVS / corpus.dirname
    marker = venv / ".oracle-venv.json"
    if marker.exists() and not force:
        record = json.loads(marker.read_text())
        if not record["ok"] or {"django", "Django"} & set(record["installed"]):
            return record
        env = dict(os.environ, SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt", UV_NATIVE_TLS="1")
        subprocess.run([str(uv()), "pip", "install", "--python", str(venv / "bin" / "python"), "django"],
                       capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT)
        freeze = subprocess.run([str(uv()), "pip", "freeze", "--python", str(venv / "bin" / "python")],
                                capture_output=True, text=True, env=env, timeout=120)
        record["installed"] = dict(ln.split("==", 1) for ln in freeze.stdout.splitlines() if "==" in ln)
        record["requested"].append("django (added: the artifact does not require it)")
        marker.write_text(json.dumps(record, indent=1))
        return record
    if venv.exists():
        shutil.rmtree(venv)
    VENVS.mkdir(parents=True, exist_ok=True)
    python = requires_python(tree)
    record = {"venv": str(venv), "python": python, "ok": False, "reason": None, "installed": {}, "requested": []}
    env = dict(os.environ, SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt", UV_NATIVE_TLS="1")
    start = time.time()
    try:
        subprocess.run([str(uv()), "venv", "--quiet", "--python", PYTHONS[python], str(venv)], check=True,
                       capture_output=True, text=True, env=env, timeout=120)
        with tempfile.TemporaryDirectory(prefix="oracle-wheel-") as tmp:
            if corpus.filename.endswith(".whl"):
                artifact = str(repack_wheel(tree, corpus, Path(tmp)))
            else:  # an sdist: its unpacked source folder builds
                inner = [p for p in tree.iterdir() if p.is_dir()]
                artifact = str(inner[0] if len(inner) == 1 else tree)
            requested = [artifact, "psycopg[binary]", "django"]  # some apps leave Django out of their requirements
            if corpus.name != "djangorestframework" and mentions(tree, "rest_framework"):
                requested.append("djangorestframework")
            record["requested"] = [Path(requested[0]).name, *requested[1:]]
            overrides = []
            if corpus.oracle_skip:  # uv's way to drop a dependency: an override whose marker never holds
                skip = Path(tmp) / "skip.txt"
                skip.write_text("".join(f"{name} ; sys_platform == 'never'\n" for name in corpus.oracle_skip))
                overrides = ["--override", str(skip)]
                record["skipped"] = list(corpus.oracle_skip)
            proc = subprocess.run(
                [str(uv()), "pip", "install", "--python", str(venv / "bin" / "python"), *overrides, *requested],
                capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT,
            )
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
            record["reason"] = " | ".join(lines[-6:])[:800]
        else:
            freeze = subprocess.run([str(uv()), "pip", "freeze", "--python", str(venv / "bin" / "python")],
                                    capture_output=True, text=True, env=env, timeout=120)
            record["installed"] = dict(
                ln.split("==", 1) for ln in freeze.stdout.splitlines() if "==" in ln
            )
            record["ok"] = True
    except subprocess.TimeoutExpired:
        record["reason"] = f"install timed out after {INSTALL_TIMEOUT} s"
    except subprocess.CalledProcessError as exc:
        record["reason"] = f"venv creation failed: {(exc.stderr or '').strip()[-300:]}"
    record["seconds"] = round(time.time() - start, 1)
    venv.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(record, indent=1))
    return record


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3.*/site-packages"))


# --- Django's side ------------------------------------------------------------------------------


def run_probe(venv: Path, args: list[str], timeout: int = 600) -> dict:
    env = dict(os.environ, **ENV)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.run([str(venv / "bin" / "python"), str(PROBE), *args], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return {"ok": False, "stage": "timeout", "error": f"probe timed out after {timeout} s", "app": None}
    lines = proc.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"ok": False, "stage": "crash", "error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:400],
                "app": None}
    result["stderr_tail"] = proc.stderr[-3000:]
    return result


SETTINGS_VALUE = re.compile(r"""^\s*(AUTH_USER_MODEL|DEFAULT_AUTO_FIELD)\s*=\s*["']([\w.]+)["']""", re.MULTILINE)


def settings_hints(tree: Path) -> dict[str, list[tuple[str, str]]]:
    """AUTH_USER_MODEL / DEFAULT_AUTO_FIELD assignments in the corpus's settings-like files."""
    hints: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(tree.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "AUTH_USER_MODEL" not in text and "DEFAULT_AUTO_FIELD" not in text:
            continue
        for key, value in SETTINGS_VALUE.findall(text):
            hints.setdefault(key, []).append((value, path.relative_to(tree).as_posix()))
    return hints


def settings_candidates(tree: Path, packages: list[str]) -> list[str]:
    found = []
    base = package_base(tree)
    for package in packages:
        for path in sorted((base / package).rglob("*.py")):
            rel = path.relative_to(base)
            parts = rel.with_suffix("").parts
            if "migrations" in parts or "project_template" in parts:
                continue
            if parts[-1].startswith("settings") or (parts[-1] == "__init__" and parts[-2] == "settings") or (
                    len(parts) > 1 and parts[-2] == "settings"):
                if not re.search(r"^INSTALLED_APPS\s*=", path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE):
                    continue
                module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                test = any(p in ("tests", "test", "testing") or "test" in p for p in parts)
                found.append((test, module.count("."), module))
    return [m for _, _, m in sorted(set(found))][:3]


def pick_app(label: str, apps: list[dict], installed: list[str]) -> str | None:
    options = [a for a in apps if a["label"] == label and a["module"] not in installed]
    options.sort(key=lambda a: (not a["own"], not a["migrations"], a["module"].count("."), a["module"]))
    return options[0]["module"] if options else None


def app_for_module(module: str, apps: list[dict], installed: list[str]) -> str | None:
    options = [a for a in apps if module.startswith(a["module"] + ".") and a["module"] not in installed]
    options.sort(key=lambda a: -len(a["module"]))
    if options:
        return options[0]["module"]
    package = module.rsplit(".models", 1)[0] if ".models" in module else module.rsplit(".", 1)[0]
    return package if package and package not in installed else None


FIXES = [
    (re.compile(r"Model class ([\w.]+)\.\w+ doesn't declare an explicit app_label"), "module"),
    (re.compile(r"No installed app with label '(\w+)'"), "label"),
    (re.compile(r"Dependency on app with no migrations: (\w+)"), "label"),
    (re.compile(r"Related model '(\w+)\.\w+' cannot be resolved"), "label"),
    (re.compile(r"nonexistent parent node \('(\w+)',"), "label"),
    (re.compile(r"refers to model '(\w+)\.\w+' that has not been installed"), "label"),
    (re.compile(r"App '(\w+)' doesn't have a"), "label"),
    (re.compile(r"Lookup failed for model referenced by field [\w.]+: (\w+)\.\w+"), "label"),
    (re.compile(r"field [\w.]+ was declared with a lazy reference to '(\w+)\.\w+'"), "label"),
]
MISSING_SETTING = re.compile(r"'Settings' object has no attribute '(\w+)'")
MIDDLEWARE_NEEDED = re.compile(r"([\w.]+) must be (?:added to|in) settings\.MIDDLEWARE")
LEGACY_MODULE = re.compile(r"No module named '(distutils|pkg_resources)'")
DUPLICATE = re.compile(r"Application labels aren't unique, duplicates: (\w+)")


def entry_matches(entry: str, module: str) -> bool:
    return entry == module or entry.startswith(module + ".apps.") or entry.startswith(module + ".") and "Config" in entry


def next_config(config: dict, result: dict, apps: list[dict], own_modules: set[str], defaults=None) -> tuple[dict | None, str]:
    """The next attempt's config after a failure, and what changed; None when nothing helps."""
    error = result.get("error") or ""
    key = "add" if config["mode"] == "project" else "installed_apps"
    current = list(config.get("add", [])) + list(result.get("installed_apps") or config.get("installed_apps", []))
    missing = MISSING_SETTING.search(error)
    if missing and defaults is not None:
        module = defaults(missing.group(1))
        if module and module not in config.get("settings_imports", []):
            new = dict(config, settings_imports=[*config.get("settings_imports", []), module])
            return new, f"import the defaults of {module} ({missing.group(1)})"
    middleware = MIDDLEWARE_NEEDED.search(error)
    if middleware and middleware.group(1) not in config.get("middleware", []):
        new = dict(config, middleware=[*config.get("middleware", []), middleware.group(1)])
        return new, f"add middleware {middleware.group(1)}"
    dup = DUPLICATE.search(error)
    if dup:
        label = dup.group(1)
        runtime = result.get("entry_labels") or {}
        same = [e for e in config.get(key, []) if runtime.get(e) == label
                or e not in runtime and any(a["label"] == label and entry_matches(e, a["module"]) for a in apps)]
        same.sort(key=lambda e: (not any(entry_matches(e, m) for m in own_modules), "test" in e or "sandbox" in e,
                                 e.count(".")))
        drop = same[-1] if same else None
        if drop:
            new = dict(config, **{key: [e for e in config[key] if e != drop]})
            new["dropped"] = [*config.get("dropped", []), {"app": drop, "reason": f"label {label} also used by {same[0]}"}]
            return new, f"drop duplicate label {label}: {drop} (kept {same[0]})"
    dropped = {d["app"] for d in config.get("dropped", [])}
    for pattern, kind in FIXES:
        match = pattern.search(error)
        if not match:
            continue
        module = (pick_app(match.group(1), apps, current) if kind == "label"
                  else app_for_module(match.group(1), apps, current))
        if module and module not in current and module not in dropped:  # never re-add: no add/drop cycles
            new = dict(config, **{key: [*config.get(key, []), module]})
            return new, f"add {module} ({error[:120]})"
        break
    failing = result.get("app")
    in_app = re.search(r" in app '?(\w+)'?", error)
    if not failing and in_app and result.get("stage") == "autodetector":
        failing = next((a["module"] for a in apps if a["label"] == in_app.group(1) and a["module"] in current), None)
    if failing:
        entries = config.get("installed_apps", []) + config.get("add", [])
        drop = next((e for e in entries if entry_matches(e, failing) or e == failing), None)
        if drop is not None:
            new = dict(config)
            if config["mode"] == "project" and drop not in config.get("installed_apps", []):
                new["add"] = [e for e in config["add"] if e != drop]
            elif config["mode"] == "project":
                pass
            else:
                new["installed_apps"] = [e for e in config["installed_apps"] if e != drop]
            new["dropped"] = [*config.get("dropped", []), {"app": drop, "reason": error[:300]}]
            return new, f"drop {drop}: {error[:150]}"
        if config["mode"] == "project" and failing not in config.get("remove", []):
            new = dict(config, remove=[*config.get("remove", []), failing])
            new["dropped"] = [*config.get("dropped", []), {"app": failing, "reason": error[:300]}]
            return new, f"remove {failing} from the project's INSTALLED_APPS: {error[:150]}"
    return None, error


def judge_with(venv: Path, config: dict, apps: list[dict], own_modules: set[str], trail: list[str],
               attempts: int = ATTEMPTS, budget: float = 600, defaults=None) -> tuple[dict, dict]:
    result: dict = {}
    errors: list = []
    deadline = time.time() + budget
    for attempt in range(attempts):
        if time.time() > deadline:
            trail.append(f"attempt {attempt + 1}: time budget of {budget:.0f} s spent")
            break
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(config, handle)
        try:
            result = run_probe(venv, ["judge", handle.name], timeout=300)
        finally:
            os.unlink(handle.name)
        if result.get("ok"):
            trail.append(f"attempt {attempt + 1}: ok")
            return result, config
        if LEGACY_MODULE.search(result.get("error") or "") and not config.get("setuptools"):
            # distutils / pkg_resources left the stdlib (3.12) and uv venvs carry no setuptools
            env = dict(os.environ, SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt", UV_NATIVE_TLS="1")
            subprocess.run([str(uv()), "pip", "install", "--python", str(venv / "bin" / "python"), "setuptools<81"],
                           capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT)
            trail.append(f"attempt {attempt + 1}: {result.get('error')} -> installed setuptools")
            config = dict(config, setuptools=True)
            continue
        new, change = next_config(config, result, apps, own_modules, defaults)
        errors.append(result.get("error"))
        if len(errors) >= 4 and len(set(errors[-4:])) == 1:
            new, change = None, "the same error four times: given up"
        log(f"  attempt {attempt + 1}: {(result.get('error') or '')[:120]} -> {change[:120] if new else 'no fix'}")
        trail.append(f"attempt {attempt + 1}: {result.get('stage')}: {(result.get('error') or '')[:200]} -> "
                     + (change if new else "no fix"))
        if new is None:
            break
        config = new
    return result, config


def django_side(corpus, tree: Path, venv: Path, packages: list[str]) -> dict:
    if not Path(PULP_KEY).exists():
        import base64

        Path(PULP_KEY).parent.mkdir(parents=True, exist_ok=True)
        Path(PULP_KEY).write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
    discovered = run_probe(venv, ["discover", *packages])
    apps = discovered.get("apps", [])
    own = [a for a in apps if a["own"]]
    own_modules = {a["module"] for a in own}
    hints = settings_hints(tree)
    labels = {a["label"] for a in apps}
    auth_user_model = next((v for v, _ in hints.get("AUTH_USER_MODEL", []) if v.split(".")[0] in labels
                            and v != "auth.User"), None)
    auto_field = next((v for v, _ in hints.get("DEFAULT_AUTO_FIELD", [])), None)
    database = POSTGRES_DB if discovered.get("postgres") else SQLITE_DB
    trail: list[str] = []

    def defaults(name: str) -> str | None:
        """The corpus module that assigns setting ``name`` at top level (oscar.defaults and the like)."""
        pattern = re.compile(rf"^{name}\s*=", re.MULTILINE)
        found = []
        base = package_base(tree)
        for path in (p for package in packages for p in (base / package).rglob("*.py")):
            rel = path.relative_to(base)
            if "migrations" in rel.parts or any("test" in p or "example" in p or "sandbox" in p for p in rel.parts):
                continue
            try:
                if pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                    found.append(rel.with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__"))
            except OSError:
                continue
        found.sort(key=lambda m: ("default" not in m.rsplit(".", 1)[-1] and "conf" not in m, m.count("."), m))
        return found[0] if found else None

    base = {"packages": packages, "database": database, "env": dict(ENV, **PROJECT_ENV.get(corpus.name, {})), "auth_user_model": auth_user_model,
            "drf": True, "roots": discovered.get("roots", [])}
    out = {"settings": None, "trail": trail, "own_apps_found": sorted(own_modules),
           "auth_user_model_hint": auth_user_model, "default_auto_field_hint": auto_field}
    # 1. the project's own settings, when one imports
    best = None
    for module in settings_candidates(tree, packages):
        config = dict(base, mode="project", project_settings=module, add=[], remove=[], auth_user_model=None)
        trail.append(f"project settings {module}")
        result, config = judge_with(venv, config, apps, own_modules, trail, attempts=8, budget=180, defaults=defaults)
        if result.get("ok") and result.get("labels"):
            if not config.get("remove"):
                out.update(settings=f"project:{module}", result=result, config=config)
                return out
            best = best or (module, result, config)  # lost some of its apps: generated settings may do better
    # 2. generated settings
    seen_labels: set[str] = set()
    installed: list[str] = []
    for module in BASE_APPS + sorted(own_modules, key=lambda m: (m.count("."), m)):
        label = next((a["label"] for a in apps if a["module"] == module), module.rsplit(".", 1)[-1])
        if label in seen_labels:
            continue
        seen_labels.add(label)
        installed.append(module)
    if discovered.get("postgres") and "django.contrib.postgres" not in installed and mentions(tree, "django.contrib.postgres"):
        installed.insert(len(BASE_APPS), "django.contrib.postgres")
    config = dict(base, mode="generated", installed_apps=installed, default_auto_field=auto_field)
    trail.append("generated settings")
    result, config = judge_with(venv, config, apps, own_modules, trail, defaults=defaults)
    if not result.get("ok") and database is POSTGRES_DB and "psycopg" in (result.get("error") or ""):
        config = dict(config, database=SQLITE_DB)
        trail.append("sqlite fallback")
        result, config = judge_with(venv, config, apps, own_modules, trail, defaults=defaults)
    if best and len(best[1].get("labels") or {}) >= len(result.get("labels") or {}):
        out.update(settings=f"project:{best[0]}", result=best[1], config=best[2])
        return out
    out.update(settings="generated", result=result, config=config)
    return out


# --- djstate's side -----------------------------------------------------------------------------


def scan_dir(corpus, sp: Path, packages: list[str]) -> Path:
    """A folder of links to the corpus's installed packages: djstate scans exactly those files."""
    folder = WORK / "scan" / corpus.dirname
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for package in packages:
        (folder / package).symlink_to(sp / package, target_is_directory=True)
    return folder


def djstate_scan(folder: Path, sp: Path | None, auth_user_model: str | None) -> dict:
    cmd = [str(DJSTATE_PYTHON), "-m", "djstate.cli", "scan", str(folder), "--format", "json", "--fail-on", "error"]
    if sp is not None:
        cmd += ["--site-packages", str(sp)]
    if auth_user_model:
        cmd += ["--auth-user-model", auth_user_model]
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=1200)
    if proc.returncode not in (0, 1):
        return {"ok": False, "error": proc.stderr.strip()[-1500:], "seconds": round(time.time() - start, 1)}
    data = json.loads(proc.stdout)
    return {"ok": True, "findings": data["findings"], "stats": data["stats"], "seconds": round(time.time() - start, 1)}


def finding_operations(finding: dict) -> list[tuple[str, str, str, str | None]]:
    match = OPERATION.search(finding["message"])
    if not match:
        return []
    return [(finding.get("app") or "", name, (finding.get("model") or "").lower(), finding.get("field"))
            for name in match.group(1).split("+")]


# --- comparison ---------------------------------------------------------------------------------


def source_lines(folder: Path, path: str, line: int, context: int = 1) -> str:
    try:
        lines = (folder / path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    lo, hi = max(0, line - 1 - context), min(len(lines), line + context)
    return "\n".join(f"{i + 1}: {lines[i]}" for i in range(lo, hi))


def compare_drift(django: dict, scan: dict, folder: Path) -> dict:
    labels = set(django.get("labels") or {})
    theirs = {}
    for row in django.get("operations", []):
        theirs.setdefault((row["app"], row["op"], row["model"], row["field"]), row)
    ours: dict = {}
    not_judged = []
    for finding in scan.get("findings", []):
        if finding["code"] not in DRIFT_CODES:
            continue
        ops = finding_operations(finding)
        if not ops:
            not_judged.append({"finding": finding, "why": "no operation in the message"})
            continue
        for op in ops:
            if op[0] not in labels:
                not_judged.append({"finding": finding, "why": f"app {op[0]} not loaded by Django"})
                continue
            ours.setdefault(op, finding)
    agreed = sorted(set(theirs) & set(ours), key=str)
    mine_only = sorted(set(ours) - set(theirs), key=str)
    their_only = sorted(set(theirs) - set(ours), key=str)
    disagreements = []
    for key in mine_only:
        f = ours[key]
        disagreements.append({
            "kind": "djstate-only", "app": key[0], "operation": key[1], "model": key[2], "field": key[3],
            "severity": f["severity"], "code": f["code"], "message": f["message"], "path": f["path"], "line": f["line"],
            "source": source_lines(folder, f["path"], f["line"]),
        })
    for key in their_only:
        row = theirs[key]
        near = [f for f in scan.get("findings", []) if (f.get("app") == key[0] and (f.get("model") or "").lower() == key[2])]
        disagreements.append({
            "kind": "django-only", "app": key[0], "operation": key[1], "model": key[2], "field": key[3],
            "describe": row.get("describe"), "detail": row.get("detail"),
            "djstate_nearby": [f"{f['code']} {f['severity']} {f['path']}:{f['line']} {f['message']}" for f in near][:5],
        })
    return {
        "django_operations": len(theirs), "djstate_operations": len(ours), "agreed": len(agreed),
        "agreed_list": [list(k) for k in agreed],
        "djstate_only_errors": sum(1 for k in mine_only if ours[k]["severity"] == "error"),
        "djstate_only_warnings": sum(1 for k in mine_only if ours[k]["severity"] != "error"),
        "django_only": len(their_only), "disagreements": disagreements,
        "not_judged": [{"code": n["finding"]["code"], "app": n["finding"].get("app"), "why": n["why"],
                        "message": n["finding"]["message"]} for n in not_judged],
    }


def compare_graph(django: dict, scan: dict, folder: Path) -> dict:
    """djstate's other error findings (graph, replay) in apps Django loaded: Django's MigrationLoader built
    that graph and its state without complaint, so each is a disagreement; DJS101 is compared with
    loader.detect_conflicts()."""
    labels = set(django.get("labels") or {})
    conflicts = set(django.get("conflicts") or {})
    ours_conflicts = set()
    disagreements = []
    for f in scan.get("findings", []):
        if f["severity"] != "error" or f["code"] in DRIFT_CODES or f["code"].startswith("DJS4"):
            continue
        if f.get("app") not in labels:
            continue
        if f["code"] == "DJS101":
            ours_conflicts.add(f["app"])
            if f["app"] in conflicts:
                continue
        disagreements.append({"kind": "djstate-only", "app": f.get("app"), "code": f["code"], "message": f["message"],
                              "path": f["path"], "line": f["line"], "model": f.get("model"), "field": f.get("field"),
                              "source": source_lines(folder, f["path"], f["line"])})
    for app in sorted(conflicts & labels - ours_conflicts):
        disagreements.append({"kind": "django-only", "app": app, "code": "DJS101",
                              "message": f"Django's detect_conflicts(): {django['conflicts'][app]}"})
    return {"django_conflicts": sorted(conflicts & labels), "djstate_conflicts": sorted(ours_conflicts),
            "djstate_only_errors": sum(1 for d in disagreements if d["kind"] == "djstate-only"),
            "django_only": sum(1 for d in disagreements if d["kind"] == "django-only"), "disagreements": disagreements}


def compare_drf(django: dict, scan: dict, folder: Path) -> dict:
    drf = django.get("drf") or {}
    if not drf.get("available"):
        return {"available": False, "reason": drf.get("error")}
    # bases: no Meta.model, or an abstract Meta.model (DRF refuses those; subclasses set a concrete one)
    checked = [s for s in drf["serializers"] if not s["abstract"]
               and "with Abstract Models" not in ((s.get("error") or {}).get("message") or "")]
    skipped_abstract = len(drf["serializers"]) - len(checked)
    # the serializer's own __init__ failed (a context key like 'event', a required argument): DRF never
    # got to judge its fields
    not_instantiable = [s for s in checked if s["error"] and (
        s["error"].get("instantiate") or "__init__() missing" in s["error"]["message"])]
    judged = [s for s in checked if s not in not_instantiable]
    by_path: dict[str, list[dict]] = {}
    for s in drf["serializers"]:
        if s["path"] and s["lines"]:
            by_path.setdefault(s["path"], []).append(s)
    errors_of: dict[str, list[dict]] = {}
    unmatched = []
    for f in scan.get("findings", []):
        if not f["code"].startswith("DJS4") or f["severity"] != "error":
            continue
        spans = [s for s in by_path.get(f["path"], []) if s["lines"][0] <= f["line"] <= s["lines"][1]]
        if not spans:
            unmatched.append(f)
            continue
        inner = min(spans, key=lambda s: s["lines"][1] - s["lines"][0])
        errors_of.setdefault(inner["class"], []).append(f)
    rejected = {s["class"]: s for s in judged if s["error"]}
    flagged = {c for c in errors_of if c in {s["class"] for s in judged}}
    disagreements = []
    for cls in sorted(set(rejected) - flagged):
        s = rejected[cls]
        disagreements.append({"kind": "drf-only", "serializer": cls, "path": s["path"], "lines": s["lines"],
                              "drf_error": s["error"]})
    for cls in sorted(flagged - set(rejected)):
        for f in errors_of[cls]:
            disagreements.append({"kind": "djstate-only", "serializer": cls, "code": f["code"], "message": f["message"],
                                  "path": f["path"], "line": f["line"], "source": source_lines(folder, f["path"], f["line"])})
    for f in unmatched:
        disagreements.append({"kind": "djstate-unmatched", "serializer": None, "code": f["code"], "message": f["message"],
                              "path": f["path"], "line": f["line"]})
    return {
        "available": True, "modules_imported": drf["modules"], "import_failures": len(drf["import_failures"]),
        "import_failure_list": drf["import_failures"][:50], "checked": len(judged), "abstract_skipped": skipped_abstract,
        "not_instantiable": len(not_instantiable), "rejected": len(rejected), "djstate_errors": len(flagged),
        "agreed": len(set(rejected) & flagged), "disagreements": disagreements,
    }


# --- one corpus ---------------------------------------------------------------------------------


def djstate_key() -> dict:
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT).stdout

    commit = git("rev-parse", "HEAD").strip()
    tree = git("rev-parse", "HEAD:djstate").strip()
    dirty = git("diff", "HEAD", "--", "djstate")
    untracked = git("ls-files", "--others", "--exclude-standard", "djstate").split()
    extra = "".join(Path(ROOT / u).read_text(errors="replace") for u in untracked if (ROOT / u).is_file())
    return {"commit": commit, "key": sha(tree + dirty + extra), "dirty": bool(dirty or untracked)}


def run_corpus(corpus, held: bool, dj_key: dict, force: bool, force_venv: bool, compare_plain: bool) -> dict:
    result_path = WORK / "results" / f"{corpus.dirname}.json"
    cached = json.loads(result_path.read_text()) if result_path.exists() else {}
    probe_key = sha(PROBE.read_bytes() + SETTINGS_LOGIC.encode())
    out = {"name": corpus.name, "version": corpus.version, "held_out": held}
    try:
        tree = fetch.ensure(corpus.name)
    except Exception as exc:  # noqa: BLE001 - reported per corpus
        out.update(fetched=False, loaded=False, reason=f"fetch failed: {str(exc).splitlines()[0][:300]}")
        return out
    packages = top_level_packages(tree)
    out["packages"] = packages
    venv_record = ensure_venv(corpus, tree, force_venv)
    out["venv"] = {k: venv_record.get(k) for k in ("python", "ok", "reason", "requested", "seconds")}
    out["django_version"] = venv_record.get("installed", {}).get("Django") or venv_record.get("installed", {}).get("django")
    if not venv_record["ok"]:
        out.update(loaded=False, reason=f"install failed: {venv_record['reason']}")
        return out
    venv = Path(venv_record["venv"])
    sp = site_packages(venv)
    venv_key = sha(json.dumps(venv_record.get("installed"), sort_keys=True))
    if not force and cached.get("django_key") == [probe_key, venv_key]:
        side = cached["django_side"]
    else:
        log(f"{corpus.name}: Django judges")
        side = django_side(corpus, tree, venv, packages)
        cached = {"django_key": [probe_key, venv_key], "django_side": side}
    result = side.get("result") or {}
    loaded = bool(result.get("ok"))
    out["django_version"] = result.get("django") or out["django_version"]
    out.update(loaded=loaded, settings=side.get("settings"), trail=side.get("trail"),
               labels=result.get("labels"), conflicts=result.get("conflicts"), unmigrated=result.get("unmigrated"),
               dropped=(side.get("config") or {}).get("dropped", []),
               auth_user_model=result.get("auth_user_model"))
    if not loaded:
        out["reason"] = f"{result.get('stage')}: {(result.get('error') or '')[:300]}"
    folder = scan_dir(corpus, sp, packages)
    aum = result.get("auth_user_model") if loaded and result.get("auth_user_model") != "auth.User" else None
    # the DEFAULT_AUTO_FIELD the generated settings gave Django, told to djstate the documented way
    auto = (side.get("config") or {}).get("default_auto_field") if side.get("settings") == "generated" else None
    if auto:
        (folder / "pyproject.toml").write_text(f'[tool.djstate]\ndefault_auto_field = "{auto}"\n')
    out["default_auto_field"] = auto
    if not force and cached.get("djstate_key") == [dj_key["key"], probe_key, venv_key, aum, auto] and (
            "without_site_packages" in cached.get("djstate_scans", {}) or not compare_plain):
        scans = cached["djstate_scans"]
    else:
        log(f"{corpus.name}: djstate scans")
        scans = {"with_site_packages": djstate_scan(folder, sp, aum)}
        if compare_plain:
            scans["without_site_packages"] = djstate_scan(folder, None, aum)
        cached.update(djstate_key=[dj_key["key"], probe_key, venv_key, aum, auto], djstate_scans=scans)
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(cached, default=str))
    main_scan = scans["with_site_packages"]
    out["djstate_ok"] = main_scan.get("ok")
    if not main_scan.get("ok"):
        out["djstate_error"] = main_scan.get("error")
        return out
    findings = main_scan["findings"]
    out["djstate_seconds"] = main_scan["seconds"]
    out["warnings_total"] = sum(1 for f in findings if f["severity"] == "warning")
    out["errors_total"] = sum(1 for f in findings if f["severity"] == "error")
    out["findings_by_code"] = dict(sorted(
        {f"{c}/{s}": sum(1 for f in findings if f["code"] == c and f["severity"] == s)
         for c, s in {(f["code"], f["severity"]) for f in findings}}.items()))
    other = scans.get("without_site_packages") or {}
    if not other:
        pass
    elif other.get("ok"):
        key = lambda f: (f["code"], f["path"], f["line"], f["message"])  # noqa: E731
        a, b = {key(f) for f in findings}, {key(f) for f in other["findings"]}
        out["without_site_packages"] = {"findings": len(other["findings"]), "only_with": len(a - b), "only_without": len(b - a),
                                        "only_without_list": [f"{k[0]} {k[1]}:{k[2]} {k[3]}" for k in sorted(b - a)][:20],
                                        "only_with_list": [f"{k[0]} {k[1]}:{k[2]} {k[3]}" for k in sorted(a - b)][:20]}
    else:
        out["without_site_packages"] = {"error": other.get("error", "")[-300:]}
    if loaded:
        out["drift"] = compare_drift(result, main_scan, folder)
        out["drf"] = compare_drf(result, main_scan, folder)
        out["graph"] = compare_graph(result, main_scan, folder)
    return out


def recompare(corpus, entry: dict) -> dict:
    """Redo the comparisons of a corpus from its cached Django and djstate results (no new runs)."""
    path = WORK / "results" / f"{corpus.dirname}.json"
    if not entry.get("loaded") or not path.exists():
        return entry
    cached = json.loads(path.read_text())
    result = (cached.get("django_side") or {}).get("result") or {}
    scan = (cached.get("djstate_scans") or {}).get("with_site_packages") or {}
    if not result.get("ok") or not scan.get("ok"):
        return entry
    folder = WORK / "scan" / corpus.dirname
    return dict(entry, drift=compare_drift(result, scan, folder), drf=compare_drf(result, scan, folder),
                graph=compare_graph(result, scan, folder))


# --- the report ---------------------------------------------------------------------------------


def cell(value) -> str:
    return "–" if value is None else str(value)


def render_markdown(data: dict) -> str:
    rows = [
        "| corpus | held out | Django | loaded | settings | DJS21x agreed | djstate-only errors | djstate-only warnings "
        "| Django-only | other djstate errors (graph, state) | DRF checked | DRF rejected | DJS4xx errors | DJS4xx agreed | warnings total |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in data["corpora"]:
        drift, drf = c.get("drift") or {}, c.get("drf") or {}
        loaded = "yes" if c.get("loaded") else f"no: {(c.get('reason') or '').replace('|', '/')[:90]}"
        dropped_apps = sorted({d["app"] for d in c.get("dropped") or []})
        if c.get("loaded") and dropped_apps:
            loaded = f"partly: {len(c.get('labels') or {})} apps; left out {', '.join(dropped_apps)[:120]}"
        rows.append(
            f"| {c['name']} {c['version']} | {'yes' if c.get('held_out') else 'no'} | {cell(c.get('django_version'))} "
            f"| {loaded} | {cell(c.get('settings'))} | {cell(drift.get('agreed'))} | {cell(drift.get('djstate_only_errors'))} "
            f"| {cell(drift.get('djstate_only_warnings'))} | {cell(drift.get('django_only'))} "
            f"| {cell((c.get('graph') or {}).get('djstate_only_errors'))} "
            f"| {cell(drf.get('checked'))} | {cell(drf.get('rejected'))} | {cell(drf.get('djstate_errors'))} "
            f"| {cell(drf.get('agreed'))} | {cell(c.get('warnings_total'))} |"
        )
    totals = data["totals"]
    lines = [
        START,
        "## Wide oracle",
        "",
        f"Generated by `make oracle-wide` (tools/oracle_wide.py) on {data['generated']} for djstate "
        f"{data['djstate']['commit'][:10]}{' (uncommitted changes)' if data['djstate']['dirty'] else ''}; "
        "the full data, with every disagreement, is docs/data/oracle-wide.json.",
        "",
        "Each corpus is installed from its pinned artifact, with its dependencies, into its own venv, and Django "
        "itself judges it: `MigrationAutodetector(...).changes(trim_to_apps=<the corpus's app labels>)`, what "
        "`makemigrations --dry-run` would write, and DRF binds `.fields` of every ModelSerializer the corpus "
        "defines. djstate scans the same installed files (`--site-packages` the venv's). An operation both "
        "report is *agreed* (a released project with pending changes is fine when djstate says so too); "
        "*djstate-only* is a false positive, *Django-only* a false negative. Apps Django could not load are "
        "not judged (their findings are listed under `not_judged` in the JSON).",
        "",
        f"Totals over {totals['corpora']} corpora ({totals['loaded']} loaded by Django): DJS21x agreed "
        f"{totals['agreed']}, djstate-only {totals['djstate_only_errors']} errors + {totals['djstate_only_warnings']} "
        f"warnings, Django-only {totals['django_only']}; DRF checked {totals['drf_checked']} serializers, rejected "
        f"{totals['drf_rejected']}, djstate errors on {totals['drf_djstate_errors']}, agreed {totals['drf_agreed']}.",
        "",
        *rows,
        "",
        "### Disagreements",
        "",
    ]
    any_listed = False
    for c in data["corpora"]:
        for d in (c.get("drift") or {}).get("disagreements", []):
            any_listed = True
            where = f"{d['app']}.{d['model']}" + (f".{d['field']}" if d.get("field") else "")
            if d["kind"] == "djstate-only":
                lines.append(f"- **{c['name']}** {where}: djstate-only {d['operation']} ({d['code']} {d['severity']}, "
                             f"`{d['path']}:{d['line']}`): {d['message']}")
            else:
                detail = d.get("detail") or {}
                extra = f" (old `{detail['old']}`, new `{detail.get('new')}`)" if detail.get("old") else (
                    f" (new `{detail['new'][:200]}`)" if detail.get("new") else "")
                lines.append(f"- **{c['name']}** {where}: Django-only {d['operation']}: {d.get('describe')}{extra}")
        for d in (c.get("graph") or {}).get("disagreements", []):
            any_listed = True
            where = f"`{d['path']}:{d['line']}`" if d.get("path") else ""
            lines.append(f"- **{c['name']}** app {d['app']}: {d['kind']} {d['code']} {where}: {d['message']}")
        for d in (c.get("drf") or {}).get("disagreements", []):
            any_listed = True
            if d["kind"] == "drf-only":
                e = d["drf_error"]
                lines.append(f"- **{c['name']}** serializer `{d['serializer']}` (`{d['path']}:{d['lines'][0]}`): "
                             f"DRF-only rejection {e['type']}: {e['message'][:200]}")
            else:
                lines.append(f"- **{c['name']}** serializer `{d['serializer']}`: {d['kind']} {d['code']} "
                             f"(`{d['path']}:{d['line']}`): {d['message']}")
    if not any_listed:
        lines.append("None.")
    not_loaded = [c for c in data["corpora"] if not c.get("loaded")]
    lines += ["", "### Corpora Django could not load", ""]
    lines += [f"- {c['name']} {c['version']}: {c.get('reason')}" for c in not_loaded] or ["None."]
    dropped = [(c["name"], d) for c in data["corpora"] for d in c.get("dropped") or []]
    if dropped:
        lines += ["", "Apps left out of INSTALLED_APPS because Django could not load them (not judged):", ""]
        lines += [f"- {name}: `{d['app']}`: {d['reason'][:200]}" for name, d in dropped]
    lines.append(END)
    return "\n".join(lines) + "\n"


def totals(corpora: list[dict]) -> dict:
    t = {"corpora": len(corpora), "loaded": sum(1 for c in corpora if c.get("loaded"))}
    for key, src, field in [("agreed", "drift", "agreed"), ("djstate_only_errors", "drift", "djstate_only_errors"),
                            ("djstate_only_warnings", "drift", "djstate_only_warnings"), ("django_only", "drift", "django_only"),
                            ("drf_checked", "drf", "checked"), ("drf_rejected", "drf", "rejected"),
                            ("drf_djstate_errors", "drf", "djstate_errors"), ("drf_agreed", "drf", "agreed")]:
        t[key] = sum((c.get(src) or {}).get(field) or 0 for c in corpora)
    return t


def write_docs(corpora: list[dict], dj_key: dict) -> None:
    data = {"generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "djstate": dj_key, "totals": totals(corpora), "corpora": corpora}
    JSON_OUT.parent.mkdir(parents=True, exist_ok=True)
    JSON_OUT.write_text(json.dumps(data, indent=1, default=str) + "\n")
    section = render_markdown(data)
    text = ACCURACY.read_text() if ACCURACY.exists() else "# Accuracy\n\nHow djstate's findings compare with what Django and DRF themselves say.\n\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    ACCURACY.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="corpora to run (default: all in the manifest)")
    ap.add_argument("--force", action="store_true", help="recompute cached per-corpus results")
    ap.add_argument("--force-venv", action="store_true", help="rebuild the venvs too")
    ap.add_argument("--without-site-packages", action="store_true",
                    help="also scan without --site-packages and record how the findings differ")
    ap.add_argument("--report-only", action="store_true",
                    help="no new runs: redo the comparisons from the cached results and re-render the docs")
    args = ap.parse_args(argv)
    corpora = fetch.load_manifest()
    held = held_out()
    wanted = set(args.names) or {c.name for c in corpora}
    unknown = wanted - {c.name for c in corpora}
    if unknown:
        print(f"unknown corpora: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    dj_key = djstate_key()
    previous = {}
    if JSON_OUT.exists():
        try:
            previous = {c["name"]: c for c in json.loads(JSON_OUT.read_text())["corpora"]}
        except (ValueError, KeyError):
            previous = {}
    results = []
    position = {name: i for i, name in enumerate(args.names)}  # the order asked for, else the manifest's
    for corpus in sorted(corpora, key=lambda c: position.get(c.name, -1)):
        if corpus.name not in wanted or args.report_only:
            if corpus.name in previous and previous[corpus.name].get("version") == corpus.version:
                results.append(recompare(corpus, previous[corpus.name]) if args.report_only else previous[corpus.name])
            continue
        start = time.time()
        log(f"{corpus.name} {corpus.version}")
        try:
            out = run_corpus(corpus, held.get(corpus.name, False), dj_key, args.force, args.force_venv,
                             args.without_site_packages)
        except Exception as exc:  # noqa: BLE001 - one corpus must not stop the others
            import traceback

            traceback.print_exc()
            out = {"name": corpus.name, "version": corpus.version, "held_out": held.get(corpus.name, False),
                   "loaded": False, "reason": f"oracle_wide crashed: {type(exc).__name__}: {exc}"}
        out["held_out"] = held.get(corpus.name, False)
        out["seconds"] = round(time.time() - start, 1)
        drift = out.get("drift") or {}
        log(f"{corpus.name}: loaded={out.get('loaded')} agreed={drift.get('agreed')} "
            f"djstate-only={drift.get('djstate_only_errors')}e/{drift.get('djstate_only_warnings')}w "
            f"django-only={drift.get('django_only')} {out.get('reason') or ''}")
        results.append(out)
        write_docs(results + [p for n, p in previous.items() if n not in {r["name"] for r in results}
                              and n not in wanted and n in {c.name for c in corpora}], dj_key)
    order = {c.name: i for i, c in enumerate(corpora)}
    results.sort(key=lambda c: order.get(c["name"], 1 << 30))
    write_docs(results, dj_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
