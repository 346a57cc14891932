"""What a consultation costs and the cancellation terms: one row for the whole site."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.urls import reverse

from pages.models.clinics import Clinic
from pages.models.simple_pages import Page
from pages.prices import price_field
from pages.querysets import ContentQuerySet

# The full terms page, linked from the short form when it is published.
TERMS_PAGE_SLUG = "terms"


@dataclass(frozen=True)
class ConsultationFee:
    """A consultation's fee and what it includes; `clinic` when it is one clinic's own."""

    amount: Decimal | None
    includes: str
    clinic: Clinic | None = None

    def __bool__(self):
        return bool(self.amount or self.includes)


class FeesAndTerms(models.Model):
    """
    The consultation fee and what it includes (a clinic may set its own), and the short
    form of the cancellation terms. One row, edited in the admin; until it is filled in,
    pages show no fee and no terms.
    """

    consultation_fee = price_field(
        "consultation fee (£)",
        help_text="Empty: no fee is shown. A clinic with a different fee sets its own.",
    )
    consultation_fee_includes = models.TextField(
        "what the consultation includes",
        blank=True,
        help_text="For example: how long it lasts, who you see, and whether the fee counts "
        "towards the treatment.",
    )
    what_to_bring = models.TextField(
        "what to bring to a consultation",
        blank=True,
        help_text="Shown in the emails confirming and reminding patients of an appointment, "
        "for example a list of their medicines. Empty: not shown.",
    )
    cancellation_terms = models.TextField(
        "cancellation terms (short form)",
        blank=True,
        help_text="Two or three plain sentences, shown beside the booking form. The full "
        "terms page (/terms/) is linked when it is published.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Bulk writes also refresh the page cache (pages/querysets.py).
    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = "fees and terms"
        verbose_name_plural = "fees and terms"

    def __str__(self):
        return "Fees and terms"

    @classmethod
    def load(cls):
        """The row (with whether the full terms page is published), in one query; or an
        unsaved blank one before staff fill it in."""
        terms_published = models.Exists(Page.objects.published().filter(slug=TERMS_PAGE_SLUG))
        row = cls.objects.annotate(terms_page_published=terms_published).order_by("pk").first()
        return row or cls()

    @property
    def terms_url(self):
        """The full terms page's address, or "" while it is not published."""
        if getattr(self, "terms_page_published", False):
            return reverse("pages:page_detail", kwargs={"slug": TERMS_PAGE_SLUG})
        return ""

    def fee_at(self, clinic: Clinic) -> ConsultationFee:
        """The clinic's fee and text; each that the clinic leaves empty is the site-wide one."""
        return ConsultationFee(
            amount=clinic.consultation_fee or self.consultation_fee,
            includes=clinic.consultation_fee_includes or self.consultation_fee_includes,
            clinic=clinic,
        )

    def fees_at(self, clinics: list[Clinic]) -> list[ConsultationFee]:
        """
        The fees to show beside a choice of `clinics`: one, when they all charge the same;
        otherwise one per clinic, each naming its clinic. None when nothing is filled in.
        """
        at_clinics = [self.fee_at(clinic) for clinic in clinics]
        if len({(fee.amount, fee.includes) for fee in at_clinics}) > 1:
            return [fee for fee in at_clinics if fee]
        if at_clinics:
            fee = ConsultationFee(at_clinics[0].amount, at_clinics[0].includes)
        else:
            fee = ConsultationFee(self.consultation_fee, self.consultation_fee_includes)
        return [fee] if fee else []
