"""Frequently asked questions: a treatment's own on its page, general ones on /faqs/; in
order, each question a heading, with FAQPage structured data, drafts never shown."""

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pages.models import FAQ, Page
from tests.factories import make_faq, make_treatment
from tests.pages.html import read_page
from tests.pages.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


class Headings(HTMLParser):
    """The page's headings in order, as (level, text), inside <main>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []
        self._level = None
        self._in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main = True
        elif self._in_main and re.fullmatch(r"h[1-6]", tag):
            self._level = int(tag[1])
            self.headings.append([self._level, ""])

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        elif re.fullmatch(r"h[1-6]", tag):
            self._level = None

    def handle_data(self, data):
        if self._level is not None:
            self.headings[-1][1] += data


def headings_of(html):
    parser = Headings()
    parser.feed(html)
    return [(level, " ".join(text.split())) for level, text in parser.headings]


def assert_no_heading_level_skipped(headings):
    assert headings[0][0] == 1
    for (before, _), (after, text) in zip(headings, headings[1:], strict=False):
        assert after <= before + 1, f"h{before} then h{after} ({text})"


@pytest.fixture
def moles():
    return make_treatment("Moles", slug="moles")


# --- A treatment's questions ---------------------------------------------------------


def test_treatment_faqs_are_headings_in_their_order_under_their_own_heading(client, moles):
    make_faq("Will it scar?", treatment=moles, sort_order=20)
    make_faq("Does it hurt?", treatment=moles, sort_order=10)
    make_faq("Is it covered by insurance?", treatment=moles, sort_order=30)
    html = client.get("/treatments/moles/").content.decode()
    headings = headings_of(html)

    faqs = headings[headings.index((2, "Frequently asked questions")) :][:4]
    assert faqs == [
        (2, "Frequently asked questions"),
        (3, "Does it hurt?"),
        (3, "Will it scar?"),
        (3, "Is it covered by insurance?"),
    ]
    assert_no_heading_level_skipped(headings)
    assert "Most patients feel only a little discomfort." in html


def test_unpublished_faqs_and_other_treatments_faqs_are_never_shown(client, moles, admin_client):
    make_faq("Does it hurt?", treatment=moles)
    make_faq("A draft question?", treatment=moles, is_published=False)
    make_faq("About warts?", treatment=make_treatment("Warts", slug="warts"))
    make_faq("A general question?")

    for viewer in [client, admin_client]:
        html = viewer.get("/treatments/moles/").content.decode()
        assert "Does it hurt?" in html
        assert "A draft question?" not in html
        assert "About warts?" not in html
        assert "A general question?" not in html


def test_a_treatment_without_published_faqs_has_no_faq_heading_or_faq_data(client, moles):
    make_faq("A draft question?", treatment=moles, is_published=False)
    response = client.get("/treatments/moles/")

    assert "Frequently asked questions" not in response.content.decode()
    assert not read_page(response).json_ld_of_type("FAQPage")


def test_treatment_faq_structured_data_gives_each_question_and_its_answer(client, moles):
    make_faq("Does it hurt?", treatment=moles, body="A little.\n\n- numbing cream\n- ice")
    make_faq("Will it scar?", treatment=moles, body="Usually **a small** scar & no more.")
    page = read_page(client.get("/treatments/moles/"))

    (faq_page,) = page.json_ld_of_type("FAQPage")
    assert faq_page["@context"] == "https://schema.org"
    assert faq_page["url"] == "http://testserver/treatments/moles/"
    assert faq_page["mainEntity"] == [
        {
            "@type": "Question",
            "name": "Does it hurt?",
            "acceptedAnswer": {"@type": "Answer", "text": "A little. numbing cream ice"},
        },
        {
            "@type": "Question",
            "name": "Will it scar?",
            "acceptedAnswer": {"@type": "Answer", "text": "Usually a small scar & no more."},
        },
    ]
    # The page keeps its own MedicalWebPage too.
    assert page.json_ld_of_type("MedicalWebPage")


def test_answers_are_sanitised_markdown_without_headings(client, moles):
    make_faq(
        "Does it hurt?",
        treatment=moles,
        body="## Not a heading\n\n[Book](/book/) <script>alert(1)</script>"
        '<a href="javascript:alert(2)">x</a>',
    )
    html = client.get("/treatments/moles/").content.decode()

    assert "<p>Not a heading</p>" in html
    assert "<h2>Not a heading" not in html
    assert '<a href="/book/" rel="noopener noreferrer">Book</a>' in html
    assert "alert(1)" not in html
    assert "javascript:" not in html


# --- /faqs/ ------------------------------------------------------------------------------


def test_faqs_page_lists_the_published_general_questions_in_order(client, moles):
    make_faq("How do I cancel?", sort_order=2, body="Call us.")
    make_faq("Where are you?", sort_order=1)
    make_faq("A draft?", is_published=False)
    make_faq("About moles?", treatment=moles)
    response = client.get("/faqs/")
    html = response.content.decode()
    headings = headings_of(html)

    assert response.status_code == 200
    assert headings[:3] == [
        (1, "Frequently asked questions"),
        (2, "Where are you?"),
        (2, "How do I cancel?"),
    ]
    assert_no_heading_level_skipped(headings)
    assert "A draft?" not in html
    assert "About moles?" not in html
    assert 'id="faq-' in html
    assert '<meta name="robots" content="noindex">' not in html


def test_faqs_page_structured_data_is_an_faq_page(client):
    make_faq("How do I cancel?", body="Call us.")
    page = read_page(client.get("/faqs/"))

    (faq_page,) = page.json_ld_of_type("FAQPage")
    assert faq_page["name"] == "Frequently asked questions"
    assert faq_page["mainEntity"][0]["name"] == "How do I cancel?"
    assert faq_page["mainEntity"][0]["acceptedAnswer"]["text"] == "Call us."
    assert len(page.json_ld_of_type("BreadcrumbList")) == 1


def test_faqs_page_without_questions_says_so_is_not_indexed_and_has_no_faq_data(client):
    make_faq("A draft?", is_published=False)
    response = client.get("/faqs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "will be listed here soon" in html
    assert '<meta name="robots" content="noindex">' in html
    assert not read_page(response).json_ld_of_type("FAQPage")
    assert [level for level, _ in headings_of(html)].count(1) == 1


def test_faqs_page_is_in_the_sitemap_once_it_has_a_question(client):
    def locations():
        return re.findall(r"<loc>(.*?)</loc>", client.get("/sitemap.xml").content.decode())

    assert "http://testserver/faqs/" not in locations()
    make_faq("A draft?", is_published=False)
    assert "http://testserver/faqs/" not in locations()
    make_faq("How do I cancel?")
    assert "http://testserver/faqs/" in locations()


def test_every_page_links_to_the_faqs_from_its_footer(client, seeded):
    for path in ["/", "/treatments/milia/", "/book/"]:
        html = client.get(path).content.decode()
        footer = html[html.index('<footer class="site-footer"') :]
        assert 'href="/faqs/">FAQs</a>' in footer, path


def test_a_new_faq_shows_on_the_cached_faqs_page_at_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/faqs/")
    make_faq("How do I cancel?")

    assert "How do I cancel?" in client.get("/faqs/").content.decode()


def test_no_page_can_take_the_faqs_address(client):
    page = Page(title="FAQs", slug="faqs", body="x")
    with pytest.raises(ValidationError, match="used by another part of the site"):
        page.full_clean()


# --- The admin ---------------------------------------------------------------------------


def test_staff_add_a_treatments_questions_in_its_admin_page_ordered_by_number(admin_client, moles):
    url = change_url(moles)
    data = form_data(
        admin_client.get(url),
        **{
            "faqs-TOTAL_FORMS": "2",
            "faqs-INITIAL_FORMS": "0",
            "faqs-0-question": "Will it scar?",
            "faqs-0-body": "Usually a small scar.",
            "faqs-0-sort_order": "2",
            "faqs-0-is_published": "on",
            "faqs-1-question": "Does it hurt?",
            "faqs-1-body": "A little.",
            "faqs-1-sort_order": "1",
            "faqs-1-is_published": "on",
        },
    )

    saved = admin_client.post(url, data)

    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert list(moles.faqs.values_list("question", flat=True)) == [
        "Does it hurt?",
        "Will it scar?",
    ]
    headings = headings_of(admin_client.get("/treatments/moles/").content.decode())
    assert (3, "Does it hurt?") in headings


def test_faq_admin_lists_questions_and_opens_them_on_the_site(admin_client, moles):
    general = make_faq("How do I cancel?")
    about_moles = make_faq("Does it hurt?", treatment=moles)
    changelist = admin_client.get(reverse("admin:pages_faq_changelist"), {"place": "general"})
    change = admin_client.get(reverse("admin:pages_faq_change", args=[general.pk]))

    assert changelist.status_code == 200
    assert list(changelist.context["cl"].queryset) == [general]
    assert change.status_code == 200
    assert general.get_absolute_url() == f"/faqs/#faq-{general.pk}"
    assert about_moles.get_absolute_url() == f"/treatments/moles/#faq-{about_moles.pk}"


def test_faq_admin_actions_publish_and_mark_reviewed(admin_client):
    faq = make_faq("How do I cancel?", is_published=False, awaiting_clinical_review=True)
    url = reverse("admin:pages_faq_changelist")

    admin_client.post(url, {"action": "publish", "_selected_action": [faq.pk]})
    admin_client.post(url, {"action": "mark_clinically_reviewed", "_selected_action": [faq.pk]})

    faq = FAQ.objects.get()
    assert faq.is_published
    assert not faq.awaiting_clinical_review
