"""
Phone numbers, read and written with libphonenumber (`phonenumbers`). A number without a
country code is a UK one. Stored numbers are E.164 ("+442073860464").
"""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat

DEFAULT_REGION = "GB"
UK_COUNTRY_CODE = 44
# What a search term must look like to be searched for as a phone number.
PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$")


def parse_phone(raw: str) -> PhoneNumber | None:
    """The number in `raw`, extension included; None if it can't be read as a number."""
    try:
        return phonenumbers.parse(raw, DEFAULT_REGION)
    except NumberParseException:
        return None


def is_reserved_uk_mobile(number: PhoneNumber) -> bool:
    """
    Ofcom's 07700 900000-900999 range, which libphonenumber calls invalid. Our own form's hint
    quotes it and staff use it in training, so it is accepted.
    """
    national = str(number.national_number)
    return (
        number.country_code == UK_COUNTRY_CODE
        and national.startswith("7700900")
        and len(national) == 10
    )


def is_valid_phone(number: PhoneNumber) -> bool:
    """A number that can be dialled (or Ofcom's reserved drama range)."""
    return phonenumbers.is_valid_number(number) or is_reserved_uk_mobile(number)


def phone_e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_for_people(e164: str) -> str:
    """A stored number as staff read it: national for UK numbers, international otherwise."""
    number = parse_phone(e164)
    if number is None:
        return e164
    if number.country_code == UK_COUNTRY_CODE:
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def phone_search_value(term: str) -> str | None:
    """A search term as the E.164 number it may be, however typed; None if it isn't one."""
    term = term.strip()
    if not PHONE_LIKE.match(term):
        return None
    number = parse_phone(term)
    if number is None or not phonenumbers.is_possible_number(number):
        return None
    return phone_e164(number)


def tel_href(phone: str) -> str:
    """ "020 7386 0464" -> "tel:+442073860464", for a tap-to-call link."""
    number = parse_phone(str(phone))
    if number is None:
        return "tel:" + "".join(char for char in str(phone) if char.isdigit() or char == "+")
    return "tel:" + phone_e164(number)


def phone_international(phone: str) -> str:
    """ "020 7386 0464" -> "+44 20 7386 0464", as schema.org expects; unreadable: as given."""
    number = parse_phone(phone)
    if number is None:
        return phone.strip()
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
