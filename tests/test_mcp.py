"""`djstate mcp`: every tool driven over stdio by the MCP SDK's own client."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("mcp", reason="the extra djstate[mcp] is not installed")

import anyio  # noqa: E402  (installed with mcp)
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"
TOOLS = {"list_apps", "describe_model", "resolve_lookup", "reverse_names", "migration_tail", "check_code", "next_migration", "schema_diff"}


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def call_all(root: Path, calls: list[tuple[str, dict]]) -> tuple[set[str], dict[str, tuple[dict, float]]]:
    """Start `djstate mcp ROOT` as the client's subprocess; every call's JSON and seconds."""
    djstate = Path(sys.executable).parent / "djstate"
    params = StdioServerParameters(command=str(djstate) if djstate.exists() else sys.executable,
                                   args=(["mcp"] if djstate.exists() else ["-m", "djstate.cli", "mcp"]) + [str(root)],
                                   env={**os.environ, "DJSTATE_NO_SITE_PACKAGES": "1"})  # fmt: skip
    answers: dict[str, tuple[dict, float]] = {}

    async def run() -> set[str]:
        async with stdio_client(params) as streams:
            async with ClientSession(*streams) as session:
                await session.initialize()
                listed = {tool.name for tool in (await session.list_tools()).tools}
                for name, arguments in calls:
                    start = time.perf_counter()
                    result = await session.call_tool(name, arguments)
                    answers[name] = (json.loads(result.content[0].text), time.perf_counter() - start)
                return listed

    return anyio.run(run), answers


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed for schema_diff")
def test_every_tool_over_stdio(tmp_path):
    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLE, shop)
    _git(shop, "init", "-q")
    _git(shop, "add", ".")
    _git(shop, "commit", "-qm", "base")
    models = shop / "inventory" / "models.py"
    models.write_text(models.read_text().replace("city = models.CharField(max_length=100, blank=True)",
                                                 "city = models.CharField(max_length=150, blank=True)"))  # fmt: skip
    snippet = (shop / "catalog" / "models.py").read_text().replace("name = models.CharField(max_length=80, unique=True)",
                                                                   "name = models.CharField(max_length=50, unique=True)")  # fmt: skip
    listed, answers = call_all(shop, [
        ("list_apps", {}),
        ("describe_model", {"model": "catalog.Book"}),
        ("resolve_lookup", {"model": "catalog.Book", "lookup": "publisher__nam__icontains"}),
        ("reverse_names", {"model": "catalog.book"}),
        ("migration_tail", {"app": "catalog", "n": 2}),
        ("check_code", {"path": "catalog/models.py", "snippet": snippet}),
        ("next_migration", {"app": "shop_orders"}),
        ("schema_diff", {"rev": "HEAD"}),
    ])  # fmt: skip
    assert listed == TOOLS and set(answers) == TOOLS
    apps = {a["app"]: a for a in answers["list_apps"][0]["apps"]}
    assert "Book" in apps["catalog"]["models"] and apps["catalog"]["leaves"] == ["0010_alter_book_subtitle"]
    book = answers["describe_model"][0]
    assert book["model"] == "catalog.Book" and any(r["name"] == "publisher" and r["related_name"] == "books" for r in book["relations"])
    assert [f["name"] for f in book["fields"]][:2] == ["id", "title"]  # the app's common id is listed too
    assert book["manager_methods"]["catalog.models.BookQuerySet"] == ["by_publisher", "published"]
    lookup = answers["resolve_lookup"][0]
    assert (lookup["status"], lookup["part"], lookup["on"], lookup["suggestion"]) == ("error", "nam", "catalog.Publisher", "name")
    assert [w["name"] for w in lookup["walked"]] == ["publisher"]
    reverse = answers["reverse_names"][0]
    assert {"accessor": "stock_items", "query_name": "stock_items", "from": "inventory.StockItem.book", "kind": "ForeignKey"} in reverse["reverse"]
    tail = answers["migration_tail"][0]
    assert [m["name"] for m in tail["migrations"]] == ["0009_bookauthor_alter_book_authors", "0010_alter_book_subtitle"]
    checked = answers["check_code"][0]
    assert checked["checked"] == "snippet" and all(f["path"] == "catalog/models.py" for f in checked["findings"])
    assert not any(f["code"] == "DJS212" and f["model"] == "Genre" for f in checked["findings"])  # the snippet fixes max_length
    nxt = answers["next_migration"][0]
    assert nxt["number"] == "0005" and len(nxt["dependencies"]) == 2 and "merge" in nxt["note"]
    diff = answers["schema_diff"][0]
    assert "inventory.Warehouse" in json.dumps(diff) and "city" in json.dumps(diff)
    assert (shop / "catalog" / "models.py").read_text() != snippet, "check_code never writes the project"
    unknown = call_all(shop, [("describe_model", {"model": "catalog.Nope"})])[1]["describe_model"][0]
    assert "no model 'catalog.Nope'" in unknown["error"]


@pytest.mark.skipif(not os.environ.get("DJSTATE_MCP_NETBOX"), reason="set DJSTATE_MCP_NETBOX=1: response times on netbox")
def test_response_times_on_netbox():
    root = Path(os.environ.get("DJSTATE_CORPORA_DIR", Path.home() / ".cache" / "djstate" / "corpora")) / "netbox-4.7.3"
    if not root.is_dir():
        pytest.skip(f"{root} not fetched")
    listed, answers = call_all(root, [
        ("list_apps", {}), ("describe_model", {"model": "dcim.Device"}),
        ("resolve_lookup", {"model": "dcim.Device", "lookup": "device_type__manufacturer__name__iexact"}),
        ("reverse_names", {"model": "dcim.Device"}), ("migration_tail", {"app": "dcim", "n": 5}),
        ("check_code", {"path": "dcim/models/devices.py"}), ("next_migration", {"app": "dcim"}),
    ])  # fmt: skip
    for name, (_, seconds) in answers.items():
        print(f"{name}: {seconds:.3f} s")
    assert answers["resolve_lookup"][0]["status"] == "ok"
    assert all(seconds < 1.0 for name, (_, seconds) in answers.items() if name != "list_apps")
