"""Treatments: the conditions the clinic treats and the procedures it uses."""

from django.db import models
from django.urls import reverse

from pages.models.base import Content, MarkdownBody
from pages.models.images import image_field
from pages.prices import price_field


class Treatment(Content, MarkdownBody):
    """A condition the clinic treats, or a procedure it uses; each links to the other."""

    class Kind(models.TextChoices):
        CONDITION = "condition", "Condition we treat"
        PROCEDURE = "procedure", "Procedure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One or two plain sentences for lists and search."
    )
    hero_image = image_field(
        related_name="treatment_heroes",
        help_text="Shown large at the top of the page. Optional.",
    )
    procedures = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="conditions",
        limit_choices_to={"kind": Kind.PROCEDURE},
        help_text="For a condition: the procedures used to treat it.",
    )
    performed_by = models.ManyToManyField(
        "pages.TeamMember",
        blank=True,
        related_name="treatments",
        verbose_name="performed by",
        help_text="The clinicians who perform this treatment, named on its page.",
    )
    asks_about_changes = models.BooleanField(
        default=False,
        help_text="Ask patients booking for this whether it has changed, bled or itched.",
    )
    # Facts are shown only when filled in: leave them empty until a clinician approves them.
    procedure_time = models.CharField(
        max_length=100, blank=True, help_text="For example: “About 30 minutes”."
    )
    anaesthetic = models.CharField(
        max_length=100, blank=True, help_text="For example: “Local anaesthetic”."
    )
    recovery = models.CharField(max_length=200, blank=True)
    scarring = models.CharField(
        max_length=200, blank=True, help_text="For example: “A small scar that fades with time”."
    )
    aftercare = models.TextField(
        blank=True, help_text="How to look after the treated skin, and for how long."
    )
    urgent_advice = models.TextField(
        "when to see a GP urgently",
        blank=True,
        help_text="The signs after treatment that mean a patient should see a GP or call "
        "NHS 111 straight away.",
    )
    price_from = price_field(
        "from price (£)", help_text="Empty: the page says “Price on consultation”."
    )
    price_includes = models.TextField(
        "what the price includes",
        blank=True,
        help_text="For example: “Includes the procedure and one follow-up appointment.”",
    )
    medical_advice_note = models.TextField(
        "when to get medical advice",
        blank=True,
        help_text="For example: a mole that changes, bleeds or itches should be seen by a GP.",
    )
    is_featured = models.BooleanField(
        "featured on the home page", default=False, help_text="Listed on the home page."
    )
    sort_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first."
    )

    class Meta:
        ordering = ["sort_order", "title"]

    def get_absolute_url(self):
        return reverse("pages:treatment_detail", kwargs={"slug": self.slug})

    @property
    def is_condition(self):
        return self.kind == self.Kind.CONDITION

    @property
    def has_key_facts(self):
        """Whether the page's key facts box has anything to show (its price line aside)."""
        facts = [self.procedure_time, self.anaesthetic, self.recovery, self.scarring]
        return any(facts) or bool(self.price_from) or bool(self.price_includes)

    @property
    def has_aftercare(self):
        return bool(self.aftercare or self.urgent_advice)

    def related_treatments(self):
        """A condition's procedures, or the conditions a procedure treats."""
        return (self.procedures if self.is_condition else self.conditions).all()

    def is_related_expression(self):
        """For annotating a Treatment queryset: is the row one of related_treatments()?

        Lets a treatment page fetch every published treatment (the booking form's choices)
        and its cross-links in one query.
        """
        links = Treatment.procedures.through.objects
        if self.is_condition:
            links = links.filter(from_treatment=self, to_treatment=models.OuterRef("pk"))
        else:
            links = links.filter(to_treatment=self, from_treatment=models.OuterRef("pk"))
        return models.Exists(links)
