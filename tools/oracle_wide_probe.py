"""Runs INSIDE a corpus's oracle venv (tools/oracle_wide.py starts it): Django and DRF judge it.

Two modes, each prints one JSON object on stdout (tracebacks go to stderr):

    python oracle_wide_probe.py discover PKG [PKG ...]
        No Django import. Every app found in site-packages: {"apps": [{"module", "label",
        "own", "migrations"}], "postgres": bool}. "own" apps live below one of the corpus's
        top-level packages PKG.

    python oracle_wide_probe.py judge CONFIG.json
        One attempt: write the settings the config describes, django.setup(), run the
        autodetector for the corpus's own apps exactly as ``makemigrations --dry-run`` does
        (tests/test_oracle_drift.py's AUTODETECT shape), loader.detect_conflicts(), then bind
        ``.fields`` of every ModelSerializer defined in the corpus. On failure:
        {"ok": false, "stage", "error", "app": the entry/app Django was loading or null}.

This script is the oracle: it imports and runs the analysed project on purpose. djstate
itself never does.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import json
import os
import sys
import sysconfig
import tempfile
import traceback
import types
from pathlib import Path

SITE = Path(sysconfig.get_paths()["purelib"])


# --- discover -----------------------------------------------------------------------------------


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(SITE).with_suffix("").parts)


def _config_classes(source: str) -> list[tuple[str | None, str | None]]:
    """(name, label) of each class in an apps.py that assigns ``name =`` a string."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        values = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    values[stmt.targets[0].id] = stmt.value.value
        if "name" in values or "label" in values:
            found.append((values.get("name"), values.get("label")))
    return found


def discover(packages: list[str]) -> dict:
    own_roots = [SITE / p for p in packages]
    apps: dict[str, dict] = {}
    roots: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(SITE):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.endswith((".dist-info", ".egg-info", ".data")) and d != "__pycache__"
                       and not d.startswith(".")]
        if here == SITE or "__init__.py" not in filenames:
            continue
        module = _module_of(here)
        own = any(here == r or r in here.parents for r in own_roots)
        has_migrations = (here / "migrations" / "__init__.py").is_file() and any(
            "class Migration(" in f.read_text(encoding="utf-8", errors="replace")
            for f in (here / "migrations").glob("0*.py"))
        if "migrations" in here.parts:
            continue
        labels: list[str] = []
        if "apps.py" in filenames:
            try:
                source = (here / "apps.py").read_text(encoding="utf-8", errors="replace")
            except OSError:
                source = ""
            for name, label in _config_classes(source):
                if name is None or name == module:
                    labels.append(label or module.rsplit(".", 1)[-1])
                elif module.endswith("." + name):  # an app of a project folder inside the package
                    root = module[: -len(name) - 1]
                    roots.add(root)
                    entry = {"module": name, "label": label or name.rsplit(".", 1)[-1], "own": own,
                             "migrations": has_migrations, "root": root}
                    apps[f"{name}:{entry['label']}"] = entry
            if not labels and "AppConfig" in source:
                labels.append(module.rsplit(".", 1)[-1])
        if not labels and not any(a.get("root") and module == f"{a['root']}.{a['module']}" for a in apps.values()) and (
                has_migrations and ("models.py" in filenames or (here / "models").is_dir())):
            labels.append(module.rsplit(".", 1)[-1])
        for label in dict.fromkeys(labels):
            apps[f"{module}:{label}"] = {"module": module, "label": label, "own": own, "migrations": has_migrations}
    postgres = importlib.util.find_spec("psycopg") is not None or importlib.util.find_spec("psycopg2") is not None
    return {"apps": list(apps.values()), "postgres": postgres, "roots": sorted(roots)}


# --- judge --------------------------------------------------------------------------------------


def write_settings(config: dict, folder: Path) -> str:
    """The settings module for this attempt; returns its dotted name."""
    lines = ["import os"]
    for key, value in config.get("env", {}).items():
        lines.append(f"os.environ.setdefault({key!r}, {value!r})")
    for module in config.get("settings_imports", []):  # modules that define the defaults apps read
        lines.append(f"from {module} import *  # noqa")
    if config["mode"] == "project":
        lines.append(f"from {config['project_settings']} import *  # noqa")
        lines.append("INSTALLED_APPS = [a for a in list(INSTALLED_APPS) if a not in %r]" % (config.get("remove", []),))
        lines.append("INSTALLED_APPS += [a for a in %r if a not in INSTALLED_APPS]" % (config.get("add", []),))
        lines.append("MIDDLEWARE = [*globals().get('MIDDLEWARE', []), *%r]" % (config.get("middleware", []),))
    else:
        lines.append(f"INSTALLED_APPS = {config['installed_apps']!r}")
        lines.append(f"MIDDLEWARE = {config.get('middleware', [])!r}")
        lines.append("TEMPLATES = [{'BACKEND': 'django.template.backends.django.DjangoTemplates', 'DIRS': [], "
                     "'APP_DIRS': True, 'OPTIONS': {'context_processors': []}}]")
        lines.append("USE_TZ = True")
        lines.append("SITE_ID = 1")
        lines.append("STATIC_URL = '/static/'")
        lines.append("MEDIA_URL = '/media/'")
        lines.append("ROOT_URLCONF = 'oracle_wide_urls'")
        lines.append("SECRET_KEY = 'oracle-wide-not-secret'")
        if config.get("default_auto_field"):
            lines.append(f"DEFAULT_AUTO_FIELD = {config['default_auto_field']!r}")
        for key, value in config.get("extra_settings", {}).items():
            lines.append(f"{key} = {value!r}")
    if config.get("auth_user_model"):
        lines.append(f"AUTH_USER_MODEL = {config['auth_user_model']!r}")
    # the autodetector never connects: the engine only has to import (postgres-only fields load)
    lines.append(f"DATABASES = {{'default': {config['database']!r}}}")
    lines.append("SECRET_KEY = globals().get('SECRET_KEY') or 'oracle-wide-not-secret'")
    (folder / "oracle_wide_settings.py").write_text("\n".join(lines) + "\n")
    (folder / "oracle_wide_urls.py").write_text("urlpatterns = []\n")
    return "oracle_wide_settings"


def failing_app(tb) -> str | None:
    """The INSTALLED_APPS entry (or app module) django.setup() was loading when it failed."""
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "populate" and frame.f_code.co_filename.endswith(os.path.join("apps", "registry.py")):
            called = tb.tb_next.tb_frame.f_code.co_name if tb.tb_next is not None else None
            if called == "create":  # phase 1: importing the entry / its AppConfig
                entry = frame.f_locals.get("entry")
                return entry if isinstance(entry, str) else getattr(entry, "name", None)
            config = frame.f_locals.get("app_config")
            return getattr(config, "name", None)
        tb = tb.tb_next
    return None


def own_module(module_file: str | None, roots: list[Path]) -> bool:
    if not module_file:
        return False
    path = Path(module_file).resolve()
    return any(r in path.parents for r in roots)


def describe_field(field) -> str:
    name, path, args, kwargs = field.deconstruct()
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in sorted(kwargs.items())]
    return f"{path}({', '.join(parts)})"


def operation_row(label, op, from_state) -> dict:
    from django.db.migrations.operations.fields import FieldOperation

    if isinstance(op, FieldOperation):
        row = {"op": type(op).__name__, "model": op.model_name.lower(), "field": op.name}
    elif hasattr(op, "model_name"):
        row = {"op": type(op).__name__, "model": op.model_name.lower(), "field": None}
    else:
        row = {"op": type(op).__name__, "model": op.name.lower(), "field": None}
    row["app"] = label
    try:
        row["describe"] = op.describe()
    except Exception:  # noqa: BLE001
        row["describe"] = type(op).__name__
    detail = {}
    try:
        if hasattr(op, "field") and op.field is not None:
            detail["new"] = describe_field(op.field)
            model = from_state.models.get((label, row["model"]))
            if model is not None and row["field"] in model.fields:
                detail["old"] = describe_field(model.fields[row["field"]])
        elif type(op).__name__ == "AlterModelOptions":
            model = from_state.models.get((label, row["model"]))
            detail["new"] = repr(op.options)
            if model is not None:
                detail["old"] = repr({k: v for k, v in model.options.items() if k in op.ALTER_OPTION_KEYS})
        elif type(op).__name__ in ("AlterUniqueTogether", "AlterIndexTogether"):
            detail["new"] = repr(getattr(op, "option_value", None))
            model = from_state.models.get((label, row["model"]))
            if model is not None:
                detail["old"] = repr(model.options.get(op.option_name))
        elif hasattr(op, "index"):
            detail["new"] = repr(op.index)
        elif hasattr(op, "constraint"):
            detail["new"] = repr(op.constraint)
        elif type(op).__name__ == "AlterModelManagers":
            detail["new"] = repr([(n, type(m).__name__) for n, m in op.managers])
        elif type(op).__name__ == "CreateModel":
            detail["new"] = repr({"fields": [n for n, _ in op.fields], "options": op.options, "bases": op.bases})
    except Exception as exc:  # noqa: BLE001
        detail["error"] = f"{type(exc).__name__}: {exc}"
    row["detail"] = detail
    return row


def autodetect(labels: set[str]) -> dict:
    from django.apps import apps
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
    from django.db.migrations.state import ProjectState

    loader = MigrationLoader(None, ignore_no_migrations=True)
    conflicts = {app: sorted(names) for app, names in loader.detect_conflicts().items()}
    questioner = NonInteractiveMigrationQuestioner(specified_apps=labels, dry_run=True)
    from_state = loader.project_state()
    autodetector = MigrationAutodetector(from_state, ProjectState.from_apps(apps), questioner)
    changes = autodetector.changes(graph=loader.graph, trim_to_apps=labels)
    operations = []
    for label, migrations in changes.items():
        for migration in migrations:
            for op in migration.operations:
                operations.append(operation_row(label, op, from_state))
    unmigrated = sorted(label for label in labels if label in loader.unmigrated_apps)
    return {"operations": operations, "conflicts": conflicts, "unmigrated": unmigrated}


def corpus_modules(roots: list[Path]) -> list[str]:
    """Corpus modules that may define ModelSerializers (their source mentions one)."""
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "Serializer" not in text or "rest_framework" not in text and "serializers" not in text:
                continue
            module = _module_of(path)
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            found.append(module)
    return found


def dummy_request():
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    request = Request(APIRequestFactory().get("/"))
    request.user = AnonymousUser()
    return request


def check_serializers(roots: list[Path]) -> dict:
    try:
        from rest_framework import serializers
    except Exception as exc:  # noqa: BLE001
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"}
    result = {"available": True, "modules": 0, "import_failures": [], "serializers": []}
    seen = set()
    for module_name in corpus_modules(roots):
        try:
            with contextlib.redirect_stdout(sys.stderr):
                module = importlib.import_module(module_name)
        except BaseException as exc:  # noqa: BLE001 - SystemExit from scripts too
            result["import_failures"].append({"module": module_name, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
            continue
        result["modules"] += 1
        for obj in list(vars(module).values()):
            if not (isinstance(obj, type) and issubclass(obj, serializers.ModelSerializer)):
                continue
            if obj.__module__ != module_name or obj in seen:
                continue
            seen.add(obj)
            try:
                lines, start = inspect.getsourcelines(obj)
                path = str(Path(inspect.getsourcefile(obj)).resolve().relative_to(SITE.resolve()))
                span = [start, start + len(lines) - 1]
            except Exception:  # noqa: BLE001
                path, span = None, None
            entry = {"class": f"{module_name}.{obj.__qualname__}", "path": path, "lines": span,
                     "abstract": not hasattr(obj, "Meta") or getattr(obj.Meta, "model", None) is None,
                     "error": None, "request_context": False}
            for with_request in (False, True):
                try:
                    with contextlib.redirect_stdout(sys.stderr):
                        context = {"request": dummy_request()} if with_request else {}
                        instance = obj(context=context)
                        entry["fields"] = sorted(instance.fields)
                    entry["error"] = None
                    entry["request_context"] = with_request
                    break
                except Exception as exc:  # noqa: BLE001 - any failure is a result
                    tb = traceback.extract_tb(exc.__traceback__)
                    where = next((f"{f.filename}:{f.lineno}" for f in reversed(tb)), None)
                    entry["error"] = {"type": type(exc).__name__, "message": str(exc)[:500], "where": where,
                                      "instantiate": any(f.name == "__init__" for f in tb[:2])}
            result["serializers"].append(entry)
    return result


def judge(config: dict) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="oracle-wide-"))
    for root in config.get("roots", []):  # project folders shipped inside the package
        sys.path.insert(0, str(SITE.joinpath(*root.split("."))))
    sys.path.insert(0, str(folder))
    os.environ["DJANGO_SETTINGS_MODULE"] = write_settings(config, folder)
    roots = [SITE / p for p in config["packages"]]
    out: dict = {"ok": False, "stage": "settings", "error": None, "app": None}
    try:
        with contextlib.redirect_stdout(sys.stderr):
            import django

            out["django"] = django.get_version()
            out["stage"] = "setup"
            django.setup()
            from django.apps import apps
            from django.conf import settings

            out["installed_apps"] = list(settings.INSTALLED_APPS)
            out["auth_user_model"] = settings.AUTH_USER_MODEL
            own = {c.label: c.name for c in apps.get_app_configs() if own_module(getattr(c.module, "__file__", None), roots)
                   or any(c.name == p or c.name.startswith(p + ".") for p in config["packages"])}
            out["labels"] = own
            out["stage"] = "autodetector"
            out.update(autodetect(set(own)))
    except BaseException as exc:  # noqa: BLE001 - any failure is the result
        traceback.print_exc()
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["error_type"] = type(exc).__name__
        out["app"] = failing_app(exc.__traceback__)
        if "labels aren't unique" in str(exc):  # which entries share the label
            from django.apps import AppConfig
            from django.conf import settings

            out["entry_labels"] = {}
            for entry in settings.INSTALLED_APPS:
                try:
                    out["entry_labels"][entry] = AppConfig.create(entry).label
                except Exception:  # noqa: BLE001
                    pass
        return out
    out["ok"] = True
    out["stage"] = "drf"
    if config.get("drf", True):
        try:
            out["drf"] = check_serializers(roots)
        except BaseException as exc:  # noqa: BLE001
            traceback.print_exc()
            out["drf"] = {"available": False, "error": f"{type(exc).__name__}: {exc}"}
    out["stage"] = "done"
    return out


def main() -> None:
    real_stdout = sys.stdout
    if sys.argv[1] == "discover":
        result = discover(sys.argv[2:])
    else:
        config = json.loads(Path(sys.argv[2]).read_text())
        result = judge(config)
    json.dump(result, real_stdout, default=str)
    real_stdout.write("\n")
    real_stdout.flush()
    os._exit(0)  # threads started by the project must not keep the process alive


if __name__ == "__main__":
    main()
