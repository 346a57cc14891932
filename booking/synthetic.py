"""
Synthetic consultation requests and their histories, for demos and benchmarks, made and
removed by `manage.py synthetic_requests` (docs/testing.md#synthetic-data-for-demos-and-benchmarks).

Every synthetic request is marked so that nobody mistakes it for a patient and `--remove`
finds exactly these rows: a SYN- reference (real ones are CSC-), the name "Synthetic patient
N", an email at the reserved .invalid top-level domain (never deliverable) and a phone number
in Ofcom's drama range. Rows are written with bulk_create: no emails are sent or queued (their
states say "not sent") and no service runs, so the histories are built here, following the
workflow's transitions, with staff answering in working hours.
"""

import math
import random
from bisect import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from booking.consent import current_texts
from booking.models import ConsultationRequest, RequestEvent
from booking.services import REFERENCE_ALPHABET, REFERENCE_LENGTH
from booking.working_hours import is_working_day, working_time_between
from pages.models import Article, Clinic, Treatment

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome

SYNTHETIC_PREFIX = "SYN-"
SYNTHETIC_EMAIL_DOMAIN = "synthetic.invalid"
# Ofcom reserves +44 7700 900000 to 900999 for drama: never a real person's number.
DRAMA_PHONE_PREFIX = "+447700900"
BATCH_SIZE = 2000

# When requests arrive: relative weights by weekday (Monday first) and by hour of the day,
# with a bump in summer, when people show their skin and think about moles and tags.
WEEKDAY_WEIGHTS = (1.25, 1.15, 1.1, 1.05, 0.9, 0.55, 0.5)
HOUR_WEIGHTS = (
    0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.6, 3.4,
    3.8, 3.6, 3.2, 3.0, 2.8, 2.6, 2.6, 3.0, 3.2, 2.8, 1.8, 0.8,
)  # fmt: skip
SUMMER_PEAK_DAY_OF_YEAR = 196  # mid-July
# When staff work: they answer, book and close between these times on working days.
STAFF_DAY = (time(9), time(17, 30))

SPAM_SHARE = 0.07
RESCUED_SPAM_SHARE = 0.05
# Recent requests that slipped through: still new, most of them overdue.
FORGOTTEN_SHARE = 0.03
FORGOTTEN_WITHIN = timedelta(
    days=30
)  # of spam: a person's request caught by mistake, marked "not spam"


def synthetic_requests():
    """Every synthetic request: the reference prefix only this command uses."""
    return ConsultationRequest.objects.filter(reference__startswith=SYNTHETIC_PREFIX)


def synthetic_reference(number: int) -> str:
    """SYN- and `number` in six characters of the reference alphabet: unique per number."""
    base = len(REFERENCE_ALPHABET)
    digits = []
    for _ in range(REFERENCE_LENGTH):
        number, digit = divmod(number, base)
        digits.append(REFERENCE_ALPHABET[digit])
    return SYNTHETIC_PREFIX + "".join(reversed(digits))


def synthetic_number(reference: str) -> int:
    """The number synthetic_reference() made `reference` from."""
    number = 0
    for character in reference.removeprefix(SYNTHETIC_PREFIX):
        number = number * len(REFERENCE_ALPHABET) + REFERENCE_ALPHABET.index(character)
    return number


# --- Making them ------------------------------------------------------------------------------


@dataclass
class SiteContent:
    """The published content requests are made about, and the addresses they come from."""

    clinics: list
    clinic_weights: list[float]
    treatments: list
    treatment_weights: list[float]
    articles_about: dict[int, list[str]]
    article_paths: list[str]
    booking_path: str

    @classmethod
    def load(cls, rng: random.Random) -> "SiteContent":
        clinics = list(
            Clinic.objects.published().prefetch_related("opening_hours", "closures", "treatments")
        )
        if not clinics:
            raise CommandError("Publish a clinic first (`manage.py seed_content` adds two).")
        treatments = list(Treatment.objects.published())
        # Popularity falls with rank; the seed decides which treatment is most asked about.
        rng.shuffle(treatments)
        articles_about, article_paths = {}, []
        for article in Article.objects.published().prefetch_related("related_treatments"):
            article_paths.append(article.get_absolute_url())
            for treatment in article.related_treatments.all():
                articles_about.setdefault(treatment.pk, []).append(article.get_absolute_url())
        return cls(
            clinics=clinics,
            clinic_weights=_falling_weights(len(clinics), 0.7),
            treatments=treatments,
            treatment_weights=_falling_weights(len(treatments), 0.9),
            articles_about=articles_about,
            article_paths=article_paths,
            booking_path=reverse("booking:request_form"),
        )


def _falling_weights(count: int, steepness: float) -> list[float]:
    """Cumulative weights, the first item the most likely (Zipf-like)."""
    return list(accumulate(1 / (rank + 1) ** steepness for rank in range(count)))


def add_synthetic_requests(*, count: int, seed: int, days: int) -> Counter:
    """Add `count` synthetic requests that arrived over the last `days` days; their statuses."""
    now = timezone.now()
    rng = random.Random(seed)  # noqa: S311 - repeatable made-up data, not a secret
    site = SiteContent.load(rng)
    agreed = current_texts()
    last = synthetic_requests().aggregate(last=Max("reference"))["last"]
    first_number = synthetic_number(last) + 1 if last else 1
    arrivals = _arrival_times(rng, count, days, now)
    statuses = Counter()
    with transaction.atomic():
        for start in range(0, count, BATCH_SIZE):
            requests, histories = [], []
            for number, created_at in enumerate(
                arrivals[start : start + BATCH_SIZE], start=first_number + start
            ):
                request = _synthetic_request(rng, number, created_at, site)
                request.consent_wording_id = agreed.consent_wording_id
                request.privacy_notice_id = agreed.privacy_notice_id
                histories.append(History(rng, request, now, site).play())
                requests.append(request)
            ConsultationRequest.objects.bulk_create(requests)
            for request, events in zip(requests, histories, strict=True):
                for event in events:
                    event.request_id = request.pk
            RequestEvent.objects.bulk_create(event for events in histories for event in events)
            statuses.update(request.status for request in requests)
    # Fresh planner statistics: after a bulk load PostgreSQL would otherwise guess a handful of
    # rows until autovacuum gets round to it, and pick plans for that. Its VACUUM also marks
    # the new rows visible to everyone, so scans skip checking each one (the Insights page with
    # 100,000 requests about a fifth faster); it cannot run inside a transaction (tests).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in (ConsultationRequest, RequestEvent):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {table}")
    return statuses


def _arrival_times(rng: random.Random, count: int, days: int, now: datetime) -> list[datetime]:
    """`count` arrival times up to `now`, in the weekly, daily and yearly pattern, in order."""
    last_day = timezone.localdate(now)
    all_days = [last_day - timedelta(days=ago) for ago in range(days - 1, -1, -1)]
    day_weights = list(
        accumulate(WEEKDAY_WEIGHTS[day.weekday()] * _season(day) for day in all_days)
    )
    hour_weights = list(accumulate(HOUR_WEIGHTS))
    zone = timezone.get_default_timezone()
    times = []
    while len(times) < count:
        day = all_days[bisect(day_weights, rng.random() * day_weights[-1])]
        hour = bisect(hour_weights, rng.random() * hour_weights[-1])
        moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), zone)
        if moment <= now:
            times.append(moment)
    return sorted(times)


def _season(day: date) -> float:
    return 1 + 0.35 * math.exp(-(((day.timetuple().tm_yday - SUMMER_PEAK_DAY_OF_YEAR) / 45) ** 2))


def _pick(rng: random.Random, items: list, cumulative_weights: list[float]):
    return items[bisect(cumulative_weights, rng.random() * cumulative_weights[-1])]


def _synthetic_request(
    rng: random.Random, number: int, created_at: datetime, site: SiteContent
) -> ConsultationRequest:
    """What a patient sent, as the booking service stores it, and whether it looked like spam."""
    clinic = None if rng.random() < 0.15 else _pick(rng, site.clinics, site.clinic_weights)
    treatment = None
    if site.treatments and rng.random() >= 0.12:
        treatment = _pick(rng, site.treatments, site.treatment_weights)
        offered = list(clinic.treatments.all()) if clinic else []
        if offered and treatment not in offered:
            treatment = rng.choice(offered)
    recent_change = ""
    if treatment is None or treatment.asks_about_changes:
        recent_change = rng.choices(("yes", "no", "not_sure", ""), (14, 62, 12, 12))[0]
    spam_reason = _spam_reason(rng) if rng.random() < SPAM_SHARE else ""
    request = ConsultationRequest(
        reference=synthetic_reference(number),
        full_name=f"Synthetic patient {number}",
        email=f"synthetic-{number}@{SYNTHETIC_EMAIL_DOMAIN}",
        phone=f"{DRAMA_PHONE_PREFIX}{number % 1000:03d}",
        clinic=clinic,
        treatment=treatment,
        contact_method=rng.choices(("phone", "email"), (6, 4))[0],
        recent_change=recent_change,
        message="" if rng.random() < 0.5 else "Synthetic request: no patient wrote this.",
        marketing_opt_in=rng.random() < 0.25,
        confirmed_adult=True,
        consent_given_at=created_at,
        source_path=_source_path(rng, clinic, treatment, site),
        created_at=created_at,
        status=Status.SPAM if spam_reason else Status.NEW,
        spam_reason=spam_reason,
        is_clinical_priority=recent_change == ConsultationRequest.RecentChange.YES,
        staff_notification=ConsultationRequest.NotificationState.NOT_SENT,
        patient_notification=ConsultationRequest.NotificationState.NOT_SENT,
    )
    request.set_arrival_buckets()
    request.respond_by = request.default_respond_by()
    return request


def _spam_reason(rng: random.Random) -> str:
    """Why the form flagged it, in the words booking.forms sets: honeypot, time-trap or both."""
    too_fast = (
        f"sent {rng.uniform(0.3, settings.BOOKING_MIN_SECONDS or 3):.1f} s after the form was shown"
    )
    return rng.choices(
        ("honeypot field filled in", too_fast, f"honeypot field filled in; {too_fast}"),
        (55, 40, 5),
    )[0]


def _source_path(rng: random.Random, clinic, treatment, site: SiteContent) -> str:
    """The page the form was sent from: the treatment's, an article, the clinic's or /book/."""
    articles = site.articles_about.get(treatment.pk, []) if treatment else site.article_paths
    roll = rng.random()
    if roll < 0.03:
        return ""  # sent before the site recorded it, or from a page that didn't say
    if treatment and roll < 0.48:
        return treatment.get_absolute_url()
    if articles and roll < 0.68:
        return rng.choice(articles)
    if clinic and roll < 0.8:
        return clinic.get_absolute_url()
    return site.booking_path


# --- Their histories --------------------------------------------------------------------------


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


def staff_time(rng: random.Random, moment: datetime) -> datetime:
    """`moment` if staff are at work then, else soon after they start on the next working day."""
    local = timezone.localtime(moment)
    if is_working_day(local.date()) and STAFF_DAY[0] <= local.time() < STAFF_DAY[1]:
        return moment
    day = local.date()
    if not (is_working_day(day) and local.time() < STAFF_DAY[0]):
        day += timedelta(days=1)
        while not is_working_day(day):
            day += timedelta(days=1)
    start = datetime.combine(day, STAFF_DAY[0], timezone.get_default_timezone())
    return start + timedelta(minutes=rng.uniform(0, 150))


class History:
    """
    One request's status changes after it arrived, as staff would make them: answered in
    working hours (most within the response target, some late), then booked or closed with
    every outcome, some appointments changed or cancelled, some requests reopened. A change
    that would fall after `now` hasn't happened yet, so recent requests are still open.
    """

    def __init__(self, rng: random.Random, request: ConsultationRequest, now, site):
        self.rng, self.request, self.now, self.site = rng, request, now, site
        self.events: list[RequestEvent] = []

    def play(self) -> list[RequestEvent]:
        rng, request = self.rng, self.request
        if request.status == Status.SPAM:
            rescued = rng.random() < RESCUED_SPAM_SHARE
            later = staff_time(rng, request.created_at + _hours(rng.uniform(1, 30)))
            if not (rescued and self.move(later, Status.NEW, spam_reason="")):
                return self.events
        if request.created_at > self.now - FORGOTTEN_WITHIN and rng.random() < FORGOTTEN_SHARE:
            return self.events  # nobody has answered yet: new, and overdue once past respond-by
        answered = staff_time(rng, self.moment_after_arrival())
        roll = rng.random()
        if roll < 0.04:
            self.move(answered, Status.CLOSED, outcome=Outcome.DUPLICATE)
        elif roll < 0.16:
            self.book(answered, depth=0)
        elif self.move(answered, Status.CONTACTED):
            self.after_contact(answered, depth=0)
        self.record_first_response()
        return self.events

    def moment_after_arrival(self) -> datetime:
        """When staff first act: within hours, a clinical priority sooner, some days late."""
        rng, request = self.rng, self.request
        start = max(request.created_at, request.status_changed_at or request.created_at)
        if request.is_clinical_priority:
            delay = rng.expovariate(1 / 2)
        else:
            delay = rng.lognormvariate(math.log(5), 1.1)
        if rng.random() < 0.07:
            delay += rng.uniform(24, 120)
        return start + _hours(delay)

    def move(self, at: datetime, status: str, **changes) -> bool:
        """Record the change to `status` at `at`, unless that is still in the future."""
        if at > self.now:
            return False
        request = self.request
        self.events.append(
            RequestEvent(
                created_at=at,
                action=RequestEvent.Action.STATUS,
                from_status=request.status,
                to_status=status,
            )
        )
        if request.status == Status.CLOSED:
            request.outcome = ""
        request.status = status
        request.status_changed_at = at
        for field, value in {**request.milestones_reached(status, at), **changes}.items():
            setattr(request, field, value)
        return True

    def after_contact(self, contacted: datetime, *, depth: int):
        rng = self.rng
        roll = rng.random()
        if roll < 0.58:
            self.book(
                staff_time(rng, contacted + _hours(rng.lognormvariate(math.log(30), 1))),
                depth=depth,
            )
            return
        if roll < 0.94:
            outcome, days = rng.choices(
                (
                    (Outcome.NO_RESPONSE, (7, 14)),
                    (Outcome.DECLINED, (0.5, 5)),
                    (Outcome.NOT_SUITABLE, (0.2, 3)),
                ),
                (14, 12, 10),
            )[0]
            closed = staff_time(rng, contacted + timedelta(days=rng.uniform(*days)))
            if self.move(closed, Status.CLOSED, outcome=outcome):
                self.maybe_reopen(closed, depth=depth)
        # Otherwise still talking it over with the patient.

    def book(self, at: datetime, *, depth: int):
        rng = self.rng
        appointment = self.appointment_time(at)
        clinic = self.request.clinic or _pick(rng, self.site.clinics, self.site.clinic_weights)
        if not self.move(at, Status.BOOKED, appointment_at=appointment, appointment_clinic=clinic):
            return
        roll = rng.random()
        if roll < 0.05:
            changed = at + (appointment - at) * rng.uniform(0.2, 0.8)
            appointment = self.appointment_time(changed)
            if not self.move(changed, Status.BOOKED, appointment_at=appointment):
                return
        elif roll < 0.09 and depth == 0:
            cancelled = at + (appointment - at) * rng.uniform(0.2, 0.8)
            if self.move(cancelled, Status.CONTACTED, appointment_at=None, appointment_clinic=None):
                self.after_contact(cancelled, depth=depth + 1)
            return
        afterwards = staff_time(rng, appointment + _hours(rng.uniform(1, 48)))
        outcome = Outcome.ATTENDED if rng.random() < 0.88 else Outcome.DID_NOT_ATTEND
        if self.move(afterwards, Status.CLOSED, outcome=outcome):
            self.maybe_reopen(afterwards, depth=depth)

    def appointment_time(self, booked: datetime) -> datetime:
        """A quarter-hour slot on a working day, 2 to 28 days after booking."""
        rng = self.rng
        day = timezone.localdate(booked + timedelta(days=rng.uniform(2, 28)))
        while not is_working_day(day):
            day += timedelta(days=1)
        slot = time(rng.randrange(9, 17), rng.choice((0, 15, 30, 45)))
        return datetime.combine(day, slot, timezone.get_default_timezone())

    def maybe_reopen(self, closed: datetime, *, depth: int):
        """A few closed requests come back: the patient calls again weeks later."""
        rng = self.rng
        if depth or rng.random() >= 0.04:
            return
        reopened = staff_time(rng, closed + timedelta(days=rng.uniform(3, 60)))
        if self.move(reopened, Status.CONTACTED):
            self.after_contact(reopened, depth=depth + 1)

    def record_first_response(self):
        """The first answer, as the workflow records it: the first move out of new."""
        request = self.request
        first = next(
            (
                event
                for event in self.events
                if event.from_status == Status.NEW
                and event.to_status in ConsultationRequest.RESPONSE_STATUSES
            ),
            None,
        )
        if first is not None:
            request.first_response_at = first.created_at
            request.first_response_minutes = working_time_between(
                request.created_at, first.created_at, clinic=request.clinic
            ) // timedelta(minutes=1)
