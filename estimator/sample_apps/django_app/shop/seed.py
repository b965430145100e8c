"""Insert the shared seed rows with the ORM (bulk_create) into a migrated database."""

from common.seed_data import SeedData
from django_app.shop.models import Customer, Order, OrderItem, Product

BATCH = 500


def insert_rows(alias: str, data: SeedData) -> None:
    from django.db import transaction

    with transaction.atomic(using=alias):
        Product.objects.using(alias).bulk_create(
            [Product(**row._asdict()) for row in data.products], batch_size=BATCH
        )
        Customer.objects.using(alias).bulk_create(
            [Customer(**row._asdict()) for row in data.customers], batch_size=BATCH
        )
        Order.objects.using(alias).bulk_create(
            [Order(**row._asdict()) for row in data.orders], batch_size=BATCH
        )
        OrderItem.objects.using(alias).bulk_create(
            [OrderItem(**row._asdict()) for row in data.order_items], batch_size=BATCH
        )
