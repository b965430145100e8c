"""The shop's tables as SQLAlchemy 2 declarative models, and placing an order: shared by the
two SQLAlchemy apps (Flask, FastAPI); each serializes in its own idiom.

Annotations here are evaluated at run time by SQLAlchemy: keep them valid on Python 3.9
(`Optional`, no `X | Y`)."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import DateTime, ForeignKey, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from common import orders
from common.formatting import utc_now


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(50), index=True)
    price_cents: Mapped[int]
    description: Mapped[str] = mapped_column(Text)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str] = mapped_column(String(2))


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    subtotal_cents: Mapped[int]
    tax_cents: Mapped[int]
    total_cents: Mapped[int]
    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan"
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


def place_order(db: Session, customer_id: int, lines: Sequence[orders.Line]) -> Order:
    """Store a validated order; unknown customer or products raise the contract's errors.
    Reads first, then one short write transaction (SQLite takes the write lock at the first
    INSERT and waits for it up to the busy timeout)."""
    if db.get(Customer, customer_id) is None:
        raise orders.unknown_customer(customer_id)
    ids = [line.product_id for line in lines]
    found = {p.id: p for p in db.scalars(select(Product).where(Product.id.in_(ids)))}
    for i, line in enumerate(lines):
        if line.product_id not in found:
            raise orders.unknown_product(i, line.product_id)
    subtotal, tax, total = orders.totals(
        [(line.quantity, found[line.product_id].price_cents) for line in lines]
    )
    order = Order(
        customer_id=customer_id,
        status=orders.ORDER_STATUS,
        created_at=utc_now().replace(tzinfo=None),
        subtotal_cents=subtotal,
        tax_cents=tax,
        total_cents=total,
        items=[
            OrderItem(
                product=found[line.product_id],
                quantity=line.quantity,
                unit_price_cents=found[line.product_id].price_cents,
            )
            for line in lines
        ],
    )
    db.add(order)
    db.commit()
    return order
