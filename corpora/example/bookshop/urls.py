"""
URL configuration for the bookshop project.
"""

from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.views import MeView
from catalog.views import AuthorViewSet, BookViewSet, GenreViewSet, NewReleasesView, PublisherViewSet
from orders.views import OrderLineViewSet, OrderViewSet
from reviews.views import ReviewViewSet

router = DefaultRouter()
router.register("publishers", PublisherViewSet)
router.register("authors", AuthorViewSet)
router.register("genres", GenreViewSet)
router.register("books", BookViewSet, basename="book")
router.register("orders", OrderViewSet, basename="order")
router.register("order-lines", OrderLineViewSet)
router.register("reviews", ReviewViewSet, basename="review")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/me/", MeView.as_view(), name="me"),
    path("api/new-releases/", NewReleasesView.as_view(), name="new-releases"),
    path("api/", include(router.urls)),
    path("api-auth/", include("rest_framework.urls")),
]
