"""A model without its own ``Meta`` takes the ``Meta`` that Python's attribute lookup finds.

ModelBase reads ``attrs.pop("Meta")`` or else ``getattr(new_class, "Meta")``. It pops ``Meta`` from a
concrete class and puts it back on an abstract one, so a child of a concrete model finds the
``Meta`` of the concrete model's abstract base (django-comments-xtd's ``XtdComment(Comment)``
gets ``CommentAbstractModel``'s ordering and permissions), not the concrete model's own.

Django's autodetector is the oracle: makemigrations writes the migrations, djstate must agree
that nothing changed, and then an edit of the abstract base's Meta is judged by both.
"""

from __future__ import annotations

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.db import models


class CommentBase(models.Model):
    text = models.TextField()

    class Meta:
        abstract = True
        ordering = ("text",)
        permissions = [("can_moderate", "Can moderate comments")]
        verbose_name = "comment"


class Comment(CommentBase):
    class Meta(CommentBase.Meta):
        db_table = "shop_comments"


class ThreadedComment(Comment):
    level = models.IntegerField(default=0)


class Reply(ThreadedComment):
    depth = models.IntegerField(default=0)
'''


def _project(root):
    write_project(root, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS})
    make_migrations(root, ["shop"])


@pytest.mark.oracle
def test_children_of_a_concrete_model_take_its_abstract_base_meta(tmp_path):
    _project(tmp_path)
    assert django_operations(tmp_path, ["shop"]) == set()
    operations, findings, _ = djstate_operations(tmp_path)
    assert operations == set(), [f.message for f in findings]


@pytest.mark.oracle
def test_an_edit_of_the_abstract_meta_reaches_every_child(tmp_path):
    _project(tmp_path)
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace('ordering = ("text",)', 'ordering = ("-text",)'))
    expected = django_operations(tmp_path, ["shop"])
    assert {(op, model) for op, model, _ in expected} == {
        ("AlterModelOptions", "comment"), ("AlterModelOptions", "threadedcomment"), ("AlterModelOptions", "reply"),
    }  # fmt: skip
    assert djstate_operations(tmp_path)[0] == expected
