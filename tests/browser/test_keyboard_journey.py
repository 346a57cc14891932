"""A patient books with the keyboard alone: from the skip link, through the navigation and
an article, to the form and its error summary, with a visible focus at every stop."""

import pytest

from booking.models import ConsultationRequest
from pages.models import Clinic
from tests.browser.journey import PATIENT, confirmation_reference, focused, path_of

pytestmark = [
    pytest.mark.browser,
    # Committed data, for the live server's thread; `site` restores the staff groups.
    pytest.mark.django_db(transaction=True),
]

KEYBOARD_ANSWERS = {
    "full_name": PATIENT["full_name"],
    "email": PATIENT["email"],
    "phone": PATIENT["phone"],
    "message": "A few small white bumps under my eyes.",
}


def has_visible_focus(page):
    """A focus indicator a sighted keyboard user can see: an outline or a focus shadow."""
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
            return outline || style.boxShadow !== "none";
        }"""
    )


def press_and_wait(page, key):
    """Press a key that loads a new page (following a link, sending a form)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def tab_to(page, predicate, *, limit=150, shift=False):
    """Press Tab until `predicate(focused element)` holds; return that element's details."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        element = focused(page)
        if element and predicate(element):
            return element
    raise AssertionError(f"Tab never reached the element (last focus: {focused(page)})")


def fill_by_keyboard(page):
    """From the current focus, Tab through the booking form answering each field, in the
    order the keyboard reaches them, then press Enter on the send button."""
    visited = []
    for _ in range(60):
        element = tab_to(page, lambda el: el["formId"] == "booking-form")
        assert has_visible_focus(page), f"No visible focus indicator on {element}"
        name, kind = element["name"], element["type"]
        visited.append(name)
        if kind == "submit":
            press_and_wait(page, "Enter")
            return visited
        is_empty = page.evaluate("document.activeElement.value === ''")
        if name in KEYBOARD_ANSWERS and is_empty:
            page.keyboard.type(KEYBOARD_ANSWERS[name])
        elif name == "clinic":
            page.keyboard.press("ArrowDown")  # the first clinic after "No preference"
        elif (name == "contact_method" or name in {"consent", "confirmed_adult"}) and (
            not page.evaluate("document.activeElement.checked")
        ):
            page.keyboard.press("Space")
    raise AssertionError(f"Never reached the send button; visited {visited}")


def test_patient_books_with_the_keyboard_alone(site, page):
    page.goto(site.url + "/")
    skip = tab_to(page, lambda el: el["tag"] == "a", limit=1)
    assert "skip" in skip["text"].lower(), f"First Tab stop is not the skip link: {skip}"
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Skin advice")
    press_and_wait(page, "Enter")
    tab_to(page, lambda el: el["tag"] == "a" and "milia" in el["text"].lower())
    press_and_wait(page, "Enter")
    article_path = path_of(page)
    assert article_path.startswith("/skin-advice/") and "milia" in article_path

    # Then the form, errors and all, without touching the mouse.
    tab_to(page, lambda el: el["name"] == "full_name")
    page.keyboard.type(PATIENT["full_name"])
    tab_to(page, lambda el: el["type"] == "submit")
    press_and_wait(page, "Enter")

    assert page.title().startswith("Error: ")
    summary_link = tab_to(page, lambda el: el["tag"] == "a", limit=1)
    page.keyboard.press("Enter")
    target = focused(page)
    assert target["tag"] in {"input", "select", "textarea"}, f"{summary_link} → {target}"
    # Back by one so the loop answers the field the summary link led to.
    page.keyboard.press("Shift+Tab")
    visited = fill_by_keyboard(page)

    assert {"email", "phone", "contact_method", "consent", "confirmed_adult"} <= set(visited)
    reference = confirmation_reference(page)
    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.full_name == PATIENT["full_name"]
    assert stored.clinic == Clinic.objects.published().order_by("sort_order", "title").first()
    assert stored.contact_method == ConsultationRequest.ContactMethod.PHONE
    assert stored.source_path == article_path
