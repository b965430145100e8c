"""Request and response bodies as pydantic models.

The order body declares the contract's rules (strict integers, bounds, no unknown keys,
distinct products); `errors.py` turns pydantic's error list into the contract's first
error, exactly as `common.orders.validate_order` reports it in the other two apps.
Evaluated at run time by pydantic: `List`/`Optional`, never `X | Y` (Python 3.9)."""

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from common import orders
from common.contract import MAX_ID, ContractError


class Health(BaseModel):
    status: str


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    description: str


class ProductPage(BaseModel):
    items: list[ProductOut]
    limit: int
    offset: int
    total: int


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: StrictInt = Field(ge=1, le=MAX_ID)
    quantity: StrictInt = Field(ge=1, le=orders.QUANTITY_MAX)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: StrictInt = Field(ge=1, le=MAX_ID)
    items: list[OrderLineIn] = Field(min_length=1, max_length=orders.ITEMS_MAX)

    @model_validator(mode="after")
    def _distinct_products(self) -> "OrderIn":
        try:
            orders.check_duplicates([orders.Line(i.product_id, i.quantity) for i in self.items])
        except ContractError as exc:
            raise PydanticCustomError(
                "duplicate_product", "{message}", {"message": exc.message, "field": exc.field}
            ) from None
        return self


class OrderLineOut(BaseModel):
    product_id: int
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    line_total_cents: int


class OrderOut(BaseModel):
    id: int
    customer_id: int
    status: str
    created_at: str = Field(description="UTC, ISO 8601, whole seconds")
    items: list[OrderLineOut]
    subtotal_cents: int
    tax_cents: int
    total_cents: int


class CategoryStats(BaseModel):
    category: str
    count: int
    total: int
    min: int
    max: int
    mean: float


class ComputeResult(BaseModel):
    size: int
    checksum: int
    median_amount: int
    top_ids: list[int]
    categories: list[CategoryStats]


class Waited(BaseModel):
    waited_ms: int
