"""The Insights page and its CSV downloads: who may open them, which requests they count,
the filters, the charts, and that no patient can be found or recognised in them."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from booking.insights.figures import FIGURES
from booking.models import ConsultationRequest
from booking.services import consultation_request_transition
from clinic_site.phones import phone_for_people
from tests.factories import make_request, make_staff, make_treatment

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Outcome = ConsultationRequest.Outcome
PAGE = reverse("booking_insights:page")
SVG = "{http://www.w3.org/2000/svg}"


def csv_url(slug):
    return reverse("booking_insights:csv", args=[slug])


def requests(count, **fields):
    # Yesterday at 10:00: inside every preset, whatever the day the tests run.
    arrived = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    fields.setdefault("created_at", arrived - timedelta(days=1))
    return [make_request(**fields) for _ in range(count)]


def page(client, **params):
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return response.content.decode()


def download(client, slug, **params):
    response = client.get(csv_url(slug), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def every_download(client, **params):
    return {slug: download(client, slug, **params) for slug in FIGURES}


def svgs(html):
    """The charts (the admin has icons of its own)."""
    return re.findall(r'<svg [^>]*class="insights-chart".*?</svg>', html, flags=re.DOTALL)


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314 - our own page's markup, not untrusted input


@pytest.fixture
def superuser():
    return make_staff("root", superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# --- Who may see it -----------------------------------------------------------------------


def test_clinic_managers_may_open_insights_and_reception_may_not():
    assert (
        Group.objects.get(name="Clinic manager")
        .permissions.filter(codename="view_insights")
        .exists()
    )
    assert (
        not Group.objects.get(name="Reception")
        .permissions.filter(codename="view_insights")
        .exists()
    )


def test_manager_sees_every_figure_with_its_chart_table_and_download(manager_client, bristol):
    requests(6, clinic=bristol)
    html = page(manager_client)
    for slug in FIGURES:
        assert f'id="{slug}"' in html
        assert f'href="{csv_url(slug)}?' in html
    assert html.count("<table>") == len(FIGURES)
    # A chart, or (for the answers, outcomes and spam none of these have) a sentence instead.
    assert len(svgs(html)) + html.count("No requests in this period.</p>") == len(FIGURES)


def test_superuser_sees_insights(superuser_client, bristol):
    requests(6, clinic=bristol)
    assert "Requests per week" in page(superuser_client)
    assert download(superuser_client, "sources")[1][1] == "6"


def test_reception_gets_403_on_the_page_and_every_download(reception_client, bristol):
    requests(6, clinic=bristol)
    assert reception_client.get(PAGE).status_code == 403
    for slug in FIGURES:
        assert reception_client.get(csv_url(slug)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in [PAGE, csv_url("sources")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_home_links_to_insights_only_with_the_permission(client, manager, receptionist):
    home = reverse("admin:index")
    client.force_login(manager)
    assert f'href="{PAGE}"' in client.get(home).content.decode()
    client.force_login(receptionist)
    assert f'href="{PAGE}"' not in client.get(home).content.decode()


def test_an_unknown_figure_is_not_found(manager_client):
    assert manager_client.get(csv_url("patients")).status_code == 404


# --- Clinic scoping, by every route ------------------------------------------------------


@pytest.fixture
def both_clinics(bristol, london):
    requests(5, clinic=bristol, source_path="/articles/bristol-acne/")
    requests(7, clinic=london, source_path="/articles/london-only-moles/")
    requests(5, clinic=None, source_path="/articles/no-preference/")


@pytest.mark.usefixtures("both_clinics")
def test_bristol_manager_sees_bristol_and_no_preference_only(manager_client):
    html = page(manager_client)
    assert "/articles/bristol-acne/" in html
    assert "/articles/no-preference/" in html
    assert "london-only-moles" not in html
    assert "London Harley St" not in html
    downloads = every_download(manager_client)
    assert "london-only-moles" not in str(downloads)
    assert "London Harley St" not in str(downloads)
    funnel = {row[0]: row[1] for row in downloads["funnel"][1:]}
    assert funnel["New"] == "10"


@pytest.mark.usefixtures("both_clinics")
def test_asking_for_another_clinics_figures_is_refused(manager_client, london):
    response = manager_client.get(PAGE, {"clinic": london.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert not svgs(html)
    assert "london-only-moles" not in html
    for slug in FIGURES:
        response = manager_client.get(csv_url(slug), {"clinic": london.pk})
        assert response.status_code == 400
        assert b"london-only-moles" not in response.content


@pytest.mark.usefixtures("both_clinics")
def test_superuser_may_choose_any_clinic(superuser_client, london):
    sources = download(superuser_client, "sources", clinic=london.pk)
    assert sources[1][:2] == ["/articles/london-only-moles/", "7"]
    assert len(sources) == 2


# --- Filters ---------------------------------------------------------------------------------


def test_the_default_is_the_last_quarter_and_presets_change_the_range(manager_client, bristol):
    now = timezone.now()
    requests(5, clinic=bristol, created_at=now - timedelta(days=2))
    requests(6, clinic=bristol, created_at=now - timedelta(days=60))
    requests(7, clinic=bristol, created_at=now - timedelta(days=200))

    def new_requests(**params):
        funnel = download(manager_client, "funnel", **params)
        return next(row[1] for row in funnel if row[0] == "New")

    html = page(manager_client)
    assert '<option value="last_quarter" selected>' in html
    assert new_requests() == "11"
    assert new_requests(preset="last_4_weeks") == "5"
    assert new_requests(preset="last_12_months") == "18"
    start = (now - timedelta(days=61)).date().isoformat()
    end = (now - timedelta(days=59)).date().isoformat()
    assert new_requests(preset="custom", start=start, end=end) == "6"


def test_download_links_fix_the_dates_and_filters_of_the_page(manager_client, bristol):
    treatment = make_treatment("Moles")
    requests(5, clinic=bristol, treatment=treatment)
    html = page(manager_client, preset="last_4_weeks", clinic=bristol.pk, treatment=treatment.pk)
    today = timezone.localdate()
    start = today - timedelta(weeks=4) + timedelta(days=1)
    link = re.search(r'href="([^"]*/sources\.csv\?[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"start={start.isoformat()}" in link
    assert f"end={today.isoformat()}" in link
    assert f"clinic={bristol.pk}" in link
    assert f"treatment={treatment.pk}" in link
    assert "show_spam" not in link
    response = manager_client.get(link)
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="insights-sources-{start}-to-{today}.csv"'
    )
    assert "no-store" in response["Cache-Control"]


def test_custom_dates_in_the_wrong_order_show_an_error(manager_client):
    html = page(manager_client, preset="custom", start="2025-03-31", end="2025-03-01")
    assert "Please correct the error below." in html
    assert "The last date is before the first date." in html
    assert not svgs(html)
    response = manager_client.get(
        csv_url("sources"), {"preset": "custom", "start": "2025-03-31", "end": "2025-03-01"}
    )
    assert response.status_code == 400


def test_a_date_that_is_not_a_date_shows_an_error(manager_client):
    html = page(manager_client, preset="custom", start="yesterday", end="2025-03-01")
    assert "Enter the first date as a date" in html


def test_spam_is_left_out_unless_asked_for(manager_client, bristol):
    requests(5, clinic=bristol)
    requests(6, clinic=bristol, status=Status.SPAM, spam_reason="honeypot")

    def weekly_total(**params):
        return download(manager_client, "requests-per-week", **params)[-1][-1]

    assert weekly_total() == "5"
    assert weekly_total(show_spam="on") == "11"
    assert 'name="show_spam" id="id_show_spam" checked' in page(manager_client, show_spam="on")


def test_a_period_with_no_requests_says_so(manager_client):
    html = page(manager_client)
    assert "No requests in this period." in html
    assert not svgs(html)


# --- CSV safety and small numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_path", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
    ],
)
def test_downloads_never_run_a_formula(manager_client, bristol, source_path, expected):
    requests(5, clinic=bristol, source_path=source_path)
    sources = download(manager_client, "sources")
    assert sources[1][0] == expected


def test_fewer_than_5_shows_as_under_5_on_the_page_and_in_the_download(manager_client, bristol):
    requests(3, clinic=bristol, treatment=make_treatment("Rare thing"))
    requests(6, clinic=bristol, treatment=make_treatment("Acne"))
    treatments = download(manager_client, "treatments")
    assert treatments[0] == ["Treatment", "Requests", "Booked", "Attended", "Booked (%)"]
    assert treatments[2][:2] == ["Rare thing", "<5"]
    assert treatments[1][:2] == ["Acne", "6"]
    html = page(manager_client)
    assert '<th scope="row">Rare thing</th><td class="insights-number">&lt;5</td>' in html


# --- Charts ----------------------------------------------------------------------------------


@pytest.fixture
def a_busy_month(bristol, london, superuser):
    """Requests every third day for four weeks at two clinics, most of them answered: something
    for every figure to draw."""
    treatment = make_treatment("Acne")
    for days in range(1, 28, 3):
        arrived = timezone.now() - timedelta(days=days)
        batch = requests(6, clinic=bristol, treatment=treatment, created_at=arrived)
        batch += requests(5, clinic=london, created_at=arrived - timedelta(hours=5))
        for number, consultation_request in enumerate(batch):
            answer(consultation_request, number, by=superuser)
    requests(5, status=Status.SPAM, spam_reason="honeypot")


def answer(consultation_request, number, *, by):
    """Contacted, then (by turns) left there, booked, attended or closed with no response."""

    def move(status, **details):
        consultation_request_transition(
            consultation_request=consultation_request, status=status, by=by, **details
        )

    move(Status.CONTACTED)
    if number % 4 == 1:
        move(Status.CLOSED, outcome=Outcome.NO_RESPONSE)
    elif number % 4 >= 2:
        clinic = consultation_request.clinic
        move(
            Status.BOOKED,
            appointment_at=timezone.now() + timedelta(days=3),
            appointment_clinic=clinic,
        )
        if number % 4 == 3:
            move(Status.CLOSED, outcome=Outcome.ATTENDED)


@pytest.mark.usefixtures("a_busy_month")
def test_every_chart_is_accessible_svg_the_csp_allows(superuser_client):
    html = page(superuser_client, preset="last_4_weeks", show_spam="on")
    charts = svgs(html)
    assert len(charts) == len(FIGURES)
    for chart in charts:
        root = parse(chart)
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text
        assert desc is not None and desc.text
        assert root.get("aria-labelledby") == title.get("id")
        assert root.get("aria-describedby") == desc.get("id")
        assert root.get("viewBox").startswith("0 0 340 ")
        for element in root.iter():
            assert element.tag not in {f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject"}
            assert "style" not in element.attrib
            assert not any(name.startswith("on") for name in element.attrib)
    assert "<script" not in "".join(charts)


@pytest.mark.usefixtures("a_busy_month")
def test_series_are_told_apart_by_pattern_not_colour_alone(superuser_client):
    html = page(superuser_client, preset="last_4_weeks")
    weekly = parse(svgs(html)[0])
    patterns = {pattern.get("id") for pattern in weekly.iter(f"{SVG}pattern")}
    assert len(patterns) >= 3  # Bristol, London, no preference
    fills = {rect.get("fill") for rect in weekly.iter(f"{SVG}rect")}
    assert {f"url(#{pattern})" for pattern in patterns} <= fills
    legend = [text.text for text in weekly.iter(f"{SVG}text")]
    assert "Bristol" in legend
    assert "London Harley St" in legend


# --- No patient identities -----------------------------------------------------------------


def test_no_patient_can_be_found_on_the_page_or_in_a_download(superuser_client, bristol):
    identities = []
    for number in range(6):
        name, email = f"Quentin Zebulon-Marsh{number}", f"q.zebulon{number}@patients.example"
        phone, message = f"+4477009{number:05d}", f"My secret rash number {number}"
        identities += [name, email, phone, phone_for_people(phone), message]
        requests(1, clinic=bristol, full_name=name, email=email, phone=phone, message=message)
    everything = page(superuser_client, show_spam="on") + str(
        every_download(superuser_client, show_spam="on")
    )
    assert "CSC-T" not in everything  # no reference either
    for identity in identities:
        assert identity not in everything


# --- Speed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_the_page_takes_the_same_few_queries_however_many_requests(
    manager_client, bristol, django_assert_max_num_queries, count
):
    for number in range(count):
        status = [Status.NEW, Status.CONTACTED, Status.BOOKED, Status.CLOSED][number % 4]
        requests(
            1, clinic=bristol if number % 3 else None, status=status, source_path=f"/p{number}/"
        )
    with django_assert_max_num_queries(20):
        page(manager_client)
