"""The booking form: what each field accepts, and the message a patient sees when it doesn't.

Its spam signals: test_form_spam_signals.py. The form as the /book/ page shows it:
test_views.py.
"""

import re

import pytest

from booking.forms import ConsultationRequestForm, clean_source_path
from tests.booking.form_html import bound_form, render_form
from tests.factories import make_clinic, make_treatment

pytestmark = pytest.mark.django_db

# Django's defaults, which must never reach a patient.
GENERIC_MESSAGES = (
    "This field is required.",
    "Enter a valid",
    "Select a valid choice",
    "Null characters are not allowed.",
    "This field is invalid",
)


def error_for(field, value):
    form = bound_form(**{field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert len(form.errors[field]) == 1
    return form.errors[field][0]


def test_a_complete_request_is_valid():
    form = bound_form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == "Zoë O'Connor-Ng"
    assert form.cleaned_data["phone"] == "+447912345678"
    assert form.cleaned_data["clinic"] is None
    assert form.cleaned_data["treatment"] is None
    assert form.cleaned_data["marketing_opt_in"] is False


# --- Full name -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Zoë O'Connor-Ng",
        "Siobhán Ní Bhriain",
        "José María García-López",
        "Nguyễn Văn An",
        "محمد الأحمد",
        "王小明",
        "Дмитрий Иванов",
        "अमित शर्मा",
        "محمد\u200cرضا",  # Persian with a zero-width non-joiner, which the name needs
        "D’Arcy St. John",
        "X Æ A-12",
    ],
)
def test_full_name_accepts_names_in_any_script(name):
    form = bound_form(full_name=name)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["full_name"] == name


def test_full_name_tidies_spaces_and_unicode():
    # A decomposed "ë" (e + combining diaeresis) is stored composed, as people search for it.
    form = bound_form(full_name="  Zoe\u0308   O'Connor\t\nNg  ")
    assert form.is_valid()
    assert form.cleaned_data["full_name"] == "Zoë O'Connor Ng"


def test_full_name_loses_invisible_direction_controls():
    form = bound_form(full_name="\u202eZoë\u200f Ng\u2066")
    assert form.is_valid()
    assert form.cleaned_data["full_name"] == "Zoë Ng"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter your full name"),
        ("   ", "Enter your full name"),
        ("Z" * 201, "Your full name must be 200 characters or fewer"),
        ("Zoë\x00Ng", "Your name contains a hidden control character"),
        ("\x07Zoë", "Your name contains a hidden control character"),
        ("12345", "Enter your full name, using letters"),
        ("😀😀", "Enter your full name, using letters"),
    ],
)
def test_full_name_problems_have_their_own_messages(value, message):
    assert error_for("full_name", value).startswith(message)


# --- Email -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["name@example.com", "zoe@exämple.co.uk", "first.last+clinic@example.org"]
)
def test_email_accepts_real_addresses(email):
    form = bound_form(email=f"  {email} ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == email


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter your email address"),
        ("not-an-email", EMAIL_FORMAT),
        ("name@", EMAIL_FORMAT),
        ("@example.com", EMAIL_FORMAT),
        ("name@exa mple.com", EMAIL_FORMAT),
        ("name@example", EMAIL_FORMAT),
        ("name\x00@example.com", EMAIL_FORMAT),
        ("a" * 250 + "@example.com", "Your email address must be 254 characters or fewer"),
    ],
)
def test_email_problems_have_their_own_messages(value, message):
    assert error_for("email", value) == message


# --- Phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("020 7386 0464", "+442073860464"),
        ("02073860464", "+442073860464"),
        ("+44 20 7386 0464", "+442073860464"),
        ("+44 (0)20 7386 0464", "+442073860464"),
        ("(020) 7386-0464", "+442073860464"),
        ("0044 20 7386 0464", "+442073860464"),
        ("07912 345678", "+447912345678"),
        ("+44 7912 345678", "+447912345678"),
        ("0044 7912 345678", "+447912345678"),
        ("+447912345678", "+447912345678"),
        ("07700 900123", "+447700900123"),  # Ofcom's reserved range, quoted in our own hint
        ("+44 7700 900123", "+447700900123"),
        ("０７９１２ ３４５６７８", "+447912345678"),  # full-width digits from a phone keyboard
        ("+1 212 555 0123", "+12125550123"),
        ("+33 1 42 68 53 00", "+33142685300"),
        ("+353 1 234 5678", "+35312345678"),
        ("+61 2 9374 4000", "+61293744000"),
    ],
)
def test_phone_accepts_uk_and_international_numbers_and_stores_e164(typed, stored):
    form = bound_form(phone=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter your phone number"),
        ("12345", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("020 7386 046", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("not a number", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("+44 20 7386 04641", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("07700 9001234", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("0" * 41, "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("020 7386 0464\x00", "Enter a phone number, like 020 7386 0464 or +44 7700 900123"),
        ("020 7386 0464 ext 12", "Enter a phone number without an extension"),
    ],
)
def test_phone_problems_have_their_own_messages(value, message):
    assert error_for("phone", value).startswith(message)


# --- Clinic and treatment ------------------------------------------------------------------


def test_clinic_and_treatment_are_chosen_by_slug():
    london = make_clinic("London")
    moles = make_treatment("Moles")
    form = bound_form(clinic="london", treatment="moles")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["clinic"] == london
    assert form.cleaned_data["treatment"] == moles


def test_clinic_and_treatment_offer_no_preference_and_not_sure():
    make_clinic("London")
    make_treatment("Moles")
    form = ConsultationRequestForm()
    clinic_choices = [label for _value, label in form.fields["clinic"].choices]
    assert clinic_choices == ["No preference", "London"]
    html = str(form["treatment"])
    assert '<option value="" selected>Not sure</option>' in html


def test_treatments_are_grouped_into_concerns_and_treatments():
    make_treatment("Moles", kind="condition")
    make_treatment("Laser treatment", kind="procedure")
    html = str(ConsultationRequestForm()["treatment"])
    assert html.index('<optgroup label="Skin concerns">') < html.index(">Moles<")
    assert html.index(">Moles<") < html.index('<optgroup label="Treatment options">')
    assert html.index('<optgroup label="Treatment options">') < html.index(">Laser treatment<")


def test_unpublished_or_unknown_clinic_and_treatment_are_refused():
    make_clinic("Leeds").__class__.objects.update(is_published=False)
    make_treatment("Secret").__class__.objects.update(is_published=False)
    assert error_for("clinic", "leeds") == "Choose a clinic from the list, or No preference"
    assert error_for("clinic", "nowhere") == "Choose a clinic from the list, or No preference"
    assert error_for("treatment", "secret") == (
        "Choose a treatment or concern from the list, or Not sure"
    )


@pytest.mark.parametrize("field", ["clinic", "treatment"])
def test_a_choice_with_a_nul_in_it_is_simply_not_in_the_list(field):
    assert error_for(field, "london\x00").startswith("Choose a")


# --- Contact, questions and message --------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "fax"])
def test_contact_method_must_be_phone_or_email(value):
    assert error_for("contact_method", value) == "Tell us how you would like us to contact you"


def test_note_about_times_is_optional_and_limited():
    assert bound_form(best_time_to_call="").is_valid()
    assert error_for("best_time_to_call", "x" * 101) == (
        "Your note about times must be 100 characters or fewer"
    )


@pytest.mark.parametrize("answer", ["", "yes", "no", "not_sure"])
def test_recent_change_is_optional_yes_no_or_not_sure(answer):
    form = bound_form(recent_change=answer)
    assert form.is_valid()
    assert form.cleaned_data["recent_change"] == answer


def test_recent_change_refuses_other_answers():
    assert error_for("recent_change", "maybe") == "Choose yes, no or not sure"


def test_message_of_2000_characters_is_accepted_and_keeps_its_lines():
    text = "\tindented\r\n" * 200  # 2,000 characters once each line break is one
    form = bound_form(message="x" + text)
    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["message"]) == 2000
    assert "\r" not in form.cleaned_data["message"]
    assert "\n\tindented\n" in form.cleaned_data["message"]


def test_message_counts_a_line_break_as_one_character():
    # Browsers send each line break as two characters (\r\n); the limit counts one.
    form = bound_form(message="ab\r\n" * 600)  # 2,400 characters sent, 1,799 after tidying
    assert form.is_valid(), form.errors


def test_message_over_2000_characters_says_the_limit_and_the_length():
    assert error_for("message", "x" * 2001) == (
        "Your message must be 2,000 characters or fewer. It has 2001 now"
    )


def test_message_refuses_control_characters():
    assert error_for("message", "Hello\x00there").startswith(
        "Your message contains hidden control characters"
    )


def test_message_box_has_no_maxlength_so_pasted_text_is_never_cut_silently():
    html = str(ConsultationRequestForm()["message"])
    assert "maxlength" not in html


# --- Consent and age ------------------------------------------------------------------------


def test_consent_is_required():
    assert error_for("consent", None) == (
        "Tick the box to agree that we may use your information to respond to your request"
    )


def test_adult_confirmation_is_required():
    assert error_for("confirmed_adult", None) == "Confirm that you are 18 or over"


def test_marketing_opt_in_is_optional():
    assert bound_form(marketing_opt_in=None).cleaned_data["marketing_opt_in"] is False
    assert bound_form(marketing_opt_in="on").cleaned_data["marketing_opt_in"] is True


def test_no_box_is_ticked_to_begin_with():
    form = ConsultationRequestForm()
    for name in ("consent", "marketing_opt_in", "confirmed_adult"):
        assert "checked" not in str(form[name])


def test_consent_label_links_to_the_privacy_notice_in_a_new_tab():
    label = ConsultationRequestForm().fields["consent"].label
    assert 'href="/privacy/"' in label
    assert 'target="_blank" rel="noopener"' in label
    assert "opens in a new tab" in label


# --- Messages ------------------------------------------------------------------------------


def test_an_empty_form_gets_a_specific_message_for_every_required_field():
    form = ConsultationRequestForm({})
    assert not form.is_valid()
    assert set(form.errors) == {
        "full_name",
        "email",
        "phone",
        "contact_method",
        "consent",
        "confirmed_adult",
    }
    for errors in form.errors.values():
        assert len(errors) == 1
        assert not any(generic in errors[0] for generic in GENERIC_MESSAGES)


# --- The "changed, bled or itchy" question ------------------------------------------------


def test_changes_question_stays_once_answered_even_for_another_treatment():
    make_treatment("Milia", asks_about_changes=False)
    form = bound_form(treatment="milia", recent_change="yes", full_name="")
    assert form.asks_about_changes is True
    assert re.search(r'value="yes"[^>]*id="id_recent_change_0" checked', render_form(form))


# --- Source page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("/skin-advice/milia/", "/skin-advice/milia/"),
        ("/book/?email=zoe@example.com", "/book/"),  # query strings can hold personal data
        ("/treatments/moles/#top", "/treatments/moles/"),
        ("", ""),
        ("https://evil.example/", ""),
        ("//evil.example/path", ""),
        ("/\\evil.example", ""),
        ("javascript:alert(1)", ""),
        ("relative/path", ""),
        ("/" + "a" * 600, ""),
        ("/page\x00", ""),
        ("http://[::1", ""),
    ],
)
def test_source_path_keeps_only_a_local_path(value, cleaned):
    assert clean_source_path(value) == cleaned
