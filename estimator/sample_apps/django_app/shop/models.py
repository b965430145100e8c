"""The shop's tables as Django models, and their JSON form."""

from collections.abc import Iterable
from typing import Any

from django.db import models

from common.formatting import iso_utc


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=50, db_index=True)
    price_cents = models.PositiveIntegerField()
    description = models.TextField()

    class Meta:
        db_table = "products"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "sku": self.sku,
            "name": self.name,
            "category": self.category,
            "price_cents": self.price_cents,
            "description": self.description,
        }


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2)

    class Meta:
        db_table = "customers"


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20)
    created_at = models.DateTimeField(db_index=True)
    subtotal_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()

    class Meta:
        db_table = "orders"

    def as_json(self, items: Iterable["OrderItem"]) -> dict[str, Any]:
        return {
            "id": self.pk,
            "customer_id": self.customer_id,  # type: ignore[attr-defined]
            "status": self.status,
            "created_at": iso_utc(self.created_at),
            "items": [item.as_json() for item in items],
            "subtotal_cents": self.subtotal_cents,
            "tax_cents": self.tax_cents,
            "total_cents": self.total_cents,
        }


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    quantity = models.PositiveIntegerField()
    unit_price_cents = models.PositiveIntegerField()

    class Meta:
        db_table = "order_items"

    def as_json(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,  # type: ignore[attr-defined]
            "sku": self.product.sku,
            "name": self.product.name,
            "quantity": self.quantity,
            "unit_price_cents": self.unit_price_cents,
            "line_total_cents": self.quantity * self.unit_price_cents,
        }
