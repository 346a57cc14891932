import logging
from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from booking import emails
from booking.models import ConsultationRequest

logger = logging.getLogger(__name__)


def overdue_requests(*, now):
    """Open requests past their respond-by time, in clinic order for grouping."""
    return (
        # The same rule as the admin's "overdue" filter, so the email matches the queue.
        ConsultationRequest.objects.overdue(now=now)
        .select_related("clinic")
        .order_by(
            "clinic__sort_order",
            "clinic__title",
            "clinic_id",
            "-is_clinical_priority",
            "respond_by",
        )
    )


class Command(BaseCommand):
    help = (
        "Emails each clinic's inbox (or the site-wide staff inbox for no-preference requests) "
        "the references of its overdue open requests, with admin links. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many requests each inbox would hear about; send nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        sent = failed = 0
        for clinic, group in groupby(overdue_requests(now=now), key=lambda item: item.clinic):
            items = list(group)
            name = clinic.title if clinic else "No preference"
            if dry_run:
                self.stdout.write(
                    f"{name}: {len(items)} overdue (would email {emails.staff_inbox(clinic)})"
                )
                continue
            try:
                emails.overdue_digest_email(clinic, items, now=now).send()
            except OSError as error:  # SMTP down: try the other clinics, then fail loudly
                failed += 1
                logger.error("Overdue digest for %s not sent: %s", name, type(error).__name__)
                self.stderr.write(f"{name}: not sent ({type(error).__name__})")
                continue
            sent += 1
            logger.info("Overdue digest for %s: %d request(s)", name, len(items))
            self.stdout.write(f"{name}: {len(items)} overdue, digest sent")
        if not dry_run:
            self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
        if failed:
            raise CommandError(f"{failed} digest{'s' if failed != 1 else ''} could not be sent.")
