"""The clinic's locations: contact details, getting there, access and what each one treats.
Opening hours and closures are in pages/models/hours.py."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.urls import reverse

from clinic_site.phones import parse_phone, phone_e164
from pages.models.base import Content, PublishedQuerySet
from pages.models.images import image_field
from pages.models.treatments import Treatment
from pages.prices import price_field

# The yes/no/unknown access facts: (field name, what patients are told it is).
ACCESS_FACTS = [
    ("step_free_access", "Step-free access"),
    ("hearing_loop", "Hearing loop"),
    ("accessible_toilet", "Accessible toilet"),
]
# An open map service, searched for the address: no third-party embed or script on the page.
MAP_SEARCH_URL = "https://www.openstreetmap.org/search"


class ClinicQuerySet(PublishedQuerySet):
    def with_offer_of(self, treatment):
        """
        Each clinic annotated with whether it offers `treatment`: `lists_treatment` (it is
        among the treatments ticked for it) and `lists_any_treatment` (any are ticked), for
        `clinics_offering` to read without a query of its own.
        """
        ticked = Clinic.treatments.through.objects.filter(clinic=models.OuterRef("pk"))
        return self.annotate(
            offer_checked_for=models.Value(treatment.pk),
            lists_treatment=models.Exists(ticked.filter(treatment=treatment)),
            lists_any_treatment=models.Exists(ticked),
        )

    def not_offering(self, treatment):
        """Clinics that list the treatments they offer, and `treatment` is not among them."""
        return self.filter(treatments__isnull=False).exclude(treatments=treatment).distinct()


class Clinic(Content):
    """One of the clinic's locations, where patients can book."""

    city = models.CharField(max_length=100)
    summary = models.CharField(max_length=300, blank=True)
    photo = image_field(
        related_name="clinic_photos",
        help_text="The clinic, inside or out: helps patients recognise it. Optional.",
    )
    # Contact facts are shown only when filled in: never guess an address or hours.
    phone = models.CharField(
        max_length=30, blank=True, help_text="Empty: the main number is shown."
    )
    email = models.EmailField(blank=True, help_text="Shown to patients when filled in.")
    address = models.TextField(blank=True, help_text="Street address, one line per line.")
    postcode = models.CharField(max_length=10, blank=True)
    directions = models.TextField(
        "directions and public transport",
        blank=True,
        help_text="For example: the nearest stations and bus stops, and the way from them.",
    )
    parking = models.TextField(blank=True, help_text="Where patients can park, and the cost.")
    # Access facts: None is "not known", and is not shown.
    step_free_access = models.BooleanField(
        null=True, blank=True, help_text="Into the building and to the treatment rooms."
    )
    hearing_loop = models.BooleanField(null=True, blank=True)
    accessible_toilet = models.BooleanField(null=True, blank=True)
    accessibility_note = models.TextField(
        "more about access",
        blank=True,
        help_text="For example: a lift to the second floor, or a ramp at the side door.",
    )
    treatments = models.ManyToManyField(
        Treatment,
        blank=True,
        related_name="clinics",
        help_text="The treatments offered here. None ticked: not known yet, and patients may "
        "ask for any treatment at this clinic.",
    )
    # Empty: the site-wide fee and text (Fees and terms, FeesAndTerms.fee_at()).
    consultation_fee = price_field(
        "consultation fee (£)", help_text="Only if this clinic's fee differs. Empty: the usual fee."
    )
    consultation_fee_includes = models.TextField(
        "what the consultation includes",
        blank=True,
        help_text="Only if it differs at this clinic. Empty: the usual text.",
    )
    notification_email = models.EmailField(
        blank=True,
        help_text="Inbox told about new consultation requests for this clinic. "
        "Empty: the site-wide staff inbox.",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = ClinicQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "title"]

    def get_absolute_url(self):
        return reverse("pages:clinic_detail", kwargs={"slug": self.slug})

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def own_phone(self):
        """
        The clinic's own number, or "" when it has none: pages then show the main number,
        called that. The main number entered as a clinic's own is still the main number.
        """
        number, main = parse_phone(self.phone), parse_phone(settings.CLINIC_PHONE)
        if number is not None and main is not None and phone_e164(number) == phone_e164(main):
            return ""
        return self.phone.strip()

    @property
    def map_url(self):
        """A search for the address on OpenStreetMap; "" until an address or postcode is known."""
        if not (self.address_lines or self.postcode):
            return ""
        parts = [*self.address_lines, self.postcode or self.city]
        return f"{MAP_SEARCH_URL}?{urlencode({'query': ', '.join(parts)})}"

    def access_facts(self):
        """(what, True or False) for each access fact that is known, in a steady order."""
        known = [(label, getattr(self, name)) for name, label in ACCESS_FACTS]
        return [(label, value) for label, value in known if value is not None]

    def offers_expression(self):
        """For annotating a Treatment queryset: is the row among the treatments offered here?"""
        return models.Exists(
            Clinic.treatments.through.objects.filter(clinic=self, treatment=models.OuterRef("pk"))
        )


def clinics_offering(treatment, clinics):
    """
    Of `clinics`, those a patient may choose for `treatment`: each one that lists it among
    the treatments it offers, and each one that lists none (not known yet: never ruled out).
    Reads the annotations of `with_offer_of(treatment)` if the clinics have them, else
    asks the database once.
    """
    clinics = list(clinics)
    if all(getattr(c, "offer_checked_for", None) == treatment.pk for c in clinics):
        return [c for c in clinics if c.lists_treatment or not c.lists_any_treatment]
    ruled_out = set(
        Clinic.objects.filter(pk__in=[c.pk for c in clinics])
        .not_offering(treatment)
        .values_list("pk", flat=True)
    )
    return [c for c in clinics if c.pk not in ruled_out]
