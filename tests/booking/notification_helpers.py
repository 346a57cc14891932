"""A patient's answers, and ways to read the emails and run the task worker, for the tests
of the booking emails (tests/booking/test_notification_*.py, test_overdue_digest.py)."""

from django.core.management import call_command

from booking.models import ConsultationRequest
from booking.services import consultation_request_create

# The task queue as production runs it: tasks stored in the database for `db_worker`.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NAME = "Zoë O'Connor-Ng"
EMAIL = "zoe.oconnor@example.com"
PHONE = "+447911123456"
MESSAGE = "The mole on my left shoulder has grown since the summer"
BEST_TIME = "Weekday mornings before work"


def submit(**overrides):
    """A request stored through the booking service, as the form stores it."""
    details = {
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "contact_method": ConsultationRequest.ContactMethod.PHONE,
        "confirmed_adult": True,
        "best_time_to_call": BEST_TIME,
        "message": MESSAGE,
        "recent_change": ConsultationRequest.RecentChange.YES,
    }
    details.update(overrides)
    return consultation_request_create(**details)


def all_text(message):
    """Everything a recipient could read: subject, headers' values, text and HTML bodies."""
    parts = [message.subject, message.body, *message.to, *message.reply_to]
    parts += [alternative.content for alternative in message.alternatives]
    return "\n".join(parts)


def by_recipient(outbox):
    return {message.to[0]: message for message in outbox}


def run_db_worker():
    """Run the database task worker once over the tasks that are due, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
