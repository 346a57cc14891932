"""What it costs: treatment prices, the consultation fee (site-wide or per clinic) and the
cancellation terms, shown with the currency, never as £0, only where filled in."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from pages.models import Clinic, FeesAndTerms, Treatment
from pages.prices import format_pounds
from tests.factories import (
    make_clinic,
    make_fees_and_terms,
    make_page,
    make_treatment,
)
from tests.pages.html import read_page
from tests.pages.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


def content_of(html):
    """The main column (the page's own content, before the sidebar)."""
    return html[html.index("<main") : html.index('class="col-lg-4 layout-sidebar"')]


def sidebar_of(html):
    return html[html.index('class="col-lg-4 layout-sidebar"') : html.index("</main>")]


# --- Money -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("150.00"), "£150"),
        (Decimal("99.50"), "£99.50"),
        (Decimal("1250.00"), "£1,250"),
        (Decimal("12345.67"), "£12,345.67"),
        (Decimal("0.01"), "£0.01"),
        (None, ""),
        (Decimal("0.00"), ""),
        (Decimal("-5.00"), ""),
    ],
)
def test_pounds_filter_shows_whole_pounds_pence_only_when_needed_and_never_zero(amount, shown):
    template = Template("{% load costs %}{{ amount|pounds }}")

    assert template.render(Context({"amount": amount})) == shown
    assert format_pounds(amount) == shown


@pytest.mark.parametrize("price", ["0", "0.00", "-10"])
def test_a_price_of_zero_or_less_is_refused(price):
    treatment = Treatment(
        title="Moles", slug="moles", kind=Treatment.Kind.CONDITION, price_from=Decimal(price)
    )
    clinic = Clinic(title="London", slug="london", city="London", consultation_fee=price)
    fees = FeesAndTerms(consultation_fee=price)

    for item, field in [
        (treatment, "price_from"),
        (clinic, "consultation_fee"),
        (fees, "consultation_fee"),
    ]:
        with pytest.raises(ValidationError) as refused:
            item.full_clean()
        assert field in refused.value.message_dict
        assert "above £0" in refused.value.message_dict[field][0]


def test_the_admin_refuses_a_zero_price_and_says_why(admin_client):
    treatment = make_treatment("Moles", slug="moles")
    url = change_url(treatment)

    response = admin_client.post(url, form_data(admin_client.get(url), price_from="0"))

    assert response.status_code == 200
    assert "Enter an amount above £0" in response.content.decode()
    treatment.refresh_from_db()
    assert treatment.price_from is None


# --- A treatment's price ------------------------------------------------------------


def test_treatment_price_is_shown_from_with_pounds_and_what_it_includes(client):
    make_treatment(
        "Moles",
        slug="moles",
        price_from=Decimal("150.00"),
        price_includes="Includes the procedure and one follow-up appointment.",
    )
    content = content_of(client.get("/treatments/moles/").content.decode())

    assert "From £150" in content
    assert "£150.00" not in content
    assert "Includes the procedure and one follow-up appointment." in content


def test_treatment_price_in_pence_keeps_its_pence(client):
    make_treatment("Warts", slug="warts", price_from=Decimal("99.50"))

    assert "From £99.50" in client.get("/treatments/warts/").content.decode()


def test_treatment_without_a_price_says_price_on_consultation_never_zero(client):
    make_treatment("Moles", slug="moles", procedure_time="About 30 minutes")
    content = content_of(client.get("/treatments/moles/").content.decode())

    assert "Price on consultation" in content
    assert "£" not in content


def test_treatment_with_nothing_filled_in_shows_no_cost_at_all(client):
    make_treatment("Moles", slug="moles")
    html = client.get("/treatments/moles/").content.decode()

    assert "Price on consultation" not in html
    assert "<dt>Cost</dt>" not in html
    assert "£" not in html


def test_treatment_structured_data_offers_the_price_in_pounds_only_when_known(client):
    make_treatment(
        "Moles", slug="moles", price_from=Decimal("150.00"), price_includes="The procedure."
    )
    make_treatment("Warts", slug="warts", procedure_time="About 30 minutes")

    (moles,) = read_page(client.get("/treatments/moles/")).json_ld_of_type("MedicalWebPage")
    (warts,) = read_page(client.get("/treatments/warts/")).json_ld_of_type("MedicalWebPage")

    offer = moles["about"]["offers"]
    assert offer["@type"] == "Offer"
    assert offer["priceCurrency"] == "GBP"
    assert Decimal(offer["price"]) == Decimal("150")
    assert offer["priceSpecification"]["minPrice"] == offer["price"]
    assert offer["description"] == "The procedure."
    assert "offers" not in warts["about"]


# --- The consultation fee and cancellation terms ---------------------------------------


def test_no_fee_or_terms_box_until_staff_fill_them_in(client, seeded):
    make_fees_and_terms()  # saved, but empty

    for path in ["/treatments/milia/", "/clinics/london/", "/book/"]:
        html = client.get(path).content.decode()
        assert "costs-heading" not in html, path
        assert "Consultation fee" not in html, path
        assert "£" not in html, path


def test_site_wide_fee_and_terms_show_beside_the_booking_form(client, seeded):
    make_fees_and_terms(
        consultation_fee=Decimal("150.00"),
        consultation_fee_includes="A 30-minute appointment with a doctor.",
        cancellation_terms="Please give us 48 hours' notice if you need to cancel.",
    )

    for path in ["/treatments/milia/", "/clinics/london/", "/book/"]:
        sidebar = sidebar_of(client.get(path).content.decode())
        assert "Fees and cancellation" in sidebar, path
        assert "£150" in sidebar, path
        assert "A 30-minute appointment with a doctor." in sidebar, path
        assert "Please give us 48 hours&#x27; notice if you need to cancel." in sidebar, path
        # The full terms page exists in the seed: it is linked.
        assert 'href="/terms/">Read our full terms</a>' in sidebar, path


def test_terms_link_is_left_out_while_the_terms_page_is_unpublished(client):
    make_treatment("Moles", slug="moles")
    make_page("Terms of use", slug="terms", is_published=False)
    make_fees_and_terms(cancellation_terms="Please give us 48 hours' notice.")
    html = client.get("/treatments/moles/").content.decode()

    assert "Cancelling an appointment" in html
    assert "48 hours" in html
    assert "Read our full terms" not in html


def test_a_clinic_with_its_own_fee_shows_it_and_the_others_show_the_usual_one(client):
    make_fees_and_terms(
        consultation_fee=Decimal("150.00"), consultation_fee_includes="Time with a doctor."
    )
    make_clinic("London clinic", slug="london", city="London")
    make_clinic(
        "Bristol clinic", slug="bristol", city="Bristol", consultation_fee=Decimal("175.50")
    )

    london = sidebar_of(client.get("/clinics/london/").content.decode())
    bristol = sidebar_of(client.get("/clinics/bristol/").content.decode())

    assert "£150" in london and "£175.50" not in london
    assert "£175.50" in bristol and "£150" not in bristol
    # Each field a clinic leaves empty is the site-wide one.
    assert "Time with a doctor." in bristol


def test_fees_that_differ_by_clinic_are_listed_by_clinic_where_patients_choose(client):
    make_fees_and_terms(consultation_fee=Decimal("150.00"))
    make_clinic("London clinic", slug="london", city="London")
    make_clinic(
        "Bristol clinic",
        slug="bristol",
        city="Bristol",
        consultation_fee_includes="Includes a follow-up call.",
    )
    make_treatment("Moles", slug="moles")

    for path in ["/book/", "/treatments/moles/"]:
        sidebar = sidebar_of(client.get(path).content.decode())
        assert '<li>London clinic: <span class="costs-amount">£150</span></li>' in sidebar, path
        assert (
            '<li>Bristol clinic: <span class="costs-amount">£150</span>'
            '<span class="costs-note">Includes a follow-up call.</span></li>'
        ) in sidebar, path


def test_what_the_consultation_includes_is_said_once_when_every_clinic_shares_it(client):
    make_fees_and_terms(
        consultation_fee=Decimal("150.00"), consultation_fee_includes="Time with a doctor."
    )
    make_clinic("London clinic", slug="london", city="London")
    make_clinic(
        "Bristol clinic", slug="bristol", city="Bristol", consultation_fee=Decimal("125.50")
    )
    sidebar = sidebar_of(client.get("/book/").content.decode())

    assert "London clinic: <span" in sidebar and "£150" in sidebar
    assert "Bristol clinic: <span" in sidebar and "£125.50" in sidebar
    assert sidebar.count("Time with a doctor.") == 1


def test_a_clinic_without_any_fee_is_left_out_of_the_list(client):
    make_fees_and_terms(consultation_fee_includes="Time with a doctor.")
    make_clinic("London clinic", slug="london", city="London", consultation_fee=Decimal("150"))
    make_clinic("Bristol clinic", slug="bristol", city="Bristol")
    sidebar = sidebar_of(client.get("/book/").content.decode())

    assert "London clinic: <span" in sidebar
    assert "Bristol clinic" not in sidebar.split("costs-heading")[1].split("</section>")[0]
    assert sidebar.count("Time with a doctor.") == 1


def test_one_fee_line_when_every_clinic_charges_the_same(client):
    make_fees_and_terms(consultation_fee=Decimal("150.00"))
    make_clinic("London clinic", slug="london", city="London")
    make_clinic(
        "Bristol clinic", slug="bristol", city="Bristol", consultation_fee=Decimal("150.00")
    )
    sidebar = sidebar_of(client.get("/book/").content.decode())

    assert "<dt>Consultation</dt>" in sidebar
    assert sidebar.count("£150") == 1
    assert "London clinic:" not in sidebar
    assert "Consultation fee" in sidebar


def test_fee_at_a_clinic_falls_back_field_by_field():
    fees = FeesAndTerms(consultation_fee=Decimal("150"), consultation_fee_includes="Usual.")
    own_fee = Clinic(title="A", consultation_fee=Decimal("99.50"))
    own_text = Clinic(title="B", consultation_fee_includes="Own text.")

    assert (fees.fee_at(own_fee).amount, fees.fee_at(own_fee).includes) == (
        Decimal("99.50"),
        "Usual.",
    )
    assert (fees.fee_at(own_text).amount, fees.fee_at(own_text).includes) == (
        Decimal("150"),
        "Own text.",
    )
    assert not FeesAndTerms().fee_at(Clinic(title="C"))


# --- The admin ---------------------------------------------------------------------------


def test_fees_and_terms_is_one_row_staff_edit_and_never_add_twice_or_delete(admin_client):
    add_url = reverse("admin:pages_feesandterms_add")
    created = admin_client.post(
        add_url, {"consultation_fee": "150", "cancellation_terms": "48 hours' notice."}
    )
    fees = FeesAndTerms.objects.get()
    change = admin_client.get(reverse("admin:pages_feesandterms_change", args=[fees.pk]))

    assert created.status_code == 302
    assert fees.consultation_fee == Decimal("150")
    assert change.status_code == 200
    assert admin_client.get(add_url).status_code == 403
    assert not change.context["has_delete_permission"]


def test_clinic_admin_groups_the_consultation_fee(admin_client):
    clinic = make_clinic("London clinic", slug="london")
    response = admin_client.get(reverse("admin:pages_clinic_change", args=[clinic.pk]))
    fieldsets = {
        name: options["fields"] for name, options in response.context["adminform"].fieldsets
    }

    assert fieldsets["Consultation fee (only if it differs here)"] == [
        "consultation_fee",
        "consultation_fee_includes",
    ]
