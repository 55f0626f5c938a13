"""What the query rules' messages say: the closest name of the schema (DJS501) or of the
manager (DJS503) where one is close, and no guess where none is."""

from __future__ import annotations

from djstate.rules.djs503_unknown_manager import MANAGED_BOOK
from djstate.rules.query_cases import query_case
from tests.conftest import run_scan, write_project


def messages(tmp_path, source: str, **extra: str) -> dict[int, str]:
    """queries.py line -> the DJS5xx message on it (the header takes the first lines)."""
    case = query_case(source, **extra)
    result = run_scan(write_project(tmp_path, case.files))
    header = case.files["shop/queries.py"].count("\n") - source.count("\n")
    return {f.line - header: f.message for f in result.findings
            if f.path == "shop/queries.py" and f.code.startswith("DJS5")}  # fmt: skip


def test_unresolved_names_suggest_the_closest_name_of_the_model(tmp_path):
    got = messages(tmp_path,
                   "def bad():\n"
                   "    Book.objects.filter(titel__icontains='x')\n"
                   "    Review.objects.filter(book__publisher__nmae='x')\n"
                   "    Book.objects.filter(title__startwith='D')\n"
                   "    Book.objects.values('zzzz')\n")  # fmt: skip
    assert "has no field or relation 'titel' (did you mean 'title'?)" in got[2]
    assert "shop.Publisher has no field or relation 'nmae' (did you mean 'name'?)" in got[3]
    assert "'startwith' is not a lookup or transform of CharField (shop.Book) (did you mean 'startswith'?)" in got[4]
    assert "has no field or relation 'zzzz'" in got[5] and "did you mean" not in got[5]


def test_a_missing_manager_or_queryset_method_names_the_classes_and_the_closest_method(tmp_path):
    got = messages(tmp_path,
                   "def bad():\n"
                   "    Book.objects.chaep()\n"
                   "    Author.objects.cheap()\n"
                   "    Book.in_print.zzzz()\n"
                   "    Book.objects.filter(price__lt=5).chep()\n"
                   "    Book.shelf.all().shelved()\n",
                   **{"shop/models.py": MANAGED_BOOK})  # fmt: skip
    assert got[2] == ("shop.Book: manager 'objects' (BookQuerySet) has no method 'chaep' (did you mean 'cheap'?). "
                      "The call raises AttributeError")  # fmt: skip
    assert got[3].startswith("shop.Author: manager 'objects' (Django's Manager) has no method 'cheap'")
    assert got[4] == "shop.Book: manager 'in_print' (InPrintManager) has no method 'zzzz'. The call raises AttributeError"
    assert got[5] == ("shop.Book: the QuerySet of manager 'objects' (BookQuerySet) has no method 'chep' "
                      "(did you mean 'cheap'?). The call raises AttributeError")  # fmt: skip
    # a method of the manager class is not one of its QuerySet's
    assert got[6].startswith("shop.Book: the QuerySet of manager 'shelf' (Django's QuerySet) has no method 'shelved'")
