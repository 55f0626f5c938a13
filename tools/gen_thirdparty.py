"""Generate djstate/data/thirdparty.json: descriptions of popular third-party model fields and
model bases, measured by running the real packages (never written by hand).

It builds (once, then reuses) a venv with the PINS below, in
``~/.cache/djstate/venvs/thirdparty-<hash of the pins>``, with the uv at
``~/.cache/djstate/tools/uv-venv/bin/uv`` when present, else pip. There
``tools/thirdparty_probe.py`` imports the packages under a minimal ``settings.configure``
and measures each field class (deconstruct against its Django base's, per kwarg) and each
abstract model base (what ``ModelState.from_model`` gives a concrete child), and the class
decorator ``Hierarkey(attribute_name).add()`` of django-hierarkey (the names it gives a model:
``dir`` against the undecorated model, with each keyword argument of ``add()``). Here every
measured case is then replayed through djstate's own ``deconstruct``: a kwarg is marked
judged only where every case that passes it matches the real package, so djstate stays
silent (unverified) on anything else.

    .venv/bin/python tools/gen_thirdparty.py            # write djstate/data/thirdparty.json
    .venv/bin/python tools/gen_thirdparty.py --check    # exit 1 if the file is out of date
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from djstate.facts.values import render  # noqa: E402
from djstate.state.fields import DJANGO_FIELDS, deconstruct  # noqa: E402
from djstate.state.thirdparty_descriptions import decode, field_spec  # noqa: E402

PYTHON = "3.12"  # preferred for the venv
DJANGO = "5.2.19"
# distribution: (pinned version, importable top-level modules, INSTALLED_APPS entries)
PINS: dict[str, tuple[str, list[str], list[str]]] = {
    "django-taggit": ("6.1.0", ["taggit"], ["taggit"]),
    "django-mptt": ("0.20.0", ["mptt"], ["mptt"]),
    # wagtail needs django-treebeard < 6: the 5.x line is what wagtail projects run
    "django-treebeard": ("5.3.1", ["treebeard"], ["treebeard"]),
    "django-polymorphic": ("4.11.7", ["polymorphic"], ["polymorphic"]),
    "django-modelcluster": ("6.5", ["modelcluster"], []),
    "django-phonenumber-field": ("9.0.0", ["phonenumber_field"], ["phonenumber_field"]),
    "django-money": ("3.6.2", ["djmoney"], ["djmoney"]),
    "django-countries": ("9.1.0", ["django_countries"], ["django_countries"]),
    "django-model-utils": ("5.0.0", ["model_utils"], []),
    "django-extensions": ("4.1", ["django_extensions"], ["django_extensions"]),
    "django-ordered-model": ("3.7.4", ["ordered_model"], ["ordered_model"]),
    "django-simple-history": ("3.13.0", ["simple_history"], ["simple_history"]),
    "django-timezone-field": ("7.2.2", ["timezone_field"], []),
    "django-jsonfield-backport": ("1.0.5", ["django_jsonfield_backport"], ["django_jsonfield_backport"]),
    "wagtail": ("8.0.1", ["wagtail.fields"], ["wagtail"]),  # only its model fields module
    "django-parler": ("2.4", ["parler.models"], ["parler"]),  # TranslatedFields (a class attribute, no field)
    "django-hierarkey": ("2.0.2", ["hierarkey.models"], []),  # Hierarkey(...).add(): a class decorator
}  # fmt: skip
# every dependency, pinned too, so that the venv is the same wherever it is built
EXTRA_PINS = {
    "shortuuid": "1.0.13",  # django-extensions' ShortUUIDField imports it when built
    "annotated-types": "0.8.0",
    "anyascii": "0.3.3",
    "asgiref": "3.13.0",
    "babel": "2.19.0",
    "beautifulsoup4": "4.15.0",
    "certifi": "2026.10.19.post1",
    "charset-normalizer": "3.5.3",
    "defusedxml": "0.7.1",
    "django-filter": "26.2",
    "django-js-asset": "5.0.0",
    "django-ninja": "1.7.1",
    "django-permissionedforms": "0.1",
    "django-stubs-ext": "6.1.2",
    "django-tasks": "0.12.0",
    "djangorestframework": "3.18.3",
    "draftjs-exporter": "7.3.1",
    "et-xmlfile": "2.0.0",
    "filetype": "1.2.0",
    "idna": "3.20",
    "laces": "0.1.2",
    "modelsearch": "1.3.2",
    "openpyxl": "3.1.5",
    "phonenumberslite": "9.0.42",
    "pillow": "13.0.0",
    "pillow-heif": "1.8.1",
    "py-moneyed": "3.0",
    "pydantic": "2.14.4",
    "python-dateutil": "2.9.0.post0",
    "pydantic-core": "2.50.5",
    "requests": "2.34.2",
    "soupsieve": "4.1.3",
    "six": "1.17.0",
    "sqlparse": "0.6.1",
    "swapper": "1.5.0",
    "telepath": "0.3.1",
    "typing-extensions": "4.16.0",
    "typing-inspection": "0.4.5",
    "urllib3": "2.8.0",
    "willow": "1.12.0",
}
# Django's own field classes with rules of their own that fields.DJANGO_FIELDS does not model
# (ArrayField, the range fields): measured the same way, with the test venv's Django (the venv
# above has no psycopg, which the range fields import); its version must be DJANGO.
DJANGO_PACKAGES = {"django": (["django.contrib.postgres.fields"], ["django.contrib.postgres"])}
OUTPUT = ROOT / "djstate" / "data" / "thirdparty.json"
PROBE = ROOT / "tools" / "thirdparty_probe.py"
LONG_LIST = 20  # longer lists come from package data (currencies): opaque, they change by version


def requirements() -> list[str]:
    return sorted([f"django=={DJANGO}", *(f"{d}=={v}" for d, (v, _, _) in PINS.items()),
                   *(f"{d}=={v}" for d, v in EXTRA_PINS.items())])  # fmt: skip


def venv_dir(python: str | None = None) -> Path:
    minor = _minor(python or python_executable())
    digest = hashlib.sha256("\n".join([minor, *requirements()]).encode()).hexdigest()[:12]
    return Path.home() / ".cache" / "djstate" / "venvs" / f"thirdparty-{digest}"


class VenvError(RuntimeError):
    """The pinned venv cannot be built (``offline`` when the package index is unreachable)."""

    def __init__(self, message: str, offline: bool = False) -> None:
        super().__init__(message)
        self.offline = offline


def python_executable() -> str:
    """Python PYTHON for the venv (pyenv's, then PATH's); another 3.10+ when it is missing
    (the descriptions do not depend on it; the venv's name does)."""
    wanted = [PYTHON, "3.13", "3.11", "3.10"]
    candidates: list[str] = []
    for version in wanted:
        candidates += sorted(str(p) for p in Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))
        candidates += [p for p in [shutil.which(f"python{version}")] if p]
    candidates += [p for p in [shutil.which("python3")] if p] + [sys.executable]
    for found in candidates:
        try:
            out = subprocess.run([found, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return sys.executable


def _minor(python: str) -> str:
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, timeout=30)
    return out.stdout.strip()


def ensure_venv() -> Path:
    """The venv's python, building the venv first when it is missing or incomplete."""
    base = python_executable()
    target = venv_dir(base)
    python = target / "bin" / "python"
    marker = target / ".djstate-complete"
    if marker.exists() and python.exists():
        return python
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    uv = Path.home() / ".cache" / "djstate" / "tools" / "uv-venv" / "bin" / "uv"
    if uv.exists():
        commands = [
            [str(uv), "venv", "-q", "--python-preference", "only-system", "-p", base, str(target)],
            [str(uv), "pip", "install", "-q", "--python", str(python), *requirements()],
        ]
    else:
        commands = [[base, "-m", "venv", str(target)], [str(python), "-m", "pip", "install", "-q", *requirements()]]
    for command in commands:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            text = proc.stderr + proc.stdout
            offline = any(s in text.lower() for s in ("name or service not known", "failed to establish",
                                                      "temporary failure in name resolution", "network is unreachable",
                                                      "dns error", "connection refused"))  # fmt: skip
            shutil.rmtree(target, ignore_errors=True)
            raise VenvError(f"{' '.join(command[:3])} failed:\n{text[-3000:]}", offline=offline)
    marker.write_text("\n".join(requirements()) + "\n")
    return python


def run_probe(python: Path, packages: dict[str, tuple[list[str], list[str]]] | None = None) -> dict:
    if packages is None:
        packages = {d: (mods, apps) for d, (_, mods, apps) in PINS.items()}
    config = {
        "modelled": sorted(DJANGO_FIELDS),
        "packages": {d: {"modules": mods, "apps": apps} for d, (mods, apps) in packages.items()},
    }
    proc = subprocess.run(
        [str(python), str(PROBE), json.dumps(config)], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"probe failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


# --- checking the descriptions against the measured cases --------------------------------------


def emulate(path: str, entry: dict, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """What djstate's deconstruct gives for the class with these (decoded) kwargs, as the
    models side sees it (a primary key is not serialised); None when it is not known."""
    spec = field_spec(path, {**entry, "judged": "all"})
    if spec.base is None:
        return None
    from djstate.state import fields

    state = fields._deconstruct_third_party(spec, (), dict(kwargs))
    if not state.known:
        return None
    out = dict(state.kwargs)
    if out.get("primary_key") is True:
        out["serialize"] = False
    return out


def check_cases(path: str, entry: dict) -> dict[str, list[str]]:
    """Every measured case replayed: {kwarg: [mismatch, ...]} ("" for the no-kwarg case).
    Each case is checked forward (source kwargs -> bound deconstruct) and as a round trip (a
    migration's written kwargs -> the same kwargs)."""
    failures: dict[str, list[str]] = {}
    required = set(entry.get("required", {}))
    for case in entry.get("cases", []):
        given = {k: decode(v) for k, v in case["kwargs"].items()}
        expected = {k: decode(v) for k, v in case["deconstruct"].items()}
        keys = sorted(set(given) - required) or [""]
        if entry.get("many_to_many") and "through" in given and "to" not in given and "to" in entry.get("own", {}):
            # a tag manager's tag model is its through model's: the models side reads it there
            # (djstate.state.models), so the source's kwargs reach deconstruct with it
            given["to"] = expected.get("to")
        for label, source in (("forward", given), ("round trip", expected)):
            got = emulate(path, entry, source)
            if got is None or render(got) != render(expected) or case["path"] != path:
                for key in keys:
                    failures.setdefault(key, []).append(f"{label} {render(source)[:120]}: {render(got)[:200]} != {render(expected)[:200]}")
    return failures


def _opaque_long(value: Any, package: str) -> Any:
    if isinstance(value, list):
        if len(value) > LONG_LIST:
            return {"opaque": f"<{len(value)} values from {package}: they change with its version>"}
        return [_opaque_long(v, package) for v in value]
    if isinstance(value, dict):
        if "dict" in value:
            return {"dict": [[k, _opaque_long(v, package)] for k, v in value["dict"]]}
        if "tuple" in value:
            return {"tuple": [_opaque_long(v, package) for v in value["tuple"]]}
    return value


def finish_field(path: str, entry: dict) -> dict:
    """Trim the measured entry and mark which kwargs the checked cases cover."""
    entry = dict(entry)
    if "error" in entry or entry.get("django_base") is None:
        entry.pop("cases", None)
        entry.setdefault("error", "no Django field class djstate models among its bases")
        return entry
    if entry.get("model_dependent"):
        entry.pop("cases", None)
        entry["error"] = "its deconstruct depends on the model it is bound to (attributes of the model class)"
        return entry
    drop = set(entry.get("drop", ()))
    entry["setdefault"] = {k: v for k, v in entry["setdefault"].items() if k not in drop}
    for key, rule in entry.get("own", {}).items():
        if rule["written"] == "never" and len(json.dumps(rule["default"])) > 400:
            rule["default"] = {"opaque": "<a long default>"}
    entry["added_fields"] = [[n, p, _opaque_long(k, entry["package"])] for n, p, k in entry.get("added_fields", [])]
    failures = check_cases(path, entry)
    # a case with a long value (a currency list) is checked, not kept
    entry["cases"] = [c for c in entry.get("cases", []) if len(json.dumps(c)) <= 4000]
    tested = {k for case in entry.get("cases", []) for k in [*case["kwargs"], *case["deconstruct"]]}
    if "" in failures:
        entry["error"] = f"the description does not reproduce its deconstruct: {failures[''][0]}"
    elif not entry.get("own_rules") and not failures and not entry.get("model_dependent"):
        entry["judged"] = "all"  # no __init__ or deconstruct of its own: its Django base's rules
    else:
        entry["judged"] = sorted(k for k in tested if k not in failures)
    if failures:
        entry["unjudged"] = {k: v[0] for k, v in sorted(failures.items()) if k}
    return entry


def generate(python: Path | None = None) -> dict:
    measured = run_probe(python or ensure_venv())
    own = run_probe(Path(sys.executable), DJANGO_PACKAGES)
    if own["versions"]["django"] != DJANGO:
        raise RuntimeError(f"Django's own fields need Django {DJANGO} here, not {own['versions']['django']}")
    measured["fields"].update(own["fields"])
    fields = {p: finish_field(p, e) for p, e in sorted(measured["fields"].items())}
    return {
        "generated_by": "tools/gen_thirdparty.py (running tools/thirdparty_probe.py in the pinned venv)",
        "versions": measured["versions"],
        "fields": fields,
        "bases": measured["bases"],
        "models": measured["models"],
        "others": measured["others"],
        "decorators": measured["decorators"],
    }


def dump(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    data = generate()
    text = dump(data)
    if "--check" in argv:
        same = OUTPUT.exists() and OUTPUT.read_text() == text
        print("up to date" if same else f"{OUTPUT} is out of date: run tools/gen_thirdparty.py")
        return 0 if same else 1
    OUTPUT.write_text(text)
    judged = sum(1 for e in data["fields"].values() if "error" not in e)
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(data['fields'])} field classes ({judged} described), "
          f"{len(data['bases'])} bases, {len(data['models'])} models")  # fmt: skip
    for path, entry in data["fields"].items():
        if "error" in entry:
            print(f"  not described: {path}: {entry['error'][:160]}")
        for key, why in entry.get("unjudged", {}).items():
            print(f"  {path}: kwarg {key} not judged: {why[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
