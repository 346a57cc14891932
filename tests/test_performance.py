"""
The real pages are fast and stay correct when cached.

- query budgets: each content page makes a fixed number of queries (four, plus what its own
  sections need: EXTRA_QUERIES) however much content exists, and none at all from the page cache;
- a first-time visitor of a cached article can book through its sidebar form;
- staff edits appear at once; logged-in staff are never served or stored by the cache;
- images sized, lazy but for one preloaded hero (static files: tests/test_page_weight.py);
- the booking POST: SQLite in WAL mode with immediate transactions, a fixed query budget,
  and no email sent while the patient waits.

The page cache's own mechanism is tested in tests/clinic_site/test_page_cache*.py; the admin
queue's query budget in tests/booking/test_admin_queue.py; the numbers in `make bench`
(bench/run.py).
"""

import re
import sqlite3
from datetime import date, time, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from booking import consent
from booking.models import ConsultationRequest
from pages.models import Article, Clinic, TeamMember, Treatment
from tests.factories import (
    give_every_page_an_image,
    make_faq,
    make_fees_and_terms,
    make_team_member,
    make_treatment,
)

pytestmark = pytest.mark.django_db

ARTICLE = "/skin-advice/milia-tiny-white-bumps-on-your-skin/"
CONTENT_PAGES = [
    "/",
    "/skin-advice/",
    ARTICLE,
    "/treatments/",
    "/treatments/milia/",
    "/treatments/laser-treatment/",
    "/clinics/",
    "/clinics/london/",
    "/team/",
    "/team/dr-ross-perry/",
    "/privacy/",
    "/faqs/",
    "/book/",
    "/book/?treatment=milia",
]
QUERY_BUDGET = 4
# Pages that show more kinds of content, each a query of its own: the clinicians who perform
# a treatment, and who see patients at a clinic (1 each); a treatment's FAQs (1); the
# consultation fee and cancellation terms beside the booking form (1: treatment, clinic and
# booking pages); a clinic's opening hours and its closures (2); the opening hours of the
# clinics in the booking form, which decide the days and times of day it offers (1: every page
# with the form).
EXTRA_QUERIES = {
    ARTICLE: 1,
    "/treatments/milia/": 1 + 1 + 1 + 1,
    "/treatments/laser-treatment/": 1 + 1 + 1 + 1,
    "/clinics/london/": 1 + 1 + 2 + 1,
    "/team/dr-ross-perry/": 1,
    "/faqs/": 1,
    "/book/": 1 + 1,
    "/book/?treatment=milia": 1 + 1,
}


@pytest.fixture
def seeded(db):
    call_command("seed_content", stdout=StringIO())


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0


def visitor():
    """A first-time visitor: no cookies, CSRF checked as for a browser."""
    return Client(enforce_csrf_checks=True)


def queries_for(url):
    with CaptureQueriesContext(connection) as captured:
        response = visitor().get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def add_lots_of_content():
    """Thirty more treatments and articles, all cross-linked with the seeded ones, and a team."""
    milia = Treatment.objects.get(slug="milia")
    laser = Treatment.objects.get(slug="laser-treatment")
    for number in range(15):
        condition = make_treatment(f"Condition {number}", kind=Treatment.Kind.CONDITION)
        condition.procedures.add(laser)
        procedure = make_treatment(f"Procedure {number}", kind=Treatment.Kind.PROCEDURE)
        milia.procedures.add(procedure)
    for number in range(30):
        article = Article.objects.create(
            title=f"Advice {number}", slug=f"advice-{number}", is_published=True
        )
        article.related_treatments.add(milia, laser)
    for number in range(5):
        Clinic.objects.create(
            title=f"Clinic {number}", slug=f"clinic-{number}", city="Leeds", is_published=True
        )
    # Clinicians at every clinic who perform both treatments and write every article.
    team = list(TeamMember.objects.all())
    for number in range(5):
        team.append(make_team_member(f"Dr Number {number}", slug=f"dr-number-{number}"))
    for member in team:
        member.clinics.set(Clinic.objects.all())
        member.treatments.add(milia, laser)
    Article.objects.update(author=team[0], reviewer=team[1])
    # Questions on both treatments and on /faqs/, and a fee of its own at every clinic.
    for number in range(10):
        for treatment in [milia, laser, None]:
            make_faq(f"Question {number}?", treatment=treatment)
    make_fees_and_terms(consultation_fee=150, cancellation_terms="48 hours' notice, please.")
    Clinic.objects.update(consultation_fee=175)
    # Every clinic open every day in two ranges, closed on ten dates, offering everything.
    for clinic in Clinic.objects.all():
        for day in range(7):
            clinic.opening_hours.create(weekday=day, opens=time(9), closes=time(13))
            clinic.opening_hours.create(weekday=day, opens=time(14), closes=time(18))
        for number in range(10):
            clinic.closures.create(starts_on=date(2040, 1, 1) + timedelta(days=number))
        clinic.treatments.set(Treatment.objects.all())


# --- Query budgets -----------------------------------------------------------------------


@pytest.mark.parametrize("url", CONTENT_PAGES)
def test_content_page_queries_stay_fixed_however_much_content_exists(seeded, page_cache_off, url):
    with_seed = queries_for(url)
    add_lots_of_content()
    with_lots = queries_for(url)

    assert with_lots == with_seed
    assert with_lots <= QUERY_BUDGET + EXTRA_QUERIES.get(url, 0)


@pytest.mark.parametrize("url", CONTENT_PAGES)
def test_content_page_from_the_cache_makes_no_query(
    seeded, page_cache_on, url, django_assert_num_queries
):
    visitor().get(url)

    with django_assert_num_queries(0):
        response = visitor().get(url)

    assert response["X-Page-Cache"] == "hit"


# --- The sidebar form on a cached page ---------------------------------------------------


def hidden_inputs(html):
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def sidebar_booking(html, **answers):
    """What a patient sends from the sidebar form of `html`: its hidden fields and answers."""
    fields = hidden_inputs(html)
    return {
        "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
        "form_token": fields["form_token"],
        "source_path": fields["source_path"],
        "full_name": "Zoë O'Connor-Ng",
        "email": "zoe@example.com",
        "phone": "020 7386 0464",
        "treatment": "milia",
        "clinic": "",
        "contact_method": "phone",
        "consent": "on",
        "confirmed_adult": "on",
        "website": "",
        **answers,
    }


def test_first_time_visitor_books_from_a_cached_article(seeded, page_cache_on, settings):
    settings.BOOKING_MIN_SECONDS = 0
    visitor().get(ARTICLE)  # another reader primes the cache
    patient = visitor()

    page = patient.get(ARTICLE)
    sent = patient.post("/book/", sidebar_booking(page.content.decode()))

    assert page["X-Page-Cache"] == "hit"
    assert sent.status_code == 302
    assert sent["Location"].startswith("/book/thank-you/")
    stored = ConsultationRequest.objects.get()
    assert stored.source_path == ARTICLE
    assert stored.spam_reason == ""
    assert stored.treatment.slug == "milia"


def test_each_visitor_of_a_cached_article_gets_their_own_tokens(seeded, page_cache_on):
    pages = [visitor().get(ARTICLE) for _ in range(3)]
    fields = [hidden_inputs(page.content.decode()) for page in pages]
    cookies = [page.cookies["csrftoken"].value for page in pages]

    assert [page["X-Page-Cache"] for page in pages] == ["miss", "hit", "hit"]
    assert len(set(cookies)) == 3
    assert len({f["csrfmiddlewaretoken"] for f in fields}) == 3
    assert len({f["form_token"] for f in fields}) == 3


def test_two_visitors_of_a_cached_article_both_get_their_requests_stored(
    seeded, page_cache_on, settings
):
    """One shared form token would make the second booking a "duplicate" of the first."""
    settings.BOOKING_MIN_SECONDS = 0
    first, second = visitor(), visitor()
    first_page, second_page = first.get(ARTICLE), second.get(ARTICLE)

    first.post("/book/", sidebar_booking(first_page.content.decode(), email="a@example.com"))
    second.post("/book/", sidebar_booking(second_page.content.decode(), email="b@example.com"))

    assert second_page["X-Page-Cache"] == "hit"
    assert sorted(ConsultationRequest.objects.values_list("email", flat=True)) == [
        "a@example.com",
        "b@example.com",
    ]


# --- Staff edits appear at once; staff pages are never cached -----------------------------


def admin_change_data(response):
    """The admin change form's current values, as the browser would send them back."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_article_edited_in_the_admin_shows_on_the_next_visit(seeded, page_cache_on, admin_client):
    article = Article.objects.get(slug="milia-tiny-white-bumps-on-your-skin")
    visitor().get(ARTICLE)
    change_url = f"/{settings.ADMIN_PATH}pages/article/{article.pk}/change/"
    data = admin_change_data(admin_client.get(change_url))
    data["standfirst"] = "A brand new standfirst from the clinic."

    saved = admin_client.post(change_url, data)
    page = visitor().get(ARTICLE)

    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    assert page["X-Page-Cache"] == "miss"
    assert "A brand new standfirst from the clinic." in page.content.decode()


def test_unpublished_article_disappears_at_once(seeded, page_cache_on):
    visitor().get(ARTICLE)

    Article.objects.filter(slug="milia-tiny-white-bumps-on-your-skin").update(is_published=False)

    assert visitor().get(ARTICLE).status_code == 404


def test_clinic_renamed_shows_in_every_cached_footer(seeded, page_cache_on):
    visitor().get("/treatments/")
    london = Clinic.objects.get(slug="london")

    london.title = "London Chelsea clinic"
    london.save()

    assert "London Chelsea clinic" in visitor().get("/treatments/").content.decode()


def test_logged_in_staff_are_never_served_or_stored_by_the_cache(
    seeded, page_cache_on, admin_client
):
    visitor().get(ARTICLE)
    staff_view = admin_client.get(ARTICLE)
    draft = make_treatment("Draft treatment", slug="draft-treatment", is_published=False)
    preview = admin_client.get(draft.get_absolute_url())

    assert staff_view["X-Page-Cache"] == "bypass"
    assert preview.status_code == 200
    assert preview["X-Page-Cache"] == "bypass"
    assert visitor().get(draft.get_absolute_url()).status_code == 404


# --- Images ------------------------------------------------------------------------------


def test_images_are_sized_and_lazy_but_for_one_preloaded_hero(seeded, page_cache_off):
    give_every_page_an_image()
    heroes = 0
    for url in CONTENT_PAGES:
        head, _, body = visitor().get(url).content.decode().partition("</head>")
        tags = re.findall(r"<img\b[^>]*>", body)
        eager = [tag for tag in tags if 'loading="lazy"' not in tag]
        for tag in tags:
            assert "width=" in tag and "height=" in tag, (url, tag)
        assert len(eager) <= 1, (url, eager)
        for tag in eager:
            assert 'loading="eager" fetchpriority="high"' in tag, (url, tag)
            assert head.count('<link rel="preload" as="image"') == 1, url
        heroes += len(eager)
    assert heroes >= 3, "the article, the treatment and the clinic each have one"


# --- The booking POST ----------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite settings apply only to SQLite"
)
def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    """What lets two gunicorn workers take bookings at once without "database is locked"."""
    from django.db import connections, transaction
    from django.db.backends.sqlite3.base import DatabaseWrapper

    database = tmp_path / "site.sqlite3"
    # The site's own database settings (OPTIONS included), on a file instead of in memory.
    connections["file"] = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(database)}, "file"
    )
    other_writer = sqlite3.connect(database, timeout=0)
    try:
        with connections["file"].cursor() as cursor:
            journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        # The write lock is taken when the transaction starts, before it writes anything:
        # a second writer waits its turn (busy_timeout) rather than both reading first and
        # one failing with "database is locked" on its write.
        with (
            transaction.atomic(using="file"),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            other_writer.execute("BEGIN IMMEDIATE")
    finally:
        other_writer.close()
        connections["file"].close()
        del connections["file"]

    assert journal_mode == "wal"
    assert busy_timeout == 20000


def test_booking_post_queues_its_emails_and_sends_none_while_the_patient_waits(
    seeded,
    settings,
    mailoutbox,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    """The insert path does only the queries it needs, emails included."""
    from django_tasks_db.models import DBTaskResult

    settings.BOOKING_MIN_SECONDS = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    patient = visitor()
    page = patient.get("/book/")
    data = sidebar_booking(page.content.decode(), clinic="london")
    consent.current_texts()  # stored once, by the first request to agree to them

    # the clinics with their opening hours and closures (for the preferred times and the
    # response target), treatment, whether the clinic offers it, the consent texts on show;
    # then one transaction (a savepoint here, inside the test's own): the insert, and in a
    # savepoint of its own a queued task row for each email. Nothing is left to do when it
    # commits.
    with django_assert_num_queries(13), django_capture_on_commit_callbacks() as callbacks:
        sent = patient.post("/book/", data)

    assert callbacks == []

    assert sent.status_code == 302
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 2
