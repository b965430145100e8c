# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
"""Seed data: the load test reads these."""

from django.db import migrations


def seed(apps, schema_editor):
    Item = apps.get_model("stock", "Item")
    Item.objects.bulk_create(Item(name=f"part {i}", quantity=i * 3) for i in range(1, 201))


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]  # noqa: RUF012 - Django reads these
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]  # noqa: RUF012
