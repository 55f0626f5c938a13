"""Staff reports: the lists and numbers the shop team asks for every week.

Called from the admin and from cron jobs; each function returns plain rows.
"""

from django.db.models import Avg, Count, F, Q, Sum

from catalog.models import Book, Publisher
from inventory.models import StockItem, Warehouse
from orders.models import Order, OrderLine
from reviews.models import Review


# Correct reports

def top_rated_books(limit=10):
    books = Book.objects.annotate(rating=Avg("reviews__rating")).filter(rating__isnull=False)
    return list(books.order_by("-rating", "title")[:limit])


def books_per_publisher():
    return list(Publisher.objects.annotate(n_books=Count("books")).values_list("name", "n_books"))


def stock_value_by_warehouse():
    totals = {}
    for item in StockItem.objects.select_related("book", "warehouse"):
        totals[item.warehouse.code] = totals.get(item.warehouse.code, 0) + item.quantity * item.book.price
    return totals


def revenue_since(day):
    paid = Order.objects.filter(status__in=["paid", "shipped"], created_at__date__gte=day)
    return paid.aggregate(revenue=Sum(F("lines__unit_price") * F("lines__quantity")))["revenue"]


# Queries that drifted away from the models

def search_titles(term):
    return list(Book.objects.filter(titel__icontains=term))  # djstate: expect DJS501 (the field is `title`)


def reviews_of_author(last_name):
    return list(Review.objects.filter(book__autors__last_name=last_name))  # djstate: expect DJS501 (Book has `authors`)


def titles_starting_with(letter):
    return list(Book.objects.filter(title__startwith=letter))  # djstate: expect DJS501 (the lookup is `startswith`)


def paid_lines():
    return list(OrderLine.objects.filter(order__status="paid").values_list("book__isbn", "qty"))  # djstate: expect DJS501 (values_list: the field is `quantity`)


def latest_reviews():
    return list(Review.objects.order_by("-created", "book"))  # djstate: expect DJS501 (order_by: the field is `created_at`)


def lines_sold_below_list_price():
    return list(OrderLine.objects.filter(unit_price__lt=F("book__prise")))  # djstate: expect DJS501 (F(): Book has `price`)


def search_books(term):
    return list(Book.objects.filter(Q(title__icontains=term) | Q(summary__icontains=term)))  # djstate: expect DJS501 (Q(): `summary` was renamed to `description`)


def items_per_warehouse():
    return list(Warehouse.objects.annotate(n_items=Count("stock_items")))  # djstate: expect DJS501 (Count(): Warehouse's reverse name is `stock`)


def orders_since(day):
    return list(Order.objects.filter(**{"status__in": ["paid", "shipped"], "created__gte": day}))  # djstate: expect DJS501 (**{...}: the field is `created_at`)


def publishers_of_genre(slug):
    return list(Publisher.objects.filter(book__genres__slug=slug).distinct())  # djstate: expect DJS502 (the query name is `books`, from related_name)


def books_on_sale():
    return list(Book.published.order_by("title"))  # djstate: expect DJS503 (`published` is a BookQuerySet method, not a manager)


def in_print_catalogue():
    return list(Book.in_print.published())  # djstate: expect DJS503 (InPrintManager, a plain Manager, has no `published`)


def book_cards():
    return list(Book.objects.select_related("publisher", "authors"))  # djstate: expect DJS504 (authors is a many-to-many)


def order_line_sheet():
    return list(OrderLine.objects.select_related("order", "book__title"))  # djstate: expect DJS504 (title is not a relation)


def stock_sheet():
    return list(StockItem.objects.select_related("book", "warehouse__city"))  # djstate: expect DJS504


def warehouse_directory():
    return list(Warehouse.objects.prefetch_related("stock", "city"))  # djstate: expect DJS504 (city is not a relation)


def poor_reviews():
    rows = []
    for review in Review.objects.filter(rating__lte=3):
        rows.append((review.book.title, review.rating, review.title))  # djstate: expect DJS505 (book not selected)
    return rows


def items_in_stock():
    return {warehouse.code: warehouse.stock.count() for warehouse in Warehouse.objects.all()}  # djstate: expect DJS505 (one count per warehouse)


def sellable_isbns(code):
    return sorted(StockItem._base_manager.filter(warehouse__code=code).values_list("book__isbn", flat=True))  # djstate: expect DJS507 (lists empty shelves too: StockItem.objects hides quantity 0)
