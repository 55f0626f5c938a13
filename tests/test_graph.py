"""`djstate graph`: the migration DAG and the ER diagram, as Mermaid and DOT.

The relation names drawn (forward name, reverse accessor, reverse query name) are checked
against Django itself on a fixture whose migrations Django's makemigrations wrote. The Mermaid
is checked structurally (ids, declared nodes, known statements) and, when npm and Debian's
chromium are on the machine, rendered with @mermaid-js/mermaid-cli.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from djstate.cache import FactsStore
from djstate.cli import app
from djstate.config import load_config
from djstate.engine import build_models_state, load_project
from djstate.report import graphs
from djstate.snapshot.relations import model_relations
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"
MERMAID_HOME = Path(os.environ.get("DJSTATE_MERMAID_HOME", Path.home() / ".cache" / "djstate" / "tools" / "mermaid-cli"))
CHROMIUM = Path("/usr/bin/chromium")

ZOO = {
    "zoo/__init__.py": "",
    "zoo/models.py": '''
from django.db import models


class Habitat(models.Model):
    name = models.CharField(max_length=50, unique=True)


class Housed(models.Model):
    habitat = models.ForeignKey(Habitat, on_delete=models.CASCADE, related_name="%(app_label)s_%(class)s_items")

    class Meta:
        abstract = True


class Animal(Housed):
    name = models.CharField(max_length=50)
    friends = models.ManyToManyField("self")
    rivals = models.ManyToManyField("self", symmetrical=False, related_name="rivalled_by")
    mother = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    keeper = models.ForeignKey("keeper.Keeper", on_delete=models.PROTECT, related_name="+")


class Reptile(Animal):
    scales = models.BooleanField(default=True)


class Enclosure(Housed):
    animals = models.ManyToManyField(Animal, related_query_name="pen")

    class Meta:
        default_related_name = "enclosures"


class Passport(models.Model):
    animal = models.OneToOneField(Animal, on_delete=models.CASCADE)
    issuer = models.ForeignKey("keeper.Keeper", on_delete=models.CASCADE, related_name="passports",
                               related_query_name="passport_issued")
''',
    "keeper/__init__.py": "",
    "keeper/models.py": '''
from django.conf import settings
from django.db import models


class Keeper(models.Model):
    name = models.CharField("the \\"name\\" <shown>", max_length=80)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keeper_profile")
''',
}
# two migrations on one parent: a conflict makemigrations --merge would resolve
CONFLICT = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("keeper", "0001_initial")]
    operations = []
"""

DJANGO_NAMES = r'''
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "zoo", "keeper"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
                   DEFAULT_AUTO_FIELD="django.db.models.AutoField")
django.setup()
from django.apps import apps
out = []
for model in apps.get_app_config(sys.argv[1]).get_models():
    for f in model._meta.local_fields + model._meta.local_many_to_many:
        if not f.is_relation or f.remote_field is None:
            continue
        hidden = f.remote_field.hidden
        out.append([model._meta.label_lower, f.name, f.get_internal_type(),
                    None if hidden else f.remote_field.get_accessor_name(),
                    (f.remote_field.related_query_name or None) if hidden else f.related_query_name(),
                    f.remote_field.model._meta.label_lower])
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def zoo(tmp_path_factory) -> Path:
    root = write_project(tmp_path_factory.mktemp("zoo"), ZOO)
    make_migrations(root, ["zoo", "keeper"])
    for name in ("0002_keeper_badge", "0002_keeper_shift"):
        (root / "keeper" / "migrations" / f"{name}.py").write_text(CONFLICT)
    return root


def _project(root: Path, models: bool = False):
    config = load_config(root, {"no_site_packages": True})
    store = FactsStore(root, None, jobs=1)
    project = load_project(root, config, store)
    if models:
        project.models_state = build_models_state(project, store)
    return project


def test_relation_names_are_djangos(zoo):
    """Every relation's forward name, target, reverse accessor and query name as Django's
    _meta has them (hidden: no accessor; %(class)s filled in; default_related_name)."""
    env = {**os.environ, "PYTHONPATH": str(zoo)}
    expected = set()
    for label in ("zoo", "keeper"):
        proc = subprocess.run([sys.executable, "-c", DJANGO_NAMES, label], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        expected |= {tuple(row) for row in json.loads(proc.stdout)}
    project = _project(zoo, models=True)
    ours = {
        (f"{r.source[0]}.{r.source[1]}", r.field, r.kind, r.accessor, r.query_name, f"{r.target[0]}.{r.target[1]}")
        for r in model_relations(project.models_state, project.resolve_setting)
        if r.source[0] in ("zoo", "keeper")
    }
    assert ours == expected
    names = {(row[0], row[1]): row[3:5] for row in expected}  # what the fixture is for
    assert names[("zoo.animal", "habitat")] == ("zoo_animal_items", "zoo_animal_items")
    assert names[("zoo.animal", "friends")] == (None, None)
    assert names[("zoo.enclosure", "animals")] == ("enclosures", "pen")
    assert names[("zoo.reptile", "animal_ptr")] == ("reptile", "reptile")


# --- Mermaid structure ----------------------------------------------------------------------------

ID = r"[A-Za-z_][A-Za-z0-9_]*"
LABEL = r'"[^"\n]*"'


def check_flowchart(text: str) -> dict[str, str]:
    """Every line a known statement, ids unique and plain, every edge's and class's nodes
    declared; returns id -> label."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, str] = {}
    edges, classes, defined = [], [], set()
    for line in lines[1:]:
        if m := re.fullmatch(rf"  ({ID})\[({LABEL})\]", line):
            assert m[1] not in nodes, f"node declared twice: {line}"
            nodes[m[1]] = m[2][1:-1]
        elif m := re.fullmatch(rf"  ({ID}) --> ({ID})", line):
            edges.append((m[1], m[2]))
        elif m := re.fullmatch(rf"  classDef ({ID}) [a-z\-]+:[^ ;]+(,[a-z\-]+:[^,;]+)*", line):
            defined.add(m[1])
        elif m := re.fullmatch(rf"  class ({ID}(?:,{ID})*) ({ID})", line):
            classes.append((m[1].split(","), m[2]))
        else:
            pytest.fail(f"not a flowchart statement: {line!r}")
    assert all(a in nodes and b in nodes for a, b in edges), "an edge names an undeclared node"
    assert all(set(ids) <= set(nodes) and name in defined for ids, name in classes)
    return nodes


ATTRIBUTE = re.compile(r'    [A-Za-z][\w\-]* [A-Za-z][\w\-]*( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"\n]*")?')
CARDINALITY = r"(\|o|\}o|\|\||o\||o\{|\}\|)"


def check_er(text: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """An erDiagram with aliased entities, attribute lines and labelled relations only."""
    lines = text.splitlines()
    assert lines[0] == "erDiagram"
    entities: dict[str, str] = {}
    relations = []
    in_block = False
    for line in lines[1:]:
        if in_block:
            if line == "  }":
                in_block = False
            else:
                assert ATTRIBUTE.fullmatch(line), f"not an attribute: {line!r}"
        elif m := re.fullmatch(rf"  ({ID})\[({LABEL})\]( \{{)?", line):
            assert m[1] not in entities, f"entity declared twice: {line}"
            entities[m[1]] = m[2][1:-1]
            in_block = bool(m[3])
        elif m := re.fullmatch(rf"  ({ID}) {CARDINALITY}--{CARDINALITY} ({ID}) : ({LABEL})", line):
            relations.append((m[1], m[4], m[5][1:-1]))
        else:
            pytest.fail(f"not an erDiagram statement: {line!r}")
    assert not in_block, "an unclosed entity block"
    assert all(a in entities and b in entities for a, b, _ in relations), "a relation names an undeclared entity"
    return entities, relations


def check_dot(text: str) -> None:
    lines = text.splitlines()
    assert re.fullmatch(r"digraph \w+ \{", lines[0]) and lines[-1] == "}"
    declared = set(re.findall(rf"^\s+({ID}) \[label=", text, re.M))
    for a, b in re.findall(rf"^\s+({ID}) -> ({ID})", text, re.M):
        assert a in declared and b in declared
    assert text.count("{") == text.count("}")


def test_migration_graph_marks_leaves_and_conflicts(zoo):
    project = _project(zoo)
    text = graphs.render(project, "migrations", None, "mermaid")
    nodes = check_flowchart(text)
    by_label = {label: node_id for node_id, label in nodes.items()}
    conflict = next(line for line in text.splitlines() if line.endswith(" conflict"))
    assert set(conflict.split()[1].split(",")) == {by_label["keeper.0002_keeper_badge"], by_label["keeper.0002_keeper_shift"]}
    leaf = next(line for line in text.splitlines() if line.endswith(" leaf"))
    assert leaf.split()[1].split(",") == [by_label["zoo.0001_initial"]]
    assert f'{by_label["keeper.0001_initial"]} --> {by_label["keeper.0002_keeper_badge"]}' in text
    assert f'{by_label["keeper.0001_initial"]} --> {by_label["zoo.0001_initial"]}' in text  # zoo depends on keeper
    one_app = graphs.render(project, "migrations", "zoo", "mermaid")
    assert set(check_flowchart(one_app).values()) == {"zoo.0001_initial", "keeper.0001_initial"}  # its dependency, as external
    assert re.search(r"class \w+ external", one_app)
    check_dot(graphs.render(project, "migrations", None, "dot"))


def test_models_graph_labels_relations_with_both_names(zoo):
    project = _project(zoo, models=True)
    entities, relations = check_er(graphs.render(project, "models", None, "mermaid"))
    labels = {(entities[a], entities[b], label) for a, b, label in relations}
    assert ("zoo.Animal", "zoo.Habitat", "habitat / zoo_animal_items") in labels
    assert ("zoo.Enclosure", "zoo.Animal", "animals / enclosures (query pen)") in labels
    assert ("zoo.Animal", "keeper.Keeper", "keeper / -") in labels
    assert ("zoo.Passport", "keeper.Keeper", "issuer / passports (query passport_issued)") in labels
    assert ("keeper.Keeper", "auth.user", "user / keeper_profile") in labels  # outside the tree: a bare entity
    only_keeper, _ = check_er(graphs.render(project, "models", "keeper", "mermaid"))
    assert set(only_keeper.values()) == {"keeper.Keeper", "auth.user"}
    keys_only = graphs.render(project, "models", None, "mermaid", fields=False)
    assert "CharField name" not in keys_only and "AutoField id PK" in keys_only
    check_dot(graphs.render(project, "models", None, "dot"))


def test_labels_are_escaped():
    assert graphs.mermaid_text('a "b" <c> #d') == "a #quot;b#quot; #lt;c#gt; #35;d"
    assert graphs.dot_text('say "hi" \\ there') == 'say \\"hi\\" \\\\ there'
    ids = graphs.Ids("m_")
    assert ids("a.b-c") != ids("a_b_c") and re.fullmatch(ID, ids("1 x"))


def test_cli_graph(zoo):
    runner = CliRunner()
    result = runner.invoke(app, ["graph", "models", "zoo", "--path", str(zoo), "--format", "dot"])
    assert result.exit_code == 0, result.output
    check_dot(result.output.strip())
    result = runner.invoke(app, ["graph", "migrations", "--path", str(zoo), "--last", "1"])
    assert result.exit_code == 0, result.output
    assert set(check_flowchart(result.output.strip()).values()) == {
        "keeper.0001_initial", "keeper.0002_keeper_badge", "keeper.0002_keeper_shift", "zoo.0001_initial"}
    result = runner.invoke(app, ["graph", "models", "nosuchapp", "--path", str(zoo)])
    assert result.exit_code == 2 and "unknown app" in result.output


# --- rendering with mermaid-cli -------------------------------------------------------------------


def mermaid_cli() -> Path:
    """mmdc from the npm registry, installed once under ~/.cache/djstate (puppeteer's own
    browser download skipped: Debian's chromium renders); skips the test when it cannot be."""
    mmdc = MERMAID_HOME / "node_modules" / ".bin" / "mmdc"
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    if not mmdc.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        MERMAID_HOME.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "@mermaid-js/mermaid-cli"], cwd=MERMAID_HOME,
                              capture_output=True, text=True, timeout=600, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})  # fmt: skip
        if proc.returncode != 0 or not mmdc.exists():
            pytest.skip(f"@mermaid-js/mermaid-cli could not be installed: {proc.stderr.strip()[-300:]}")
    return mmdc


def render_mermaid(mmdc: Path, text: str, folder: Path, name: str) -> Path:
    """Render with mmdc (exit 1 on any parse or layout error); the limits raised for whole projects."""
    puppeteer = folder / "puppeteer.json"
    puppeteer.write_text(json.dumps({"executablePath": str(CHROMIUM), "args": ["--no-sandbox", "--disable-gpu"]}))
    config = folder / "mermaid.json"
    config.write_text(json.dumps({"maxTextSize": 10_000_000, "maxEdges": 100_000}))
    source, svg = folder / f"{name}.mmd", folder / f"{name}.svg"
    source.write_text(text)
    proc = subprocess.run([str(mmdc), "-q", "-p", str(puppeteer), "-c", str(config), "-i", str(source), "-o", str(svg)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, f"mmdc rejected {name}:\n{proc.stderr[-1500:]}"
    assert "<svg" in svg.read_text()[:2000]
    return svg


def test_mermaid_cli_renders_the_diagrams(zoo, tmp_path):
    mmdc = mermaid_cli()
    example = _project(EXAMPLE, models=True)
    zoo_project = _project(zoo, models=True)
    for name, project in (("zoo", zoo_project), ("example", example)):
        for kind in ("migrations", "models"):
            svg = render_mermaid(mmdc, graphs.render(project, kind, None, "mermaid"), tmp_path, f"{name}-{kind}")
            if kind == "models" and name == "zoo":
                assert "zoo_animal_items" in svg.read_text()


@pytest.mark.skipif(not os.environ.get("DJSTATE_RENDER_CORPORA"), reason="set DJSTATE_RENDER_CORPORA=1: renders netbox and wagtail (about 2 min)")
@pytest.mark.parametrize("corpus", ["netbox-4.7.3", "wagtail-8.0.1"])
def test_mermaid_cli_renders_corpora(corpus, tmp_path):
    root = Path(os.environ.get("DJSTATE_CORPORA_DIR", Path.home() / ".cache" / "djstate" / "corpora")) / corpus
    if not root.is_dir():
        pytest.skip(f"{root} not fetched (make corpora)")
    mmdc = mermaid_cli()
    project = _project(root, models=True)
    for kind in ("migrations", "models"):
        text = graphs.render(project, kind, None, "mermaid")
        (check_flowchart if kind == "migrations" else check_er)(text)
        render_mermaid(mmdc, text, tmp_path, kind)
