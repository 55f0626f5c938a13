"""Managed blocks: where ``djstate context --write`` keeps a snapshot, and how ``--check`` finds them.

A block lies between two HTML comments that name the app (and the budget it was written
with), so it renders invisibly in Markdown and any number of apps can share one file::

    <!-- djstate:context app=catalog budget=2000 -->
    ...the snapshot...
    <!-- /djstate:context app=catalog -->

Text outside the markers is never touched; a file without the app's block gets one appended.
Targets: ``AGENTS.md`` or ``CLAUDE.md`` at the project root or in the app's folder, or
``.cursor/rules/djstate-<app>.mdc`` (created with Cursor's front matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TARGET_FILES = {"agents": "AGENTS.md", "claude": "CLAUDE.md"}
BLOCK = re.compile(
    r"<!-- djstate:context app=(?P<app>[\w.\-]+)(?: budget=(?P<budget>\d+|none))? -->\n"
    r"(?P<body>.*?)"
    r"<!-- /djstate:context app=(?P=app) -->",
    re.S,
)
NOTE = "_Written by `djstate context --write` from the current source; `djstate context --check` fails when it is stale._\n"


@dataclass
class Block:
    path: Path
    app: str
    budget: int | None
    body: str


def target_path(root: Path, target: str, label: str, app_folder: str, in_app: bool) -> Path:
    if target == "cursor":
        return root / ".cursor" / "rules" / f"djstate-{label}.mdc"
    folder = root / app_folder if in_app and app_folder else root
    return folder / TARGET_FILES[target]


def block_text(label: str, budget: int | None, snapshot: str) -> str:
    return (f"<!-- djstate:context app={label} budget={budget if budget is not None else 'none'} -->\n"
            f"{NOTE}\n{snapshot.strip()}\n<!-- /djstate:context app={label} -->")  # fmt: skip


def body_of(snapshot: str) -> str:
    """The text a block holds for a snapshot (what --check compares)."""
    return f"{NOTE}\n{snapshot.strip()}\n"


def write(path: Path, label: str, budget: int | None, snapshot: str, app_folder: str = "") -> str:
    """Put the app's block into the file; returns "created", "updated", "appended" or "unchanged"."""
    block = block_text(label, budget, snapshot)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        head = ""
        if path.suffix == ".mdc":
            globs = f"{app_folder}/**" if app_folder else "**"
            head = f"---\ndescription: djstate snapshot of the Django app {label}\nglobs: {globs}\nalwaysApply: false\n---\n\n"
        path.write_text(head + block + "\n", encoding="utf-8")
        return "created"
    text = path.read_text(encoding="utf-8")
    found = next((m for m in BLOCK.finditer(text) if m["app"] == label), None)
    if found is None:
        path.write_text(text.rstrip("\n") + ("\n\n" if text.strip() else "") + block + "\n", encoding="utf-8")
        return "appended"
    if found.group(0) == block:
        return "unchanged"
    path.write_text(text[: found.start()] + block + text[found.end():], encoding="utf-8")
    return "updated"


def find(root: Path, app_folders: dict[str, str]) -> list[Block]:
    """Every managed block in the files djstate writes: the root's and each app folder's
    AGENTS.md and CLAUDE.md, and .cursor/rules/djstate-*.mdc."""
    candidates = [root / name for name in TARGET_FILES.values()]
    candidates += [root / folder / name for folder in sorted(set(app_folders.values())) if folder for name in TARGET_FILES.values()]
    rules = root / ".cursor" / "rules"
    candidates += sorted(rules.glob("djstate-*.mdc")) if rules.is_dir() else []
    blocks = []
    for path in dict.fromkeys(candidates):
        if not path.is_file():
            continue
        for m in BLOCK.finditer(path.read_text(encoding="utf-8", errors="replace")):
            budget = None if m["budget"] in (None, "none") else int(m["budget"])
            blocks.append(Block(path, m["app"], budget, m["body"]))
    return blocks
