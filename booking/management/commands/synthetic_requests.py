"""
`manage.py synthetic_requests`: fill the database with synthetic consultation requests and
their histories for demos and benchmarks, or remove them (booking/synthetic.py makes them;
docs/testing.md#synthetic-data-for-demos-and-benchmarks).
"""

import time as clock
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from booking.models import ConsultationRequest
from booking.synthetic import add_synthetic_requests, synthetic_requests

Status = ConsultationRequest.Status


class Command(BaseCommand):
    help = (
        "Adds synthetic consultation requests with their histories (demos and benchmarks), "
        "or removes them with --remove. Refuses unless DJANGO_DEBUG is on or --not-production "
        "is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000, help="How many requests to add.")
        parser.add_argument(
            "--seed", type=int, default=1, help="The same seed gives the same requests."
        )
        parser.add_argument(
            "--days", type=int, default=365, help="Spread them over this many days up to now."
        )
        parser.add_argument(
            "--remove", action="store_true", help="Delete every synthetic request instead."
        )
        parser.add_argument(
            "--not-production",
            action="store_true",
            help="I confirm this database is not production (needed when DJANGO_DEBUG is off).",
        )

    def handle(self, *args, count, seed, days, remove, not_production, **options):
        if not (settings.DEBUG or not_production):
            raise CommandError(
                "Refusing to change this database: DJANGO_DEBUG is off, so it may be "
                "production. If you are sure it is not, run again with --not-production."
            )
        if remove:
            self.remove()
            return
        if count < 1 or days < 1:
            raise CommandError("--count and --days must be at least 1.")
        started = clock.monotonic()
        statuses = add_synthetic_requests(count=count, seed=seed, days=days)
        self.stdout.write(
            f"Added {count} synthetic requests over the last {days} days "
            f"in {clock.monotonic() - started:.1f} s (seed {seed})."
        )
        self.write_counts(statuses)

    def remove(self):
        started = clock.monotonic()
        statuses = Counter(
            dict(
                synthetic_requests()
                .order_by()
                .values_list("status")
                .annotate(count=Count("pk"))
                .values_list("status", "count")
            )
        )
        with transaction.atomic():
            _total, deleted = synthetic_requests().delete()
        self.stdout.write(
            f"Removed {deleted.get('booking.ConsultationRequest', 0)} synthetic requests and "
            f"{deleted.get('booking.RequestEvent', 0)} history entries "
            f"in {clock.monotonic() - started:.1f} s."
        )
        self.write_counts(statuses)

    def write_counts(self, statuses: Counter):
        for status in Status:
            self.stdout.write(f"  {status.label.lower():<10} {statuses[status]:>8}")
