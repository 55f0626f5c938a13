"""The shop's queries. Functions named bug_* are wrong (each marks where djstate must report
it); ok_* are their correct twins. tests/test_queries_anchor.py runs every one against SQLite."""

from django.db.models import Avg, Count, F, Prefetch, Q

from .models import Author, Book, Publisher, Review

# ---- the eight anchor bugs ---------------------------------------------------------------


def bug_reverse_default_name():
    publisher = Publisher.published.first()
    return [book.title for book in publisher.book_set.all()]  # djstate: expect DJS502


def bug_lookup_unknown_field(term="dune"):
    return list(Book.objects.filter(titel__icontains=term))  # djstate: expect DJS501


def bug_lookup_bad_hop():
    return list(Book.objects.exclude(publisher__nmae="Ace"))  # djstate: expect DJS501


def bug_lookup_order_by():
    return list(Book.objects.order_by("-published"))  # djstate: expect DJS501


def bug_default_manager_missing():
    return list(Publisher.objects.all())  # djstate: expect DJS503


def bug_select_related_m2m():
    return [book.title for book in Book.objects.select_related("tags")]  # djstate: expect DJS504


def bug_n_plus_one_loop():
    rows = []
    for book in Book.objects.all():
        rows.append((book.title, book.publisher.name))  # djstate: expect DJS505
    return rows


# bug 8, the N+1 in a DRF viewset, is shop.views.BookViewSet


# ---- their correct twins -----------------------------------------------------------------


def ok_reverse_related_name():
    publisher = Publisher.published.first()
    return [book.title for book in publisher.books.all()]


def ok_reverse_default_accessor_with_query_name():
    author = Author.objects.first()
    return [book.title for book in author.book_set.all()]  # only related_query_name is set


def ok_lookup_field(term="dune"):
    return list(Book.objects.filter(title__icontains=term))


def ok_lookup_hop():
    return list(Book.objects.exclude(publisher__name="Ace"))


def ok_lookup_order_by():
    return list(Book.objects.order_by("-published_on", "?"))


def ok_custom_manager():
    return list(Publisher.published.all())


def ok_select_related_fk():
    return [book.publisher.name for book in Book.objects.select_related("publisher", "author")]


def ok_loop_select_related():
    rows = []
    for book in Book.objects.select_related("publisher"):
        rows.append((book.title, book.publisher.name))
    return rows


# ---- further cases -----------------------------------------------------------------------


def bug_values_list():
    return list(Book.objects.values_list("titel", flat=True))  # djstate: expect DJS501


def ok_values_list():
    return list(Book.objects.values_list("title", "publisher__name"))


def bug_values_hop():
    return list(Review.objects.values("book__titel"))  # djstate: expect DJS501


def ok_values_hop():
    return list(Review.objects.values("book__title", "rating"))


def bug_f_expression():
    return list(Book.objects.filter(price__gt=F("prise")))  # djstate: expect DJS501


def ok_f_expression():
    return list(Book.objects.filter(price__gte=F("price")))


def bug_q_object():
    return list(Book.objects.filter(Q(titel__startswith="D") | Q(price__lt=5)))  # djstate: expect DJS501


def ok_q_object():
    return list(Book.objects.filter(Q(title__startswith="D") | Q(price__lt=5)))


def bug_count_name():
    return list(Book.objects.annotate(n=Count("reviewz")))  # djstate: expect DJS501


def ok_count_name():
    return list(Book.objects.annotate(n=Count("reviews")).filter(n__gte=0).order_by("-n"))


def bug_annotation_name():
    return list(Book.objects.annotate(n=Count("reviews")).filter(nn__gte=0))  # djstate: expect DJS501


def bug_second_hop():
    return list(Review.objects.filter(book__autor__name="Le Guin"))  # djstate: expect DJS501


def ok_second_hop():
    return list(Review.objects.filter(book__author__name="Le Guin"))


def bug_lookup_suffix():
    return list(Book.objects.filter(title__startwith="D"))  # djstate: expect DJS501


def ok_lookup_suffix():
    return list(Book.objects.filter(title__startswith="D", published_on__year__gte=2000))


def bug_transform_wrong_type():
    return list(Book.objects.filter(title__year=2000))  # djstate: expect DJS501


def bug_kwargs_dict():
    return list(Book.objects.filter(**{"titel": "Dune"}))  # djstate: expect DJS501


def ok_kwargs_dict():
    return list(Book.objects.filter(**{"title": "Dune", "publisher_id__gt": 0}))


def bug_related_query_name():
    return list(Author.objects.filter(book__title="Dune"))  # djstate: expect DJS502


def ok_related_query_name():
    return list(Author.objects.filter(work__title="Dune"))


def bug_hidden_reverse():
    return list(Author.objects.filter(author__name="Ursula"))  # djstate: expect DJS502


def bug_get_or_create():
    return Review.objects.get_or_create(ratin=5, book=Book.objects.first())  # djstate: expect DJS501


def ok_get_or_create():
    return Review.objects.get_or_create(rating=5, book=Book.objects.first())


def bug_prefetch_name():
    return [b.title for b in Book.objects.prefetch_related("reviewz")]  # djstate: expect DJS501


def bug_prefetch_object():
    return [b.title for b in Book.objects.prefetch_related(Prefetch("reviewz"))]  # djstate: expect DJS501


def ok_prefetch():
    queryset = Review.objects.filter(rating__gte=3)
    return [b.title for b in Book.objects.prefetch_related("tags", Prefetch("reviews", queryset=queryset))]


def bug_aggregate():
    return Review.objects.aggregate(Avg("ratng"))  # djstate: expect DJS501


def ok_aggregate():
    return Review.objects.aggregate(Avg("rating"), best=Count("pk"))


def bug_select_related_plain_field():
    return [b.title for b in Book.objects.select_related("publisher__country")]  # djstate: expect DJS504


def bug_select_related_reverse_fk():
    return [p.name for p in Publisher.published.select_related("books")]  # djstate: expect DJS504


def ok_attname_and_pk():
    return list(Book.objects.filter(publisher_id=1, pk__in=[1, 2], author=1).only("title").defer("price"))


def bug_only():
    return list(Book.objects.only("titel"))  # djstate: expect DJS501


def ok_reverse_query_names():
    return list(Publisher.published.filter(books__reviews__rating__gte=4).distinct())


def bug_n_plus_one_comprehension():
    return [book.publisher.name for book in Book.objects.filter(price__gte=0)]  # djstate: expect DJS505


def bug_n_plus_one_reverse_count():
    return {p.name: p.books.count() for p in Publisher.published.all()}  # djstate: expect DJS505


def ok_n_plus_one_annotated():
    return {p.name: p.n for p in Publisher.published.annotate(n=Count("books"))}


def ok_loop_prefetch_m2m():
    return [[t.label for t in b.tags.all()] for b in Book.objects.prefetch_related("tags")]


def bug_after_custom_method():
    return list(Book.objects.cheap().filter(titel="Dune"))  # djstate: expect DJS501


def ok_after_custom_method():
    return list(Book.objects.cheap().filter(title="Dune")) + list(Book.objects.rated().filter(stars__gte=1))
