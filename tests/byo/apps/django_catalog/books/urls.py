# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.urls import path

from books import views

urlpatterns = [
    path("", views.BookListView.as_view(), name="book-list"),
    path("<int:pk>/", views.BookDetailView.as_view(), name="book-detail"),
    path("api/", views.api_books, name="api-books"),
    path("api/<int:pk>/", views.api_book, name="api-book"),
]
