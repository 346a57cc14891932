"""
Money on the pages: the `pounds` filter (the one way a price is shown) and the consultation
fee and cancellation terms box shown beside the booking form.
"""

from django import template

from pages.per_request import fees_and_terms, published_clinics
from pages.prices import format_pounds

register = template.Library()


@register.filter
def pounds(amount):
    """{{ treatment.price_from|pounds }}: "£150", "£99.50"; nothing for no price (never £0)."""
    return format_pounds(amount)


@register.inclusion_tag("includes/consultation_costs.html", takes_context=True)
def consultation_costs(context, clinic=None):
    """
    The consultation fee and what it includes, and the cancellation terms' short form: for
    one clinic's page, that clinic's fee; elsewhere the fee at each published clinic (one
    line when they all charge the same). Nothing at all while none of it is filled in.
    """
    request = context.get("request")
    fees = fees_and_terms(request)
    if clinic is None:
        consultation_fees = fees.fees_at(published_clinics(request))
    else:
        consultation_fees = [fee] if (fee := fees.fee_at(clinic)) else []
    # What the consultation includes, said once when it is the same everywhere.
    texts = {fee.includes for fee in consultation_fees}
    shared_includes = texts.pop() if len(texts) == 1 else ""
    return {
        "consultation_fees": [
            fee for fee in consultation_fees if fee.amount or (fee.includes and not shared_includes)
        ],
        "consultation_includes": shared_includes,
        "fees_by_clinic": len(consultation_fees) > 1,
        "cancellation_terms": fees.cancellation_terms,
        "terms_url": fees.terms_url,
    }
