"""
The clinical team: one profile per clinician, shown at /team/ and named on the articles they
write or review and the treatments they perform (docs/content.md, "The clinical team").
"""

import re
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from pages.models.base import Content, MarkdownBody
from pages.models.images import image_field


class Register(NamedTuple):
    """A UK regulator's public register: where patients check a clinician's registration."""

    short_name: str
    name: str
    search_url: str
    # The register's own page for one number, where it has a stable address for it;
    # otherwise patients are sent to the search page with the number shown beside the link.
    entry_url: str
    number_pattern: str
    number_example: str

    def url_for(self, number):
        return self.entry_url.format(number=number) if self.entry_url else self.search_url


class Regulator(models.TextChoices):
    GMC = "gmc", "GMC (doctors)"
    NMC = "nmc", "NMC (nurses)"
    HCPC = "hcpc", "HCPC (health and care professionals)"
    GDC = "gdc", "GDC (dentists and dental care professionals)"
    GPHC = "gphc", "GPhC (pharmacists)"


REGISTERS = {
    Regulator.GMC: Register(
        short_name="GMC",
        name="General Medical Council",
        search_url="https://www.gmc-uk.org/registration-and-licensing/the-medical-register",
        entry_url="https://www.gmc-uk.org/registrants/{number}",
        number_pattern=r"\d{7}",
        number_example="seven digits, such as 1234567",
    ),
    Regulator.NMC: Register(
        short_name="NMC",
        name="Nursing and Midwifery Council",
        search_url="https://www.nmc.org.uk/registration/search-the-register/",
        entry_url="",
        number_pattern=r"\d{2}[A-Z]\d{4}[A-Z]",
        number_example="a PIN such as 12A3456E",
    ),
    Regulator.HCPC: Register(
        short_name="HCPC",
        name="Health and Care Professions Council",
        search_url="https://www.hcpc-uk.org/check-the-register/",
        entry_url="",
        number_pattern=r"[A-Z]{2,3}\d{1,6}",
        number_example="letters then digits, such as PA12345",
    ),
    Regulator.GDC: Register(
        short_name="GDC",
        name="General Dental Council",
        search_url="https://olr.gdc-uk.org/SearchRegister",
        entry_url="https://olr.gdc-uk.org/SearchRegister/SearchResult?RegistrationNumber={number}",
        number_pattern=r"\d{1,7}",
        number_example="digits only, such as 123456",
    ),
    Regulator.GPHC: Register(
        short_name="GPhC",
        name="General Pharmaceutical Council",
        search_url="https://www.pharmacyregulation.org/registers/pharmacist",
        entry_url="https://www.pharmacyregulation.org/registers/pharmacist/registrationnumber/{number}",
        number_pattern=r"\d{7}",
        number_example="seven digits, such as 2012345",
    ),
}


class TeamMember(Content, MarkdownBody):
    """
    A clinician's public profile. `title` is their name, as patients should see it; `body` is
    the biography. The registration is shown only when both regulator and number are filled in.
    """

    title = models.CharField(
        "name", max_length=120, help_text="As patients should see it: “Dr Ross Perry”."
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="For example: “Founder and Medical Director”."
    )
    regulator = models.CharField(
        max_length=10,
        choices=Regulator.choices,
        blank=True,
        help_text="The body the clinician is registered with. Leave empty until confirmed.",
    )
    registration_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="As it appears on the regulator's register, for example a GMC number. "
        "Patients get a link to check it.",
    )
    qualifications = models.CharField(
        max_length=300, blank=True, help_text="As they are usually written: “MBBS, MRCS”."
    )
    portrait = image_field(
        related_name="team_portraits",
        help_text="A head-and-shoulders photo, shown on their profile and the team page. Optional.",
    )
    clinics = models.ManyToManyField(
        "pages.Clinic",
        blank=True,
        related_name="team_members",
        help_text="The clinics where patients can see this clinician.",
    )
    sort_order = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers are listed first on the team page."
    )

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = "team member"

    def get_absolute_url(self):
        return reverse("pages:team_member_detail", kwargs={"slug": self.slug})

    def works_at(self, clinic) -> bool:
        """Whether patients can see them at `clinic`: listed there, or no clinics listed yet."""
        clinic_ids = set(self.clinics.values_list("pk", flat=True))
        return not clinic_ids or clinic.pk in clinic_ids

    def clean(self):
        super().clean()
        self.registration_number = "".join(self.registration_number.split()).upper()
        if self.registration_number and not self.regulator:
            raise ValidationError({"regulator": "Choose who the number is registered with."})
        if self.regulator and self.registration_number:
            register = self.register
            if not re.fullmatch(register.number_pattern, self.registration_number):
                raise ValidationError(
                    {
                        "registration_number": f"A {register.short_name} number is "
                        f"{register.number_example}."
                    }
                )

    def default_description(self):
        return self.role

    @property
    def meta_description(self):
        # Search engines get a description even before a role is filled in.
        return super().meta_description or f"{self.title}, {settings.CLINIC_NAME}."

    @property
    def register(self) -> Register | None:
        return REGISTERS[Regulator(self.regulator)] if self.regulator else None

    @property
    def has_registration(self):
        return bool(self.regulator and self.registration_number)

    @property
    def register_url(self):
        """The public register page where patients can check the registration."""
        if not self.has_registration:
            return ""
        return self.register.url_for(self.registration_number)

    @property
    def register_links_to_entry(self):
        """Whether register_url opens this clinician's own entry (not the search page)."""
        return self.has_registration and bool(self.register.entry_url)

    def works_at_expression(self):
        """For annotating a Clinic queryset: does this clinician work at the row's clinic?

        Lets a profile fetch every published clinic (the footer's and the booking form's) and
        mark theirs in one query.
        """
        links = TeamMember.clinics.through.objects
        return models.Exists(links.filter(teammember=self, clinic=models.OuterRef("pk")))

    def performs_expression(self):
        """For annotating a Treatment queryset: does this clinician perform the row's treatment?"""
        links = TeamMember.treatments.through.objects
        return models.Exists(links.filter(teammember=self, treatment=models.OuterRef("pk")))
