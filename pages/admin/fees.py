"""The admin of fees and terms (one row), and the treatment admin's cost and key-facts parts."""

from django.contrib import admin

from pages.admin.base import SingletonAdmin
from pages.models import FeesAndTerms

# The treatment admin's fieldsets for what a patient can expect and what it costs.
WHAT_TO_EXPECT_FIELDSET = (
    "What to expect (each shown only when filled in)",
    {
        "fields": [
            "procedure_time",
            "anaesthetic",
            "recovery",
            "scarring",
            "aftercare",
            "urgent_advice",
        ],
        "description": "Clinical facts: fill one in only once a clinician has approved it, "
        "or tick “awaiting clinical review” below until they have.",
    },
)
COST_FIELDSET = (
    "Cost",
    {
        "fields": ["price_from", "price_includes"],
        "description": "Without a price the page says “Price on consultation”. The "
        "consultation fee is set once for the site (Fees and terms), or per clinic.",
    },
)
CLINIC_FEE_FIELDSET = (
    "Consultation fee (only if it differs here)",
    {
        "fields": ["consultation_fee", "consultation_fee_includes"],
        "description": "Empty: the site-wide fee and text from Fees and terms.",
    },
)


@admin.register(FeesAndTerms)
class FeesAndTermsAdmin(SingletonAdmin):
    list_display = ["__str__", "consultation_fee", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (
            "Consultation",
            {
                "fields": ["consultation_fee", "consultation_fee_includes", "what_to_bring"],
                "description": "Shown beside the booking form on treatment and clinic pages "
                "and on the booking page (what to bring: in appointment emails only). A "
                "clinic with a different fee sets its own.",
            },
        ),
        ("Cancellation", {"fields": ["cancellation_terms"]}),
        (None, {"fields": ["updated_at"]}),
    ]
