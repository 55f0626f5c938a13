"""The virtualenv's reverse-accessor bound is kept by content hash in the facts store's bundles:
an unchanged file is not read by the regexes again, a changed one is, and the bound is the same
as without the store."""

from __future__ import annotations

from djstate.cache import FactsStore
from djstate.state import serializer_reverse_bound
from djstate.state.serializer_reverse_bound import outside_accessors
from tests.conftest import write_project

MODELS = (
    "from django.db import models\n\n"
    "class Badge(models.Model):\n"
    "    owner = models.ForeignKey('auth.User', models.CASCADE, related_name='badges')\n"
)
HELPERS = "class Helper:\n    pass\n"


def _counting(monkeypatch) -> list[bytes]:
    read: list[bytes] = []
    real = serializer_reverse_bound.read_relations

    def counted(text: bytes):
        read.append(text)
        return real(text)

    monkeypatch.setattr(serializer_reverse_bound, "read_relations", counted)
    return read


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    site = write_project(tmp_path / "site", {"clubs/__init__.py": "", "clubs/models.py": MODELS,
                                             "clubs/helpers.py": HELPERS})  # fmt: skip
    store = FactsStore(tmp_path, tmp_path / "cache")
    read = _counting(monkeypatch)
    first = outside_accessors([site], store=store)
    assert first is not None and first.names == {"badges"} and {"badge", "helper"} <= first.classes
    assert len(read) == 3
    read.clear()
    again = outside_accessors([site], store=FactsStore(tmp_path, tmp_path / "cache"))  # a later scan
    assert again == first and read == []
    (site / "clubs" / "models.py").write_text(MODELS.replace("'badges'", "'club_badges'"))
    changed = outside_accessors([site], store=FactsStore(tmp_path, tmp_path / "cache"))
    assert len(read) == 1 and b"club_badges" in read[0]
    assert changed is not None and changed.names == {"club_badges"}
    assert changed == outside_accessors([site])  # the same bound without a store


def test_a_file_that_leaves_the_bound_open_stays_open_when_cached(tmp_path):
    computed = MODELS.replace("related_name='badges'", "related_name=make_name()")
    site = write_project(tmp_path / "site", {"clubs/__init__.py": "", "clubs/models.py": computed})
    assert outside_accessors([site], store=FactsStore(tmp_path, tmp_path / "cache")) is None
    assert outside_accessors([site], store=FactsStore(tmp_path, tmp_path / "cache")) is None
