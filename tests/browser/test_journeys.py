"""Patient and staff journeys in a real browser, as people would take them.

Each test follows one journey through the live server. Screenshots of every page type at
phone and desktop width go to test-artifacts/screenshots/ (CI keeps that folder).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from booking.models import ConsultationRequest
from pages.models import Article, Clinic, Page, Treatment
from tests.browser.conftest import PHONE, VIEWPORTS, save_screenshot
from tests.browser.journey import (
    CLINIC,
    EMAIL,
    PATIENT,
    PATIENT_PHONE_E164,
    PHONE_NUMBER,
    TREATMENT,
    admin_log_in,
    admin_url,
    book,
    booking_form,
    confirmation_reference,
    fill_booking,
    focused,
    make_totp_device,
    submit_booking,
)
from tests.factories import make_clinic_staff, make_request

pytestmark = [
    pytest.mark.browser,
    # Committed data, for the live server's thread; `site` restores the staff groups.
    pytest.mark.django_db(transaction=True),
]


def path_of(page):
    return urlsplit(page.url).path


def described_by(locator):
    """The text of the elements named in aria-describedby: what a screen reader reads."""
    return locator.evaluate(
        """el => (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(node => node.textContent.trim()).join(" ")"""
    )


def open_milia_article(page, base_url):
    """Home → "Skin advice" in the main navigation → the milia article."""
    page.goto(base_url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Skin advice").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("main").get_by_role("link", name=re.compile("milia", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("milia", re.I))
    assert path_of(page).startswith("/skin-advice/")
    return path_of(page)


def assert_error_summary_works(page):
    """The summary has focus, and each of its links moves focus to the field it names."""
    assert page.title().startswith("Error: "), page.title()
    summary_id = focused(page)["id"]
    assert summary_id, f"The error summary does not have focus: {focused(page)}"
    summary = page.locator(f"[id='{summary_id}']")
    expect(summary).to_contain_text(re.compile("problem", re.I))
    links = summary.get_by_role("link")
    assert links.count() >= 3, summary.inner_html()
    for index in range(links.count()):
        link = links.nth(index)
        message = link.inner_text().strip()
        target_id = link.get_attribute("href").removeprefix("#")
        link.click()
        assert focused(page)["id"] == target_id, f"{message!r} did not move focus to its field"
        field = page.locator(f"[id='{target_id}']")
        group = field.locator("xpath=ancestor::fieldset[1]")
        descriptions = described_by(field) + (described_by(group) if group.count() else "")
        assert message in descriptions, f"{target_id} is not described by its error {message!r}"
    return links


def test_patient_books_from_the_milia_article_after_fixing_mistakes(site, page):
    article_path = open_milia_article(page, site.url)
    form = booking_form(page)
    expect(form).to_be_visible()

    # Wrong: no name, an email without an @, a number that isn't one, no boxes ticked.
    form.get_by_label(EMAIL).fill("zoe.example.com")
    form.get_by_label(PHONE_NUMBER).fill("12345")
    submit_booking(form)

    links = assert_error_summary_works(page)
    summary_text = " ".join(links.all_inner_texts())
    for message in [
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 020 7386 0464 or +44 7700 900123",
        "Confirm that you are 18 or over",
    ]:
        assert message in summary_text
    save_screenshot(page, "booking-errors")

    form = booking_form(page)
    # What the patient typed is kept, so only the mistakes need fixing.
    expect(form.get_by_label(EMAIL)).to_have_value("zoe.example.com")
    expect(form.get_by_label(PHONE_NUMBER)).to_have_value("12345")
    fill_booking(form)
    submit_booking(form)

    reference = confirmation_reference(page)
    expect(page.locator("main")).to_contain_text("020 7386 0464")
    save_screenshot(page, "booking-confirmation")
    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.full_name == PATIENT["full_name"]
    assert stored.phone == PATIENT_PHONE_E164
    assert stored.source_path == article_path
    assert stored.status == ConsultationRequest.Status.NEW
    assert not stored.spam_reason

    page.reload()
    assert ConsultationRequest.objects.count() == 1, "Reloading the confirmation booked again"


def selected_option_text(select):
    return select.evaluate("el => el.options[el.selectedIndex].text.trim()")


def test_booking_from_a_treatment_page_preselects_the_treatment(site, page):
    # The last concern listed: not one a form would pick by default.
    conditions = Treatment.objects.published().filter(kind=Treatment.Kind.CONDITION)
    treatment = conditions.order_by("sort_order", "title").last()
    page.goto(site.url + "/treatments/")
    page.locator("main").get_by_role("link", name=treatment.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(treatment.title)

    form = booking_form(page)
    assert selected_option_text(form.get_by_label(TREATMENT)) == treatment.title
    reference = book(page)

    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.treatment == treatment
    assert stored.source_path == treatment.get_absolute_url()


def test_booking_from_a_clinic_page_preselects_the_clinic(site, page):
    clinic = Clinic.objects.published().order_by("sort_order", "title").last()
    page.goto(site.url + "/clinics/")
    page.locator("main").get_by_role("link", name=clinic.title, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(clinic.city)

    form = booking_form(page)
    assert selected_option_text(form.get_by_label(CLINIC)) == clinic.title
    reference = book(page)

    stored = ConsultationRequest.objects.get(reference=reference)
    assert stored.clinic == clinic
    assert stored.source_path == clinic.get_absolute_url()


# --- Keyboard alone, and no JavaScript ---------------------------------------------------

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


def test_patient_books_with_javascript_turned_off(site, new_page):
    page = new_page(java_script_enabled=False)
    article_path = open_milia_article(page, site.url)
    form = booking_form(page)
    form.get_by_label(EMAIL).fill("not an email")
    submit_booking(form)

    # Without JavaScript the summary still takes focus (autofocus) and its links still work.
    assert_error_summary_works(page)
    fill_booking(booking_form(page))
    submit_booking(booking_form(page))

    reference = confirmation_reference(page)
    assert ConsultationRequest.objects.get(reference=reference).source_path == article_path


# --- Layout at phone and desktop width ------------------------------------------------------

TAP_TARGETS = """() => {
    // WCAG 2.2 SC 2.5.8 Target Size (Minimum), level AA: each pointer target is at least
    // 24×24 CSS px, except (a) inline targets in a sentence, (b) undersized targets spaced so
    // that a 24 px circle on each touches no other target or circle. A checkbox or radio
    // counts with its label, which toggles it too.
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary";
    const visible = el => {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return r.width > 1 && r.height > 1 && s.visibility !== "hidden" &&
            !el.closest("[aria-hidden=true]");
    };
    const union = (a, b) => {
        const left = Math.min(a.left, b.left), top = Math.min(a.top, b.top);
        const right = Math.max(a.right, b.right), bottom = Math.max(a.bottom, b.bottom);
        return {left, top, right, bottom, width: right - left, height: bottom - top};
    };
    const box = el => {
        let r = el.getBoundingClientRect();
        if (["checkbox", "radio"].includes(el.type) && el.labels)
            for (const label of el.labels) r = union(r, label.getBoundingClientRect());
        return {left: r.left, top: r.top + scrollY, right: r.right, bottom: r.bottom + scrollY,
                width: r.width, height: r.height};
    };
    const inSentence = el => {
        if (el.tagName !== "A") return false;
        const block = el.closest("p, li, dd, td, blockquote, figcaption, label, legend");
        if (!block) return false;
        const text = block.textContent.replace(/\\s+/g, " ").trim();
        const own = el.textContent.replace(/\\s+/g, " ").trim();
        return getComputedStyle(el).display === "inline" && text.length > own.length + 10;
    };
    const describe = el => el.outerHTML.replace(/\\s+/g, " ").slice(0, 120);
    const targets = [...document.querySelectorAll(selector)].filter(visible)
        .map(el => ({el, box: box(el)}));
    const small = targets.filter(t => (t.box.width < 23.5 || t.box.height < 23.5) &&
                                      !inSentence(t.el));
    const centre = b => [(b.left + b.right) / 2, (b.top + b.bottom) / 2];
    const circleHitsBox = ([cx, cy], b) => {
        const dx = Math.max(b.left - cx, 0, cx - b.right);
        const dy = Math.max(b.top - cy, 0, cy - b.bottom);
        return dx * dx + dy * dy < 144;
    };
    return small.filter(t => {
        const c = centre(t.box);
        return targets.some(o => o !== t && o.el !== t.el && !o.el.contains(t.el) &&
            !t.el.contains(o.el) && (circleHitsBox(c, o.box) ||
            (small.includes(o) && Math.hypot(c[0] - centre(o.box)[0],
                                             c[1] - centre(o.box)[1]) < 24)));
    }).map(t => `${Math.round(t.box.width)}×${Math.round(t.box.height)} ${describe(t.el)}`);
}"""


FAINT_CONTROLS = """() => {
    // WCAG 2.2 SC 1.4.11 Non-text Contrast, level AA: the edge that shows where a form
    // field is needs 3:1 against what surrounds it, by its border or by its own background.
    const rgba = value => {
        const [r, g, b, a = 1] = value.match(/[\\d.]+/g).map(Number);
        return {r, g, b, a};
    };
    const luminance = ({r, g, b}) => {
        const [R, G, B] = [r, g, b].map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const ratio = (x, y) => {
        const [a, b] = [luminance(x), luminance(y)].sort((m, n) => n - m);
        return (a + 0.05) / (b + 0.05);
    };
    const over = (top, bottom) => ({
        r: top.r * top.a + bottom.r * (1 - top.a),
        g: top.g * top.a + bottom.g * (1 - top.a),
        b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
    });
    const behind = el => {
        const layers = [];
        for (let node = el.parentElement; node; node = node.parentElement) {
            const colour = rgba(getComputedStyle(node).backgroundColor);
            if (colour.a > 0) layers.push(colour);
            if (colour.a === 1) break;
        }
        return layers.reverse().reduce((below, layer) => over(layer, below),
                                       {r: 255, g: 255, b: 255, a: 1});
    };
    const fields = document.querySelectorAll(
        "main input:not([type=hidden]):not([type=submit]):not([type=button]), main select, " +
        "main textarea");
    const faint = [];
    for (const el of fields) {
        const rect = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (rect.width <= 1 || rect.height <= 1 || el.closest("[aria-hidden=true]")) continue;
        // A control drawn by the browser itself (not restyled) is exempt from 1.4.11.
        if (["checkbox", "radio"].includes(el.type) && style.appearance !== "none") continue;
        const around = behind(el);
        const border = over(rgba(style.borderTopColor), around);
        const fill = over(rgba(style.backgroundColor), around);
        const best = Math.max(parseFloat(style.borderTopWidth) > 0 ? ratio(border, around) : 1,
                              ratio(fill, around));
        if (best < 3) faint.push(`${best.toFixed(2)}:1 ${el.outerHTML.slice(0, 100)}`);
    }
    return faint;
}"""


def assert_fits(page, name):
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"{name}: page is {overflow[0]} px wide in {overflow[1]}"
    too_small = page.evaluate(TAP_TARGETS)
    assert not too_small, f"{name}: tap targets under 24×24 px:\n" + "\n".join(too_small)
    faint = page.evaluate(FAINT_CONTROLS)
    assert not faint, f"{name}: form fields whose edges are under 3:1 contrast:\n" + "\n".join(
        faint
    )


def content_and_form_boxes(page):
    content = page.locator("main h1").locator("xpath=ancestor::article[1]")
    if not content.count():
        content = page.locator("main h1").locator("xpath=..")
    return content.bounding_box(), booking_form(page).bounding_box()


def public_page_types():
    """One page of each type."""
    paths = {
        "home": "/",
        "article-list": "/skin-advice/",
        "article": Article.objects.published().filter(slug__contains="milia").first(),
        "treatment-list": "/treatments/",
        "treatment": Treatment.objects.published().first(),
        "clinic-list": "/clinics/",
        "clinic": Clinic.objects.published().first(),
        "book": "/book/",
        "simple-page": Page.objects.published().first(),
    }
    return {
        name: path if isinstance(path, str) else path.get_absolute_url()
        for name, path in paths.items()
    }


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_pages_fit_phone_and_desktop_with_form_beside_or_after_content(site, new_page, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    for name, path in public_page_types().items():
        page.goto(site.url + path)
        assert_fits(page, name)
        save_screenshot(page, name)
        if name in {"article", "treatment", "clinic"}:
            content, form = content_and_form_boxes(page)
            if viewport == "desktop":
                assert form["x"] >= content["x"] + content["width"], f"{name}: form not beside"
                assert form["y"] < content["y"] + content["height"], f"{name}: form below"
                assert form["y"] + form["height"] > content["y"], f"{name}: form above"
            else:
                assert form["y"] >= content["y"] + content["height"], f"{name}: form not after"
    page.goto(site.url + "/no-such-page/")
    save_screenshot(page, "not-found")
    assert_fits(page, "not-found")


def test_error_and_confirmation_pages_fit_a_phone(site, new_page):
    page = new_page(viewport=PHONE)
    page.goto(site.url + "/book/")
    submit_booking(booking_form(page))
    assert_fits(page, "booking errors")
    save_screenshot(page, "booking-errors")
    book(page)
    assert_fits(page, "confirmation")
    save_screenshot(page, "booking-confirmation")


# --- Staff ---------------------------------------------------------------------------------

HISTORY_NOTE = "Called the patient: booking her in for Tuesday."


def find_by_phone(page, base_url, phone):
    """From the admin home, open the queue and search for a phone number."""
    page.goto(admin_url(base_url))
    page.get_by_role("link", name="Consultation requests").first.click()
    search = page.get_by_role("textbox", name="Search")
    search.fill(phone)
    with page.expect_navigation():
        search.press("Enter")
    return page.locator("#result_list tbody tr")


@pytest.mark.parametrize("two_factor", [False, True], ids=["password", "two-factor"])
def test_receptionist_triages_a_new_request_and_cannot_export_or_delete(
    site, new_page, settings, two_factor
):
    # REQUIRE_2FA (DJANGO_REQUIRE_2FA) is read on each request, so both sign-ins are tested.
    settings.REQUIRE_2FA = two_factor
    clinic = Clinic.objects.published().first()
    patient = new_page()
    patient.goto(site.url + clinic.get_absolute_url())
    reference = book(patient)
    request = ConsultationRequest.objects.get(reference=reference)
    other = make_request(full_name="Someone Else", phone="+442079460999", clinic=clinic)

    rita = make_clinic_staff("rita", clinics=[clinic], first_name="Rita", last_name="Patel")
    page = new_page()
    admin_log_in(page, site.url, rita, device=make_totp_device(rita) if two_factor else None)
    assert path_of(page) == admin_url("", ""), f"Not signed in: {page.url}"

    # Found by the number typed as the patient would say it, not as it is stored.
    rows = find_by_phone(page, site.url, PATIENT["phone"])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    assert other.reference not in page.locator("#result_list").inner_text()

    actions = page.get_by_role("combobox", name=re.compile("^Action"))
    offered = actions.locator("option").all_inner_texts()
    assert "Assign to me" in offered
    assert not [option for option in offered if "export" in option.lower()], offered
    assert not [option for option in offered if "delete" in option.lower()], offered

    rows.first.get_by_role("checkbox").check()
    actions.select_option(label="Assign to me")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("assigned to you")
    expect(rows.first).to_contain_text("Rita Patel")
    save_screenshot(page, "admin-queue")

    rows.first.get_by_role("link", name=reference).click()
    page.get_by_label("Change status to").select_option(label="Contacted")
    page.get_by_label("Note for the history").fill(HISTORY_NOTE)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_be_visible()

    history = page.locator(".inline-group").filter(has=page.get_by_role("heading", name="History"))
    expect(history).to_contain_text("New → Contacted")
    expect(history).to_contain_text(HISTORY_NOTE)
    expect(history).to_contain_text("Rita Patel")
    save_screenshot(page, "admin-request")
    request.refresh_from_db()
    assert request.status == ConsultationRequest.Status.CONTACTED
    assert request.assigned_to == rita
    assert request.events.filter(actor=rita, to_status="contacted", note=HISTORY_NOTE).exists()

    # No way to delete: no link, and the URL itself is refused.
    expect(page.get_by_role("link", name=re.compile("Delete", re.I))).to_have_count(0)
    delete_url = admin_url(site.url, f"booking/consultationrequest/{request.pk}/delete/")
    assert page.request.get(delete_url).status == 403
    # No way to export: the action, posted by hand, sends no CSV back.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = page.request.post(
        admin_url(site.url, "booking/consultationrequest/"),
        form={
            "csrfmiddlewaretoken": token,
            "action": "export_csv",
            "_selected_action": str(request.pk),
            "index": "0",
        },
    )
    assert "text/csv" not in response.headers.get("content-type", "")
    assert ConsultationRequest.objects.filter(pk=request.pk).exists()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_pages_fit_phone_and_desktop(site, new_page, viewport):
    """Receptionists check the queue on a phone too: no page wider than the screen."""
    clinic = Clinic.objects.published().first()
    request = make_request(clinic=clinic)
    rita = make_clinic_staff("rita", clinics=[clinic], first_name="Rita", last_name="Patel")
    page = new_page(viewport=VIEWPORTS[viewport])
    admin_log_in(page, site.url, rita)
    for name, path in [
        ("admin-home", ""),
        ("admin-queue", "booking/consultationrequest/"),
        ("admin-request", f"booking/consultationrequest/{request.pk}/change/"),
    ]:
        page.goto(admin_url(site.url, path))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        save_screenshot(page, name)
        width = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{name}: page is {width[0]} px wide in {width[1]}"
