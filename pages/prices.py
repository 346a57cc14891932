"""
Prices in pounds sterling: one rule for what a price may be, one way to show it.

A price is optional (empty means "not published": the page says "Price on consultation" or
nothing) and, when given, above £0, so a patient never reads "£0". Shown the UK way:
"£150", "£1,250", "£99.50" (pence only when the amount is not whole).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

MINIMUM_PRICE = Decimal("0.01")


def price_field(verbose_name: str, **options) -> models.DecimalField:
    """An optional amount in pounds, refused at £0 or below (the admin says why)."""
    return models.DecimalField(
        verbose_name,
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                MINIMUM_PRICE,
                message="Enter an amount above £0, or leave it empty if there is no set price.",
            )
        ],
        **options,
    )


def format_pounds(amount: Decimal | int | str | None) -> str:
    """ "£150", "£1,250", "£99.50"; "" for no price (empty, or £0 or less, never shown)."""
    if amount is None or amount == "":
        return ""
    amount = Decimal(amount)
    if amount <= 0:
        return ""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"
