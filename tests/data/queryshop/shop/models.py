from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True)

    published = models.Manager()  # the only manager: Django adds no `objects`


class Author(models.Model):
    name = models.CharField(max_length=100)
    mentor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class Tag(models.Model):
    label = models.CharField(max_length=50)


class BookQuerySet(models.QuerySet):
    def cheap(self):
        return self.filter(price__lt=10)

    def rated(self):
        return self.annotate(stars=models.Avg("reviews__rating"))


class Book(models.Model):
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=6, decimal_places=2)
    published_on = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    # the accessor stays author.book_set; in queries the relation is called "work"
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_query_name="work")
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)

    objects = BookQuerySet.as_manager()


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
