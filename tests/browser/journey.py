"""Steps a patient or a receptionist takes, in the words they see on the page.

Fields are found by their visible labels and buttons by their names, as a screen reader
user would find them: a label that isn't tied to its field fails these steps.
"""

import base64
import re
from urllib.parse import urlsplit

import pyotp
from django.conf import settings
from playwright.sync_api import expect

# A name from the booking issue: accents, an apostrophe and a hyphen, all kept.
PATIENT = {
    "full_name": "Zoë O'Connor-Ng",
    "email": "zoe.oconnor@example.com",
    # Ofcom's range for drama (no real patient's), in national format as patients type
    # it; stored as +442079460123.
    "phone": "020 7946 0123",
}
PATIENT_PHONE_E164 = "+442079460123"
REFERENCE = re.compile(r"\bCSC-[0-9A-Z]{6}\b")

FULL_NAME = re.compile(r"^\s*Full name")
EMAIL = re.compile(r"^\s*Email address")
PHONE_NUMBER = re.compile(r"^\s*Phone number")
CLINIC = re.compile(r"^\s*Preferred clinic")
TREATMENT = re.compile(r"^\s*Treatment or concern")
CONSENT = re.compile(r"^\s*I agree")
ADULT = re.compile(r"18 or over")
SUBMIT = re.compile(r"Send my request", re.IGNORECASE)


def booking_form(page):
    """The consultation form on the page: the sidebar's, or the one on /book/."""
    return page.locator("form#booking-form")


def fill_booking(form, patient=PATIENT, *, contact="Phone"):
    form.get_by_label(FULL_NAME).fill(patient["full_name"])
    form.get_by_label(EMAIL).fill(patient["email"])
    form.get_by_label(PHONE_NUMBER).fill(patient["phone"])
    form.get_by_role("radio", name=contact, exact=True).check()
    form.get_by_label(CONSENT).check()
    form.get_by_label(ADULT).check()


def submit_booking(form):
    form.get_by_role("button", name=SUBMIT).click()
    form.page.wait_for_load_state()


def book(page, patient=PATIENT):
    """Fill in and send the form on the current page; return the confirmation reference."""
    form = booking_form(page)
    fill_booking(form, patient)
    submit_booking(form)
    return confirmation_reference(page)


def confirmation_reference(page):
    match = REFERENCE.search(page.locator("main").inner_text())
    assert match, f"No reference on {page.url}:\n{page.locator('main').inner_text()[:500]}"
    return match.group()


def path_of(page):
    """The path of the page the browser is on, without the host or query string."""
    return urlsplit(page.url).path


def focused(page):
    """What has keyboard focus: its id, tag, type, name and accessible label text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const labels = el && el.labels ? [...el.labels].map(l => l.innerText) : [];
            return el && {
                id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "",
                name: el.name || "", label: labels.join(" ").trim(),
                text: (el.innerText || "").trim().slice(0, 80),
                formId: el.form ? el.form.id : "",
            };
        }"""
    )


# --- Staff --------------------------------------------------------------------------------

# The password tests/factories.py gives every staff user it makes.
STAFF_PASSWORD = "pw-not-secret-123"
CODE = re.compile(r"code", re.IGNORECASE)


def make_totp_device(user):
    """A confirmed authenticator app for `user`, as the set-up step would leave it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def totp_code(device):
    """The code the staff member's authenticator app shows right now."""
    secret = base64.b32encode(device.bin_key).decode()
    return pyotp.TOTP(secret, digits=device.digits, interval=device.step).now()


def admin_url(base_url, path=""):
    return f"{base_url}/{settings.ADMIN_PATH}{path}"


def admin_log_in(page, base_url, user, *, device=None, check=None):
    """Sign in on the admin's login page; then, given a TOTP device, at the code step.

    `check(name)`, if given, is called on the code step's page (an accessibility check).
    """
    page.goto(admin_url(base_url))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name=re.compile(r"Log in", re.IGNORECASE)).click()
    page.wait_for_load_state()
    if device is not None:
        code_form = page.locator("form").filter(has=page.get_by_label(CODE))
        expect(code_form).to_be_visible()
        if check is not None:
            check("two-factor code")
        code_form.get_by_label(CODE).fill(totp_code(device))
        code_form.locator("[type=submit]").first.click()
        page.wait_for_load_state()
