# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.contrib import admin

from books.models import Book

admin.site.register(Book)
