"""The form on a patient's appointment link: cancel, or another time and when they can come."""

from django import forms

from booking.form_fields import PreferredDaysField, PreferredTimesOfDayField
from booking.models import ConsultationRequest
from booking.preferred_times import check_preferred_times, clinic_times

ChangeRequest = ConsultationRequest.ChangeRequest


class AppointmentChangeForm(forms.Form):
    """
    "I need to cancel" or "I need another time". The days and times of day offered are those
    the appointment's clinic is open (booking.preferred_times), checked as the booking form
    checks them; with "cancel" they are ignored.
    """

    change = forms.ChoiceField(
        label="What do you need?",
        choices=[
            (ChangeRequest.CANCEL, "I need to cancel"),
            (ChangeRequest.NEW_TIME, "I need another time"),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input border-secondary"}),
        error_messages={"required": "Choose whether you need to cancel or another time"},
    )
    preferred_days = PreferredDaysField(label="Days you can usually come")
    preferred_periods = PreferredTimesOfDayField(label="Times of day you can usually come")

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        self.allowed = clinic_times(clinic)
        self.fields["preferred_days"].offer(self.allowed)
        self.fields["preferred_periods"].offer(self.allowed)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("change") == ChangeRequest.NEW_TIME:
            check_preferred_times(
                cleaned.get("preferred_days", []),
                cleaned.get("preferred_periods", []),
                allowed=self.allowed,
                clinic_name=self.clinic.title,
            )
        return cleaned

    def change_details(self) -> dict:
        """The keyword arguments of booking.services.consultation_request_request_change."""
        if self.cleaned_data["change"] == ChangeRequest.CANCEL:
            return {"kind": ChangeRequest.CANCEL}
        return {
            "kind": ChangeRequest.NEW_TIME,
            "preferred_days": self.cleaned_data["preferred_days"],
            "preferred_periods": self.cleaned_data["preferred_periods"],
        }
