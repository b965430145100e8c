# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="book-list", permanent=True)),
    path("books/", include("books.urls")),
    path("admin/", admin.site.urls),
]
