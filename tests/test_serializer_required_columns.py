"""DJS405's severity: an error where an in-tree create view saves through the serializer, a
warning where no view is seen using it (the column is still named)."""

from djstate.rules.djs405_required_field_missing import VIEW
from djstate.rules.djs401_unknown_serializer_field import serializer_case
from tests.conftest import run_scan, write_project

SERIALIZER = (
    "class ProductSerializer(serializers.ModelSerializer):\n"
    "    class Meta:\n"
    "        model = Product\n"
    "        fields = ['id', 'title', 'vendor']\n"
)


def _djs405(tmp_path, case):
    root = write_project(tmp_path, case.files)
    return sorted((f.severity, f.field) for f in run_scan(root).findings if f.code == "DJS405")


def test_a_create_view_makes_a_missing_column_an_error(tmp_path):
    assert _djs405(tmp_path, serializer_case(SERIALIZER, **{"shop/views.py": VIEW})) == [("error", "stock")]


def test_without_a_view_the_missing_column_is_a_warning(tmp_path):
    assert _djs405(tmp_path, serializer_case(SERIALIZER)) == [("warning", "stock")]


def test_a_view_that_never_creates_leaves_the_serializer_alone(tmp_path):
    view = VIEW.replace("ListCreateAPIView", "ListAPIView")
    assert _djs405(tmp_path, serializer_case(SERIALIZER, **{"shop/views.py": view})) == []
