# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100)
    quantity = models.IntegerField(default=0)
