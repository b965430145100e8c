# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
# ruff: noqa: RUF012 - Django reads these class attributes
from django.db import models
from django.urls import reverse


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=100)
    year = models.IntegerField()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("book-detail", args=[self.pk])
