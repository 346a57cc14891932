"""Phone numbers as people type them, as staff read them, and as links and structured data."""

import pytest

from clinic_site.phones import (
    is_valid_phone,
    parse_phone,
    phone_e164,
    phone_for_people,
    phone_international,
    phone_search_value,
    tel_href,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("020 7386 0464", "+442073860464"),
        ("(020) 7386-0464", "+442073860464"),
        ("+44 (0)20 7386 0464", "+442073860464"),
        ("07700 900123", "+447700900123"),  # Ofcom's drama range, kept on purpose
        ("+33 1 23 45 67 89", "+33123456789"),
    ],
)
def test_a_number_without_a_country_code_is_read_as_a_uk_number(typed, stored):
    number = parse_phone(typed)
    assert is_valid_phone(number)
    assert phone_e164(number) == stored


@pytest.mark.parametrize("typed", ["not a number", "", "12345", "07700 9001234"])
def test_what_is_not_a_callable_number_is_refused(typed):
    number = parse_phone(typed)
    assert number is None or not is_valid_phone(number)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+442073860464", "020 7386 0464"),
        ("+447700900123", "07700 900123"),
        ("+33123456789", "+33 1 23 45 67 89"),
        ("unknown", "unknown"),
    ],
)
def test_staff_read_uk_numbers_nationally_and_others_internationally(stored, shown):
    assert phone_for_people(stored) == shown


@pytest.mark.parametrize(
    ("term", "value"),
    [
        ("07700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("Zoë", None),
        ("CSC-7K3M9Q", None),
        ("123", None),
    ],
)
def test_a_search_term_is_searched_as_a_number_only_when_it_looks_like_one(term, value):
    assert phone_search_value(term) == value


@pytest.mark.parametrize(
    ("phone", "href", "international"),
    [
        ("020 7386 0464", "tel:+442073860464", "+44 20 7386 0464"),
        ("+44 20 7386 0464", "tel:+442073860464", "+44 20 7386 0464"),
        ("0117 496 0000", "tel:+441174960000", "+44 117 496 0000"),
    ],
)
def test_clinic_numbers_become_tap_to_call_links_and_international_numbers(
    phone, href, international
):
    assert tel_href(phone) == href
    assert phone_international(phone) == international
