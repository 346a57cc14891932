"""
The seeded site with what it costs and what to expect filled in, as the clinic might: every
key fact, a price, aftercare and FAQs on the milia page, general FAQs, the consultation fee
(Bristol's own) and cancellation terms. The seed fills none of it in, so the page checks
that crawl the seeded site (HTML validity, axe) see it only through this.
"""

from decimal import Decimal

from pages.models import Clinic, Treatment
from tests.factories import make_faq, make_fees_and_terms

# The pages that show it, by the name their screenshots and reports use.
FILLED_IN_PAGES = {
    "treatment-filled-in": "/treatments/milia/",
    "faqs": "/faqs/",
    "clinic-own-fee": "/clinics/bristol/",
    "book-with-fees": "/book/",
}


def fill_in_costs_and_faqs():
    Treatment.objects.filter(slug="milia").update(
        procedure_time="About 30 minutes",
        anaesthetic="Numbing cream if you prefer",
        recovery="Back to normal the same day",
        scarring="Rare",
        price_from=Decimal("150.00"),
        price_includes="Includes a follow-up check.",
        aftercare="Keep the skin clean and dry for a day.\n\nUse sun cream for a few weeks.",
        urgent_advice="The skin becomes hot, swollen or more painful.",
    )
    milia = Treatment.objects.get(slug="milia")
    make_faq("Does it hurt?", treatment=milia, body="A little.\n\n- numbing cream\n- ice")
    make_faq("Will they come back?", treatment=milia, body="They can. See [advice](/skin-advice/).")
    make_faq("How do I cancel?", body="Call us on 020 7386 0464.")
    make_faq("Do I need a referral?", body="No.")
    make_fees_and_terms(
        consultation_fee=Decimal("150"),
        consultation_fee_includes="A 30-minute appointment with a doctor.",
        cancellation_terms="Please give us 48 hours' notice.",
    )
    Clinic.objects.filter(slug="bristol").update(consultation_fee=Decimal("125.50"))
