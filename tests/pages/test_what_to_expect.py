"""What to expect: a treatment's key facts, aftercare and when to see a GP urgently, each
shown only when filled in, and covered by the awaiting-clinical-review flag."""

import pytest
from django.urls import reverse

from tests.factories import make_treatment

pytestmark = pytest.mark.django_db

# field: (its label on the page, a value staff might enter)
FACTS = {
    "procedure_time": ("<dt>Procedure time</dt>", "About 30 minutes"),
    "anaesthetic": ("<dt>Anaesthetic</dt>", "Local anaesthetic"),
    "recovery": ("<dt>Recovery</dt>", "Back to work the next day"),
    "scarring": ("<dt>Scarring</dt>", "A small scar that fades with time"),
    "aftercare": ("<dt>Aftercare</dt>", "Keep the area clean and dry for two days."),
    "urgent_advice": (
        "<dt>When to see a GP urgently</dt>",
        "Spreading redness, heat or a fever.",
    ),
}


def page(client, slug="moles"):
    html = client.get(f"/treatments/{slug}/").content.decode()
    return html[html.index("<main") : html.index('class="col-lg-4 layout-sidebar"')]


def test_a_treatment_with_no_facts_shows_no_facts_and_no_empty_heading(client):
    make_treatment("Moles", slug="moles")
    html = page(client)

    for label, _ in FACTS.values():
        assert label not in html
    assert "After your treatment" not in html
    assert '<dl class="facts' not in html


@pytest.mark.parametrize("field", FACTS)
def test_each_fact_is_shown_once_filled_in_and_no_other(client, field):
    make_treatment("Moles", slug="moles", **{field: FACTS[field][1]})
    html = page(client)

    label, value = FACTS[field]
    assert label in html
    assert value in html
    for other, (other_label, _) in FACTS.items():
        if other != field:
            assert other_label not in html


def test_aftercare_and_urgent_advice_come_under_their_own_heading(client):
    make_treatment(
        "Moles",
        slug="moles",
        aftercare="Keep it dry.\n\nChange the dressing daily.",
        urgent_advice="Spreading redness.",
    )
    html = page(client)

    assert '<h2 id="aftercare-heading">After your treatment</h2>' in html
    assert "<p>Keep it dry.</p>\n\n<p>Change the dressing daily.</p>" in html
    assert html.index("aftercare-heading") < html.index("When to see a GP urgently")


def test_short_facts_stay_out_of_the_after_treatment_section(client):
    make_treatment("Moles", slug="moles", scarring="A small scar")
    html = page(client)

    assert "A small scar" in html
    assert "After your treatment" not in html


def test_staff_text_in_facts_is_escaped(client):
    make_treatment("Moles", slug="moles", aftercare="<script>alert(1)</script>")
    html = page(client)

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_new_clinical_facts_are_edited_under_what_to_expect_with_the_review_flag(admin_client):
    treatment = make_treatment("Moles", slug="moles")
    response = admin_client.get(reverse("admin:pages_treatment_change", args=[treatment.pk]))
    fieldsets = dict(response.context["adminform"].fieldsets)
    expect = fieldsets["What to expect (each shown only when filled in)"]

    assert expect["fields"] == [
        "procedure_time",
        "anaesthetic",
        "recovery",
        "scarring",
        "aftercare",
        "urgent_advice",
    ]
    assert "awaiting clinical review" in expect["description"]
    assert fieldsets["Cost"]["fields"] == ["price_from", "price_includes"]
