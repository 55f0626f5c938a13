from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import query_case

# a second app whose default manager selects the relation in get_queryset() (migration by Django)
SELECTING_MANAGER_APP = {
    "stock/__init__.py": "",
    "stock/migrations/__init__.py": "",
    "stock/models.py": (
        "from django.db import models\n\n\n"
        "class Shelf(models.Model):\n"
        "    name = models.CharField(max_length=50)\n\n\n"
        "class WithShelf(models.Manager):\n"
        "    def get_queryset(self):\n"
        "        return super().get_queryset().select_related('shelf')\n\n\n"
        "class Item(models.Model):\n"
        "    name = models.CharField(max_length=50)\n"
        "    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name='items')\n\n"
        "    objects = WithShelf()\n"
        "    plain = models.Manager()\n"
    ),
    "stock/migrations/0001_initial.py": (
        "import django.db.models.deletion\n"
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [\n"
        "        migrations.CreateModel(name='Shelf', fields=[\n"
        "            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n"
        "            ('name', models.CharField(max_length=50)),\n"
        "        ]),\n"
        "        migrations.CreateModel(name='Item', fields=[\n"
        "            ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n"
        "            ('name', models.CharField(max_length=50)),\n"
        "            ('shelf', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='stock.shelf')),\n"
        "        ]),\n"
        "    ]\n"
    ),
}


class NPlusOneLoop(Rule):
    """A relation read for every row of a loop over a queryset that does not load it.

    ## What it does
    Follows ``for`` loops and comprehensions over ``Model.<manager>...`` querysets. When the
    body reads a forward foreign key or one-to-one relation of the row (``book.publisher``), or
    calls ``.all()``/``.count()``/``.exists()`` on a reverse or many-to-many relation
    (``publisher.books.count()``), and the queryset's chain has no ``select_related`` /
    ``prefetch_related`` naming it, the read is reported once per loop. Querysets built
    elsewhere (a variable, a related manager), chains with computed arguments and chains on a
    manager with a ``get_queryset()`` of its own (it may select the relation) are not judged.

    ## Why it matters
    Each read runs one more query per row: a page over 100 rows makes 101 queries. Nothing
    fails; it is just slow, and grows with the data.

    ## Example
    ```python
    for book in Book.objects.all():
        print(book.publisher.name)       # one query per book
    ```

    ## Fix
    ``Book.objects.select_related("publisher")`` for foreign keys and one-to-one relations,
    ``prefetch_related("books")`` for many-valued ones, or ``annotate(n=Count("books"))`` for counts.
    """

    code = "DJS505"
    name = "n-plus-one-loop"
    severity = "warning"
    needs_models = True
    needs_queries = True

    VALID = [
        query_case(
            "def ok():\n"
            "    for book in Book.objects.select_related('publisher'):\n"
            "        print(book.publisher.name, book.publisher_id)\n"
            "    [[t.label for t in b.tags.all()] for b in Book.objects.prefetch_related('tags')]\n"
            "    {p.name: p.n for p in Publisher.published.annotate(n=Count('books'))}\n"
            "    [b.title for b in Book.objects.all()]\n"
        ),
        # the default manager's get_queryset() selects the shelf: one query for the loop
        query_case(
            "from stock.models import Item\n\n\n"
            "def shelves():\n"
            "    return [item.shelf.name for item in Item.objects.all()]\n",
            **SELECTING_MANAGER_APP,
        ),
    ]
    INVALID = [
        query_case(
            "def bad():\n"
            "    for book in Book.objects.all():\n"
            "        print(book.title, book.publisher.name)  # expect: DJS505\n"
            "    [b.publisher.name for b in Book.objects.filter(price__gte=0)]  # expect: DJS505\n"
            "    {p.name: p.books.count() for p in Publisher.published.all()}  # expect: DJS505\n"
        ),
        query_case(
            "from stock.models import Item\n\n\n"
            "def shelves():\n"
            "    return [item.shelf.name for item in Item.plain.all()]  # expect: DJS505\n",
            **SELECTING_MANAGER_APP,
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
