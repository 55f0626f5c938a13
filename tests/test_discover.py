"""discover.walk: one scandir pass, links resolved only where a folder is a link, loops reported."""

from __future__ import annotations

import os

from djstate import discover
from djstate.discover import walk
from tests.conftest import write_project

APP = {
    "manage.py": "",
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/models.py": "from django.db import models\n",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": "from django.db import migrations\nclass Migration(migrations.Migration):\n    pass\n",
}


def test_tree_of_a_project(tmp_path):
    write_project(tmp_path, {**APP, "node_modules/x/models.py": "", ".hidden/models.py": "", "lib/util.py": ""})
    tree = walk(tmp_path)
    assert tree.manage_files == ["manage.py"]
    assert [(a.path, a.module, a.apps_file, a.migration_files) for a in tree.apps] == [
        ("shop", "shop", "shop/apps.py", ["shop/migrations/0001_initial.py"])
    ]
    assert tree.modules == {
        "manage": "manage.py", "shop": "shop/__init__.py", "shop.apps": "shop/apps.py", "shop.models": "shop/models.py",
        "shop.migrations": "shop/migrations/__init__.py", "shop.migrations.0001_initial": "shop/migrations/0001_initial.py",
        "util": "lib/util.py",  # lib/ has no __init__.py: an import root
    }  # fmt: skip
    assert tree.python_files == 7 and tree.problems == []


def test_virtualenv_build_output_and_excludes_are_skipped(tmp_path):
    write_project(tmp_path, {
        **APP, "venv/pyvenv.cfg": "", "venv/lib/site/models.py": "",
        "build/lib/shop/models.py": "", "vendored/thing.py": "",
    })  # fmt: skip
    tree = walk(tmp_path, exclude=("vendored",))
    assert not any(m.startswith(("venv", "build", "vendored", "lib")) for m in tree.modules)


def test_symlinks_loops_inside_and_outside(tmp_path):
    outside = tmp_path / "outside"
    write_project(outside, {"extra/__init__.py": "", "extra/models.py": "from django.db import models\n"})
    root = write_project(tmp_path / "proj", APP)
    os.symlink("..", root / "shop" / "loop")  # points to a folder that contains it
    os.symlink(root / "shop", root / "alias")  # inside the tree: walked under its real path only
    os.symlink(outside / "extra", root / "extra")  # outside: walked once
    os.symlink(outside / "extra", root / "extra2")  # a second link to the same folder: not again
    tree = walk(root)
    assert [(p.path, p.message.split(":")[0]) for p in tree.problems] == [("shop/loop", "symlink loop")]
    assert not any(m.startswith("alias") for m in tree.modules)
    assert "extra.models" in tree.modules and not any(m.startswith("extra2") for m in tree.modules)


def test_unreadable_folder_is_a_problem(tmp_path, monkeypatch):
    write_project(tmp_path, {**APP, "secret/__init__.py": ""})
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
    tree = walk(tmp_path)
    assert [(p.path, p.message) for p in tree.problems] == [("secret", "cannot read folder: Permission denied")]


def test_unreadable_root(tmp_path):
    tree = walk(tmp_path / "missing")
    assert [p.path for p in tree.problems] == ["."] and tree.modules == {}


def test_each_folder_is_listed_once_and_no_file_is_resolved(tmp_path, monkeypatch):
    files = dict(APP)
    for i in range(30):
        files[f"app{i}/__init__.py"] = ""
        files[f"app{i}/models.py"] = "from django.db import models\n"
    write_project(tmp_path, files)
    listed, resolved = [], []
    real_scandir, real_realpath = os.scandir, os.path.realpath
    monkeypatch.setattr(discover.os, "scandir", lambda p: listed.append(p) or real_scandir(p))
    monkeypatch.setattr(discover.os.path, "realpath", lambda p: resolved.append(p) or real_realpath(p))
    tree = walk(tmp_path)
    assert len(tree.apps) == 31
    assert len(listed) == len(set(listed)) == 1 + 1 + 1 + 30  # root, shop, shop/migrations, app0..29
    assert len(resolved) == 1  # the root only: no folder here is a link
