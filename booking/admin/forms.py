"""The request page's form: assignment, clinical priority and a status change."""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError

from booking.models import ConsultationRequest, staff_name
from pages.models import Clinic, TeamMember

Status = ConsultationRequest.Status


class TriageForm(forms.ModelForm):
    """
    Assignment, the clinical-priority flag and a status change. The form saves nothing
    itself: ConsultationRequestAdmin.save_model passes the answers to booking.services.
    """

    new_status = forms.ChoiceField(label="Change status to", required=False)
    close_outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "---------"), *ConsultationRequest.Outcome.choices],
        help_text="Needed to close the request.",
    )
    appointment_time = forms.SplitDateTimeField(
        label="Appointment",
        required=False,
        widget=AdminSplitDateTime,
        help_text="Needed to book: the date and time of the appointment.",
    )
    booked_clinic = forms.ModelChoiceField(
        label="Appointment clinic",
        queryset=Clinic.objects.all(),
        required=False,
        help_text="Needed to book.",
    )
    booked_team_member = forms.ModelChoiceField(
        label="Team member",
        queryset=TeamMember.objects.published(),
        required=False,
        empty_label="Not named",
        help_text="Optional: who the patient will see. Their name and role go in the emails.",
    )
    email_patient = forms.BooleanField(
        label="Email the patient about this change",
        required=False,
        initial=True,
        help_text="For booking, changing or cancelling an appointment: the confirmation, "
        "update or cancellation, and the reminder. Untick to send none of them.",
    )
    status_note = forms.CharField(
        label="Note for the history",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Optional: what happened, e.g. “Spoke to the patient, will call back”.",
    )

    # Which form field shows an error the workflow reports against a model field.
    ERROR_FIELDS = {
        "status": "new_status",
        "outcome": "close_outcome",
        "appointment_at": "appointment_time",
        "appointment_clinic": "booked_clinic",
        "appointment_with": "booked_team_member",
    }

    class Meta:
        model = ConsultationRequest
        fields = ["assigned_to", "is_clinical_priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "new_status" in self.fields:
            self.fields["new_status"].choices = [
                ("", "No change"),
                *((status, self.status_choice_label(status)) for status in self.allowed()),
            ]
        if "assigned_to" in self.fields:
            field = self.fields["assigned_to"]
            field.queryset = self.instance.assignable_staff()
            field.label_from_instance = staff_name
            field.empty_label = "Nobody"
        if "booked_clinic" in self.fields:
            self.fields["booked_clinic"].initial = (
                self.instance.appointment_clinic_id or self.instance.clinic_id
            )
        if "booked_team_member" in self.fields:
            self.fields["booked_team_member"].initial = self.instance.appointment_with_id

    def allowed(self):
        return self.instance.allowed_transitions()

    def status_choice_label(self, status):
        current = self.instance.status
        if status == current == Status.BOOKED:
            return "Booked: change the appointment"
        if current == Status.CLOSED:
            return f"Reopen as {Status(status).label.lower()}"
        if current == Status.SPAM:
            return "Not spam: back to the queue as new"
        return Status(status).label

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("new_status")
        outcome = cleaned.get("close_outcome") or ""
        appointment_at = cleaned.get("appointment_time")
        appointment_clinic = cleaned.get("booked_clinic")
        appointment_with = cleaned.get("booked_team_member")
        if not status:
            if outcome:
                self.add_error("new_status", "Choose “Closed” to record an outcome.")
            if appointment_at:
                self.add_error("new_status", "Choose “Booked” to record an appointment.")
            return cleaned
        if status != Status.BOOKED:
            # The clinic and team member are filled in for convenience; only a time means
            # staff meant them.
            appointment_clinic = appointment_with = None
        try:
            self.instance.check_transition(
                status,
                outcome=outcome,
                appointment_at=appointment_at,
                appointment_clinic=appointment_clinic,
                appointment_with=appointment_with,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(self.ERROR_FIELDS.get(field), field_errors)
        cleaned["booked_clinic"] = appointment_clinic
        cleaned["booked_team_member"] = appointment_with
        return cleaned
