"""
Where and when: a clinic page's opening hours ("open now", the weekly table, closures to
come), getting here, access facts and treatments, each shown only when filled in; where a
treatment is offered; the clinic's structured data; and a cached page that never says "open"
after closing time. The hours themselves are worked out in tests/pages/test_opening_hours.py.
"""

import re
from datetime import date, time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from clinic_site.page_cache import storage
from pages.models import Clinic, Weekday
from pages.opening_hours import WEEKDAY_NAMES
from tests.booking.times import london_time
from tests.factories import fill_in_clinic, make_clinic, make_treatment
from tests.pages.html import read_page

pytestmark = pytest.mark.django_db

# Wednesday 11 June 2025, 12:00 on the clinic's clock.
WEDNESDAY_NOON = london_time(2025, 6, 11, 12, 0)


@pytest.fixture
def clock(monkeypatch):
    """Set the time the site sees, the page cache's clock included."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        monkeypatch.setattr(
            storage,
            "time",
            SimpleNamespace(
                time=moment.timestamp,
                time_ns=storage.time.time_ns,
                monotonic=storage.time.monotonic,
            ),
        )

    return set_to


def weekdays_nine_to_six(clinic):
    for day in [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY]:
        clinic.opening_hours.create(weekday=day, opens=time(9), closes=time(18))
    clinic.opening_hours.create(weekday=Weekday.FRIDAY, opens=time(9), closes=time(13))
    clinic.opening_hours.create(weekday=Weekday.FRIDAY, opens=time(14), closes=time(0))


def main_content(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index('class="col-lg-4 layout-sidebar"')]


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def hours_row(html, day):
    """The hours in the table's row for `day`, as read out."""
    return re.sub(r"<[^>]+>", "", re.search(rf'<th scope="row">{day}</th><td>(.*?)</td>', html)[1])


# --- Opening hours ------------------------------------------------------------------------


def test_clinic_page_says_open_now_and_when_it_closes(client, clock):
    clock(WEDNESDAY_NOON)
    weekdays_nine_to_six(make_clinic("Bristol clinic", slug="bristol"))

    content = main_content(client.get("/clinics/bristol/"))

    assert "<strong>Open now</strong> — closes at 18:00" in content


def test_clinic_page_says_closed_now_and_when_it_opens(client, clock):
    clock(london_time(2025, 6, 14, 10, 0))  # Saturday
    weekdays_nine_to_six(make_clinic("Bristol clinic", slug="bristol"))

    content = main_content(client.get("/clinics/bristol/"))

    assert "<strong>Closed now</strong> — opens Monday at 09:00" in content


def test_opening_hours_are_a_table_with_a_caption_and_headers(client, clock):
    clock(WEDNESDAY_NOON)
    weekdays_nine_to_six(make_clinic("Bristol clinic", slug="bristol"))

    content = main_content(client.get("/clinics/bristol/"))

    assert '<h2 id="clinic-hours-heading">Opening hours</h2>' in content
    assert "<caption>Opening hours each week, UK time</caption>" in content
    assert '<th scope="col">Day</th><th scope="col">Hours</th>' in content
    assert hours_row(content, "Monday") == "09:00 to 18:00"
    assert hours_row(content, "Friday") == "09:00 to 13:00, 14:00 to midnight"
    assert hours_row(content, "Sunday") == "Closed"


def test_closures_to_come_are_listed_and_past_ones_are_not(client, clock):
    clock(WEDNESDAY_NOON)
    clinic = make_clinic("Bristol clinic", slug="bristol")
    weekdays_nine_to_six(clinic)
    clinic.closures.create(starts_on=date(2025, 5, 26), reason="Spring bank holiday")
    clinic.closures.create(starts_on=date(2025, 8, 25), reason="Summer bank holiday")
    clinic.closures.create(starts_on=date(2025, 12, 24), ends_on=date(2026, 1, 2))

    content = text_of(main_content(client.get("/clinics/bristol/")))

    assert "Closed on these dates" in content
    assert "Monday 25 August 2025: Summer bank holiday" in content
    assert "Wednesday 24 December 2025 to Friday 2 January 2026" in content
    assert "Spring bank holiday" not in content


def test_clinic_page_without_hours_shows_no_hours_at_all(client, clock):
    clock(WEDNESDAY_NOON)
    make_clinic("Bristol clinic", slug="bristol")

    content = main_content(client.get("/clinics/bristol/"))

    for absent in ["Opening hours", "Open now", "Closed now", "<table", "Closed on these dates"]:
        assert absent not in content


def test_a_cached_clinic_page_never_says_open_after_closing_time(clock, settings):
    settings.PAGE_CACHE_SECONDS = 600
    weekdays_nine_to_six(make_clinic("Bristol clinic", slug="bristol"))

    clock(london_time(2025, 6, 11, 17, 58))
    first, second = Client().get("/clinics/bristol/"), Client().get("/clinics/bristol/")
    clock(london_time(2025, 6, 11, 18, 0))
    at_closing = Client().get("/clinics/bristol/")

    assert [first["X-Page-Cache"], second["X-Page-Cache"]] == ["miss", "hit"]
    assert "<strong>Open now</strong>" in second.content.decode()
    assert at_closing["X-Page-Cache"] == "miss"
    assert "<strong>Closed now</strong> — opens tomorrow at 09:00" in at_closing.content.decode()


def test_a_clinic_page_without_hours_is_cached_as_long_as_any_page(
    client, settings, local_memory_cache
):
    settings.PAGE_CACHE_SECONDS = 600
    make_clinic("Bristol clinic", slug="bristol")
    Client().get("/clinics/bristol/")

    expiries = [
        expires - storage.time.time()
        for key, expires in caches["default"]._expire_info.items()
        if "page-cache:page:" in key
    ]
    assert len(expiries) == 1 and expiries[0] > 590


# --- Contact, getting here and access -----------------------------------------------------


def test_a_clinic_without_its_own_number_shows_the_main_number_called_that(client):
    make_clinic("Bristol clinic", slug="bristol")
    # Entered as the clinic's own, the main number is still the main number.
    make_clinic("London clinic", slug="london", phone="020 7386 0464")

    for path in ["/clinics/bristol/", "/clinics/london/"]:
        content = main_content(client.get(path))
        assert 'href="tel:+442073860464">020 7386 0464</a>' in content
        assert "Our main number, for all our clinics" in content


def test_directions_parking_and_access_are_shown_when_filled_in(client):
    make_clinic(
        "Bristol clinic",
        slug="bristol",
        postcode="BS8 1AA",
        directions="Ten minutes' walk from Clifton Down station.\nBus 8 stops outside.",
        parking="Pay and display on the street.",
        step_free_access=True,
        hearing_loop=False,
        accessibility_note="A lift goes to every floor.",
    )

    content = main_content(client.get("/clinics/bristol/"))

    assert '<h2 id="getting-there-heading">Getting here</h2>' in content
    assert "<dt>Directions and public transport</dt>" in content
    assert "Clifton Down station.<br>Bus 8 stops outside." in content
    assert "<dt>Parking</dt><dd><p>Pay and display on the street.</p></dd>" in content
    assert 'href="https://www.openstreetmap.org/search?query=BS8+1AA"' in content
    assert '<h2 id="access-heading">Accessibility</h2>' in content
    assert "<dt>Step-free access</dt><dd>Yes</dd>" in content
    assert "<dt>Hearing loop</dt><dd>No</dd>" in content
    assert "Accessible toilet" not in content  # not known
    assert "<p>A lift goes to every floor.</p>" in content


def test_getting_here_and_access_are_absent_when_nothing_is_known(client):
    make_clinic("Bristol clinic", slug="bristol")

    content = main_content(client.get("/clinics/bristol/"))

    for absent in ["Getting here", "Accessibility", "Parking", "Directions", "openstreetmap"]:
        assert absent not in content


def test_the_map_link_names_the_address_and_loads_nothing_from_the_map_service(client):
    make_clinic("Bristol clinic", slug="bristol", address="2 Example Road\nClifton")

    html = client.get("/clinics/bristol/").content.decode()

    # No postcode: the town narrows the search.
    assert "openstreetmap.org/search?query=2+Example+Road%2C+Clifton%2C+Bristol" in html
    assert "<iframe" not in html
    assert 'src="https://www.openstreetmap' not in html


# --- Treatments each clinic offers --------------------------------------------------------


def test_clinic_page_lists_the_published_treatments_it_offers(client):
    clinic = make_clinic("Bristol clinic", slug="bristol")
    moles = make_treatment("Moles")
    draft = make_treatment("Tattoo removal", is_published=False)
    make_treatment("Warts")
    clinic.treatments.set([moles, draft])

    content = main_content(client.get("/clinics/bristol/"))
    listed = re.findall(r'<li><a href="(/treatments/[^"]+)">', content)

    assert listed == ["/treatments/moles/"]


def test_clinic_page_without_treatments_ticked_links_to_all_of_them(client):
    make_clinic("Bristol clinic", slug="bristol")
    make_treatment("Moles")

    content = main_content(client.get("/clinics/bristol/"))

    assert "/treatments/moles/" not in content
    assert 'href="/treatments/">conditions we treat and the procedures we use</a>' in content


def test_treatment_page_lists_the_published_clinics_that_offer_it(client):
    moles = make_treatment("Moles")
    make_clinic("London clinic", slug="london").treatments.add(moles)
    make_clinic("Leeds clinic", slug="leeds", is_published=False).treatments.add(moles)
    make_clinic("Bristol clinic", slug="bristol")  # offers not known: not listed

    html = client.get("/treatments/moles/").content.decode()
    section = html[
        html.index('id="available-at-heading"') : html.index(
            "</section>", html.index('id="available-at-heading"')
        )
    ]

    assert ">Where we offer it</h2>" in section
    assert re.findall(r'<a href="(/clinics/[^"]+)">', section) == ["/clinics/london/"]


def test_treatment_page_offered_nowhere_yet_says_nothing_about_where(client):
    make_treatment("Moles")
    make_clinic("London clinic", slug="london")

    assert "Where we offer it" not in client.get("/treatments/moles/").content.decode()


# --- Structured data ----------------------------------------------------------------------


def test_clinic_structured_data_gives_hours_closures_address_map_services_and_access(
    client, clock, seeded
):
    clock(WEDNESDAY_NOON)
    clinic = fill_in_clinic(Clinic.objects.get(slug="bristol"))
    clinic.closures.create(starts_on=date(2025, 1, 1))  # past: left out

    (data,) = read_page(client.get("/clinics/bristol/")).json_ld_of_type("MedicalClinic")

    assert data["telephone"] == "+44 117 496 0000"
    assert data["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Bristol",
        "streetAddress": "2 Example Road, Clifton",
        "postalCode": "BS8 1AA",
        "addressCountry": "GB",
    }
    assert data["hasMap"] == (
        "https://www.openstreetmap.org/search?query=2+Example+Road%2C+Clifton%2C+BS8+1AA"
    )
    weekdays = [f"https://schema.org/{day}" for day in WEEKDAY_NAMES[:5]]
    assert data["openingHoursSpecification"] == [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": weekdays, "opens": o, "closes": c}
        for o, c in [("09:00", "13:00"), ("14:00", "18:00")]
    ] + [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Saturday"],
            "opens": "10:00",
            "closes": "14:00",
        }
    ]
    closed = {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00"}
    assert data["specialOpeningHoursSpecification"] == [
        {**closed, "validFrom": "2025-07-01", "validThrough": "2025-07-01", "name": "Bank holiday"},
        {**closed, "validFrom": "2025-08-10", "validThrough": "2025-08-12", "name": "Training"},
    ]
    assert data["availableService"] == [
        {"@type": "MedicalTherapy", "name": name, "url": f"http://testserver/treatments/{slug}/"}
        for name, slug in [("Milia", "milia"), ("Moles", "moles")]
    ]
    assert data["amenityFeature"] == [
        {"@type": "LocationFeatureSpecification", "name": name, "value": value}
        for name, value in [
            ("Step-free access", True),
            ("Hearing loop", True),
            ("Accessible toilet", False),
        ]
    ]


def test_a_procedure_offered_at_a_clinic_is_a_medical_procedure(client):
    clinic = make_clinic("Bristol clinic", slug="bristol")
    clinic.treatments.add(make_treatment("Laser treatment", kind="procedure"))

    (data,) = read_page(client.get("/clinics/bristol/")).json_ld_of_type("MedicalClinic")

    assert [service["@type"] for service in data["availableService"]] == ["MedicalProcedure"]


def test_clinic_structured_data_leaves_out_what_is_not_known(client):
    make_clinic("Bristol clinic", slug="bristol", city="Bristol")

    (data,) = read_page(client.get("/clinics/bristol/")).json_ld_of_type("MedicalClinic")

    assert data["telephone"] == "+44 20 7386 0464"
    for unknown in [
        "openingHoursSpecification",
        "specialOpeningHoursSpecification",
        "hasMap",
        "availableService",
        "amenityFeature",
    ]:
        assert unknown not in data
