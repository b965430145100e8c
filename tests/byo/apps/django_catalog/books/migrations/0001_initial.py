# mypy: ignore-errors
# (a fixture app: type-checked, if at all, by its own project, in its own environment)
# ruff: noqa: RUF012 - Django reads these class attributes
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Book",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("author", models.CharField(max_length=100)),
                ("year", models.IntegerField()),
            ],
            options={"ordering": ["title"]},
        ),
    ]
