from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.privacy import purge_requests


class Command(BaseCommand):
    help = (
        "Applies the retention periods: deletes spam and anonymises closed (and long-untouched "
        "open) requests. Keeps anonymous counts. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be deleted or anonymised, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        summaries = purge_requests(now=timezone.now(), dry_run=dry_run)
        verb = "Would have" if dry_run else "Have"
        if not summaries:
            self.stdout.write("Nothing is past its retention period.")
        for summary in summaries:
            self.stdout.write(
                f"{verb} {summary['action']} {summary['count']} {summary['status']} "
                f"request{'s' if summary['count'] != 1 else ''} ({summary['description']})."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
