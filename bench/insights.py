"""
`make bench-insights`: the Insights page's server time with a year of 100,000 requests.

The target (docs/performance.md) is under 500 ms of server time for the last 12 months on
SQLite and on PostgreSQL. This fills a database with synthetic requests and their histories
(`manage.py synthetic_requests`), then, in this process, with production settings:

- times `insights_for()` (every figure's queries and arithmetic) for a superuser;
- times the whole page, rendered through Django's test client for a clinic manager linked to
  every clinic (the permission, the clinic scoping, the charts and the template);
- lists the slowest queries of one `insights_for()`, to read with EXPLAIN.

Each is the median of `--runs` runs after one warm-up; the machine's load moves them, so
compare medians.

    .venv/bin/python bench/insights.py                 # throwaway SQLite, 100,000 requests
    .venv/bin/python bench/insights.py --database-url postgres://postgres@127.0.0.1:5432/x
        # a database you filled yourself with `manage.py synthetic_requests --count 100000`
"""

# The subprocess is manage.py with arguments built here.
# ruff: noqa: S603

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from server import ROOT, manage, production_env

PRESET = "last_12_months"


def fill(env, count):
    print(f"== migrate, seed_content, {count} synthetic requests (a few minutes)")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_content")
    manage(env, "synthetic_requests", "--count", str(count), "--not-production")


def median_ms(action, runs):
    action()  # warm-up: imports, templates, the database's caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), max(times)


def measure(runs):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from booking.insights.figures import insights_for
    from booking.insights.filters import PRESETS, InsightsFilter
    from booking.models import ConsultationRequest, StaffProfile
    from pages.models import Clinic

    superuser, _ = User.objects.get_or_create(
        username="insights-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    manager, _ = User.objects.get_or_create(username="insights-bench-manager", is_staff=True)
    manager.groups.add(Group.objects.get(name="Clinic manager"))
    profile, _ = StaffProfile.objects.get_or_create(user=manager)
    profile.clinics.set(Clinic.objects.all())

    today = timezone.localdate()
    last_12_months = InsightsFilter(start=PRESETS[PRESET][1](today), end=today)
    total = ConsultationRequest.objects.filter(
        created_at__gte=last_12_months.start_at, created_at__lt=last_12_months.end_before
    ).count()

    def figures_for_superuser():
        return insights_for(superuser, last_12_months)

    print(f"== {connection.vendor}: {total} requests in the last 12 months; {runs} runs each")

    with CaptureQueriesContext(connection) as capture:
        insights_for(superuser, last_12_months)
    # Copied now: every request through the test client clears the connection's query log.
    queries = capture.captured_queries
    print(f"{'':36s}{'median':>9s}{'min':>9s}{'max':>9s}  ms")
    report("insights_for(superuser), 12 months", median_ms(figures_for_superuser, runs))

    client = Client(HTTP_HOST="127.0.0.1")  # a host production settings allow
    client.force_login(manager)
    url = reverse("booking_insights:page") + f"?preset={PRESET}"
    response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"bench: {url} answered {response.status_code}")
    report("Insights page (manager), 12 months", median_ms(lambda: client.get(url), runs))

    print(f"\n{len(queries)} queries in insights_for(); the slowest:")
    for query in sorted(queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(query['time']) * 1000:7.0f} ms  {' '.join(query['sql'].split())[:300]}")


def report(label, timings):
    median, low, high = timings
    print(f"{label:36s}{median:9.0f}{low:9.0f}{high:9.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="synthetic requests to add")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="measure this database as it is (filled beforehand)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="clinic-bench-insights-") as directory:
        env = production_env()
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        else:
            env["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'insights.sqlite3'}"
            fill(env, args.count)
        manage(env, "collectstatic", "--noinput", "-v", "0")  # the admin's hashed static names
        os.environ.update(env)
        measure(args.runs)


if __name__ == "__main__":
    main()
