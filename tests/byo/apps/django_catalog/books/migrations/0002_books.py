# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
# ruff: noqa: RUF012 - Django reads these class attributes
from django.db import migrations

AUTHORS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"]


def add_books(apps, schema_editor):
    Book = apps.get_model("books", "Book")
    Book.objects.bulk_create(
        Book(title=f"Volume {n:03d}", author=AUTHORS[n % len(AUTHORS)], year=1950 + n)
        for n in range(1, 61)
    )


class Migration(migrations.Migration):
    dependencies = [("books", "0001_initial")]
    operations = [migrations.RunPython(add_books, migrations.RunPython.noop)]
