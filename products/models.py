"""The product catalogue: what admins sell and signed-in users browse."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

# \A and \Z mean "start/end of the whole string" in Python's `re` and in PostgreSQL's regular
# expressions alike (`$` would also accept a trailing newline in Python), so the validator and
# the database check agree. SQLite evaluates the check with Django's Python REGEXP function.
SKU_REGEX = r"\A[A-Za-z0-9_-]{1,64}\Z"
SKU_INVALID = "A SKU is 1 to 64 letters, digits, hyphens or underscores."
SKU_TAKEN = "A product with this SKU already exists (SKUs are compared case-insensitively)."
SKU_UNIQUE_CONSTRAINT = "products_product_sku_ci_unique"

PRICE_MAX_DIGITS = 10
PRICE_DECIMAL_PLACES = 2
# PostgreSQL's integer; stated explicitly so SQLite (64-bit integers) accepts the same range.
STOCK_MAX = 2_147_483_647


class Product(models.Model):
    """
    A product in the catalogue.

    The database enforces every invariant: the SKU is unique whatever its case and only uses
    letters, digits, `-` and `_`; the price is a non-negative decimal with two places (never
    a float); the stock is a non-negative integer; the name is not empty.
    """

    name = models.CharField(max_length=200)
    sku = models.CharField(
        "SKU",
        max_length=64,
        validators=[RegexValidator(SKU_REGEX, SKU_INVALID)],
        help_text="Unique, case-insensitively; letters, digits, '-' and '_'.",
    )
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # PositiveIntegerField carries its own `CHECK (stock >= 0)` on PostgreSQL and SQLite.
    stock = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(STOCK_MAX)])
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("sku"), name=SKU_UNIQUE_CONSTRAINT, violation_error_message=SKU_TAKEN),
            models.CheckConstraint(
                condition=models.Q(sku__regex=SKU_REGEX),
                name="products_product_sku_format",
                violation_error_message=SKU_INVALID,
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="products_product_price_non_negative"),
            models.CheckConstraint(condition=~models.Q(name=""), name="products_product_name_not_empty"),
        ]
        # The list orders by these with `id` as the tie-breaker, newest first by default.
        indexes = [
            models.Index(fields=["created_at", "id"], name="products_created_id_idx"),
            models.Index(fields=["price", "id"], name="products_price_id_idx"),
            models.Index(fields=["name", "id"], name="products_name_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"
