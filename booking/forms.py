"""
The consultation request form, shown on /book/ and in the sidebar of content pages.

Server-side validation is the truth: every field has its own plain-English message, the form
is rendered with `novalidate` so the browser never pre-empts the error summary, and each field
shows at most one message at a time (the first problem to fix).
"""

import unicodedata
from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.functional import cached_property

from booking import consent, tokens
from booking.clinic_choice import not_offered_message, where_offered_note
from booking.form_fields import (
    ChoiceBySlugField,
    PlainTextField,
    PreferredDaysField,
    PreferredTimesOfDayField,
    TelInput,
    TreatmentChoiceField,
    UncheckedField,
    has_control_characters,
)
from booking.models import ConsultationRequest
from booking.preferred_times import (
    Day,
    TimeOfDay,
    check_preferred_times,
    clinic_times,
    joined_codes,
    times_at_any,
)
from clinic_site.phones import is_valid_phone, parse_phone, phone_e164
from pages.models import Clinic, Treatment

PHONE_EXAMPLE = "Enter a phone number, like 020 7386 0464 or +44 7700 900123"
MESSAGE_MAX_LENGTH = 2000
SOURCE_PATH_MAX_LENGTH = ConsultationRequest._meta.get_field("source_path").max_length
# In the error summary when the form's token can't be used (someone else's, forged, or
# expired and already sent): nothing was stored, and the form is sent again with a fresh one.
SEND_AGAIN_MESSAGE = "Please check your details and send your request again."


class ConsultationRequestForm(forms.Form):
    full_name = PlainTextField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(
            attrs={"autocomplete": "name", "spellcheck": "false", "autocapitalize": "words"}
        ),
        error_messages={
            "required": "Enter your full name",
            "max_length": "Your full name must be 200 characters or fewer",
            "control_characters": "Your name contains a hidden control character (this can "
            "happen with pasted text). Type your name again",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Your email address must be 254 characters or fewer",
            "null_characters_not_allowed": "Enter an email address in the correct format, "
            "like name@example.com",
        },
    )
    phone = PlainTextField(
        label="Phone number",
        max_length=40,
        help_text="For a number outside the UK, start with the country code, like +33.",
        widget=TelInput(attrs={"autocomplete": "tel"}),
        error_messages={
            "required": "Enter your phone number",
            "max_length": PHONE_EXAMPLE,
            "control_characters": PHONE_EXAMPLE,
        },
    )
    clinic = ChoiceBySlugField(
        label="Preferred clinic",
        queryset=Clinic.objects.published().order_by("sort_order", "title"),
        to_field_name="slug",
        required=False,
        empty_label="No preference",
        error_messages={"invalid_choice": "Choose a clinic from the list, or No preference"},
    )
    treatment = TreatmentChoiceField(
        label="Treatment or concern",
        queryset=Treatment.objects.published().order_by("kind", "sort_order", "title"),
        to_field_name="slug",
        required=False,
        empty_label="Not sure",
        help_text="Choose “Not sure” if you would like advice on what suits you.",
        error_messages={
            "invalid_choice": "Choose a treatment or concern from the list, or Not sure"
        },
    )
    contact_method = forms.ChoiceField(
        label="How should we contact you?",
        choices=ConsultationRequest.ContactMethod.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input border-secondary"}),
        error_messages={
            "required": "Tell us how you would like us to contact you",
            "invalid_choice": "Tell us how you would like us to contact you",
        },
    )
    preferred_days = PreferredDaysField()
    preferred_periods = PreferredTimesOfDayField()
    best_time_to_call = PlainTextField(
        label="Anything else about times? (optional)",
        max_length=100,
        required=False,
        help_text="For example, not before 10:00, or the best time to call you.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "max_length": "Your note about times must be 100 characters or fewer",
            "control_characters": "Remove the hidden control characters from your note about times",
        },
    )
    recent_change = forms.ChoiceField(
        label="Has your mole or skin lesion changed, bled or become itchy recently? (optional)",
        choices=ConsultationRequest.RecentChange.choices,
        required=False,
        help_text="For moles and skin lesions.",
        widget=forms.RadioSelect(attrs={"class": "form-check-input border-secondary"}),
        error_messages={"invalid_choice": "Choose yes, no or not sure"},
    )
    message = PlainTextField(
        label="Message (optional)",
        multiline=True,
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        help_text="Anything else you would like us to know. Up to 2,000 characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": "Your message must be 2,000 characters or fewer. "
            "It has %(show_value)s now",
            "control_characters": "Your message contains hidden control characters (these "
            "can come from pasted text). Remove them and try again",
        },
    )
    consent = forms.BooleanField(
        # The label (the wording and a link to the privacy notice) is set in __init__.
        error_messages={
            "required": "Tick the box to agree that we may use your information to respond "
            "to your request"
        },
    )
    marketing_opt_in = forms.BooleanField(required=False)
    confirmed_adult = forms.BooleanField(
        label="I am 18 or over",
        help_text="Our clinics treat adults.",
        error_messages={"required": "Confirm that you are 18 or over"},
    )
    # Hidden from people and from assistive technology; bots fill it in.
    website = UncheckedField(
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = UncheckedField(max_length=tokens.MAX_LENGTH, widget=forms.HiddenInput)
    source_path = UncheckedField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        preselected_treatment: Treatment | None = None,
        clinics: list[Clinic] | None = None,
        treatments: list[Treatment] | None = None,
        csrf_secret: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The sender's CSRF secret: the form token must have been issued to them.
        self.csrf_secret = csrf_secret
        # `or None`: a template variable that isn't set arrives as "", not None.
        self.preselected_treatment = preselected_treatment or None
        # The published clinics and treatments, when the page has already fetched them:
        # the choices are shown from these instead of a query each. Without them (a form
        # sent to /book/) the clinics are fetched once, with what checking the preferred
        # times and setting the response target read: one query each for the list, the
        # hours and the closures, and the chosen clinic is picked from the list.
        if clinics is None:
            clinics = list(
                self.fields["clinic"].queryset.prefetch_related("opening_hours", "closures")
            )
        else:
            prefetch_related_objects(clinics, "opening_hours")
        self.fields["clinic"].listed_objects = clinics
        self.fields["treatment"].listed_objects = treatments
        # Without JavaScript the boxes can't follow the clinic chosen: they offer what any
        # clinic allows, and clean() checks the choice against the chosen clinic's hours.
        self.allowed_at_any_clinic = times_at_any(clinics)
        self.fields["preferred_days"].offer(self.allowed_at_any_clinic)
        self.fields["preferred_periods"].offer(self.allowed_at_any_clinic)
        if self.preselected_treatment is not None:
            # Server-side, no JavaScript: a treatment only some clinics offer says where.
            self.fields["clinic"].help_text = where_offered_note(
                self.preselected_treatment, list(self.fields["clinic"].choices.objects())
            )
        self.fields["consent"].label = consent.consent_label()
        self.fields["marketing_opt_in"].label = (
            f"Send me news and offers from {settings.CLINIC_NAME} by email. "
            "I can unsubscribe at any time."
        )

    def full_clean(self):
        super().full_clean()
        # One message per field: the first thing to put right (no pile of messages).
        for errors in self._errors.values():
            del errors[1:]

    def clean_full_name(self):
        name = self.cleaned_data["full_name"]
        if not any(unicodedata.category(char).startswith("L") for char in name):
            raise forms.ValidationError("Enter your full name, using letters", code="letters")
        return name

    def clean_phone(self):
        number = parse_phone(self.cleaned_data["phone"])
        if number is None:
            raise forms.ValidationError(PHONE_EXAMPLE, code="invalid")
        if number.extension:
            raise forms.ValidationError(
                "Enter a phone number without an extension, like 020 7386 0464",
                code="extension",
            )
        if not is_valid_phone(number):
            raise forms.ValidationError(PHONE_EXAMPLE, code="invalid")
        return phone_e164(number)

    def clean_source_path(self):
        return clean_source_path(self.cleaned_data["source_path"])

    def clean(self):
        cleaned_data = super().clean()
        clinic, treatment = cleaned_data.get("clinic"), cleaned_data.get("treatment")
        # Whether the clinic is known (None: No preference); checked before a message below
        # takes it out of cleaned_data.
        clinic_is_known = "clinic" in cleaned_data
        if clinic is not None and treatment is not None:
            message = not_offered_message(
                clinic, treatment, self.fields["clinic"].choices.objects()
            )
            if message:
                self.add_error("clinic", message)
        if clinic_is_known and {"preferred_days", "preferred_periods"} <= cleaned_data.keys():
            try:
                check_preferred_times(
                    cleaned_data["preferred_days"],
                    cleaned_data["preferred_periods"],
                    allowed=clinic_times(clinic) if clinic else self.allowed_at_any_clinic,
                    clinic_name=clinic.title if clinic else "",
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned_data

    # --- What the view and the service need -------------------------------------------------

    @cached_property
    def token(self) -> tokens.FormToken | None:
        """The form token, or None if it is missing, forged or was issued to someone else."""
        return tokens.read_form_token(
            self.cleaned_data.get("form_token", ""), csrf_secret=self.csrf_secret
        )

    @property
    def spam_reason(self) -> str:
        """
        Why this submission looks automated ("" if it doesn't), for staff to read. Only asked
        of a form with a token: the view never stores one without (docs/security.md).
        """
        reasons = []
        if self.cleaned_data.get("website"):
            reasons.append("honeypot field filled in")
        # The time-trap (off at 0: no age is below it). An expired token passes it: a form
        # shown hours ago was plainly not sent too fast.
        age = self.token.age() if self.token else None
        if age is not None and age < settings.BOOKING_MIN_SECONDS:
            reasons.append(f"sent {age:.1f} s after the form was shown")
        return "; ".join(reasons)[:100]

    def request_details(self) -> dict:
        """Keyword arguments for services.consultation_request_create()."""
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "email": data["email"],
            "phone": data["phone"],
            "clinic": data["clinic"],
            "treatment": data["treatment"],
            "contact_method": data["contact_method"],
            "preferred_days": joined_codes(data["preferred_days"], Day),
            "preferred_periods": joined_codes(data["preferred_periods"], TimeOfDay),
            "best_time_to_call": data["best_time_to_call"],
            "recent_change": data["recent_change"],
            "message": data["message"],
            "marketing_opt_in": data["marketing_opt_in"],
            "confirmed_adult": data["confirmed_adult"],
            "source_path": data["source_path"],
            "submission_token": self.token.nonce if self.token else None,
            "spam_reason": self.spam_reason,
        }

    # --- Rendering -------------------------------------------------------------------------

    @property
    def asks_about_changes(self) -> bool:
        """
        Whether to show "Has it changed, bled or become itchy recently?".

        Without JavaScript the question can't appear when a treatment is picked, so it is
        shown unless the form is for a treatment that doesn't ask it (the milia page, say):
        on /book/, article and clinic pages it appears with the hint "For moles and skin
        lesions". Once answered, or wrongly answered, it always stays on show.
        """
        if self.is_bound:
            name = self.add_prefix("recent_change")
            if self.data.get(name) or self.errors.get("recent_change"):
                return True
            if self.errors.get("treatment"):
                return True
            treatment = self.cleaned_data.get("treatment")
        else:
            treatment = self.preselected_treatment
        return treatment is None or treatment.asks_about_changes

    def ask_to_send_again(self) -> None:
        """Add SEND_AGAIN_MESSAGE to the error summary (after any field's problem)."""
        self.add_error(None, SEND_AGAIN_MESSAGE)

    def error_summary(self) -> list[tuple[str, str]]:
        """(link target id, message) for each problem, in the order of the fields."""
        problems = []
        for field in self:
            if field.errors and not field.is_hidden:
                target = field.auto_id
                if isinstance(field.field.widget, forms.RadioSelect):
                    target = f"{field.auto_id}_0"  # the first option
                problems.append((target, field.errors[0]))
        problems.extend(("booking-form", error) for error in self.non_field_errors())
        return problems

    @cached_property
    def helper(self) -> FormHelper:
        # Read (twice) by {% crispy %} when the form is rendered, after any validation, which
        # decides whether the "changed recently" question shows.
        helper = FormHelper()
        helper.form_id = "booking-form"
        helper.form_method = "post"
        # The sidebar form and /book/ both post to /book/: one place for CSRF, the rate limit
        # and the error page (which keeps the page the patient came from in `source_path`).
        helper.form_action = reverse("booking:request_form")
        helper.attrs = {"novalidate": ""}
        helper.field_template = "booking/crispy/field.html"
        fields = [
            "full_name",
            "email",
            "phone",
            "clinic",
            "treatment",
            "contact_method",
            "preferred_days",
            "preferred_periods",
            "best_time_to_call",
        ]
        if self.asks_about_changes:
            fields.append("recent_change")
        fields += [
            "message",
            "consent",
            "marketing_opt_in",
            "confirmed_adult",
            Div("website", css_class="visually-hidden", aria_hidden="true"),
            "form_token",
            "source_path",
            Submit("send", "Send my request", css_class="btn-lg"),
        ]
        helper.layout = Layout(*fields)
        return helper


def clean_source_path(value: str) -> str:
    """The path part of a local URL ("/treatments/moles/"), or "" for anything else."""
    if not value or len(value) > SOURCE_PATH_MAX_LENGTH or has_control_characters(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return ""
    if parts.path.startswith("//") or "\\" in parts.path:
        return ""
    return parts.path
