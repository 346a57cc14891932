"""
Record the emails of requests flagged as spam when sent as held back ("not sent").

Such requests were stored with both emails "pending" and nothing queued, so rescuing one
sent nothing. A request staff marked as spam has a status event and is left alone: its
emails may still be queued.
"""

from django.db import migrations


def hold_back_flagged_spam_emails(apps, schema_editor):
    ConsultationRequest = apps.get_model("booking", "ConsultationRequest")
    RequestEvent = apps.get_model("booking", "RequestEvent")
    marked_by_staff = RequestEvent.objects.filter(action="status", to_status="spam")
    flagged_when_sent = ConsultationRequest.objects.filter(
        status="spam", anonymised_at__isnull=True
    ).exclude(pk__in=marked_by_staff.values("request_id"))
    for field in ("staff_notification", "patient_notification"):
        flagged_when_sent.filter(**{field: "pending"}).update(**{field: "not_sent"})


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_staff_groups")]

    operations = [migrations.RunPython(hold_back_flagged_spam_emails, migrations.RunPython.noop)]
