"""Staff two-factor sign-in: enrolment on first sign-in, a code on every later one."""

import re
from base64 import b32encode
from binascii import unhexlify

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "pw-not-secret-123"


@pytest.fixture(autouse=True)
def _require_2fa(settings):
    settings.REQUIRE_2FA = True


def sign_in_with_password(client, username="reception"):
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "next": reverse("admin:index")},
        follow=True,
    )
    return response


def confirmed_device(user):
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return device, pyotp.TOTP(b32encode(unhexlify(device.key)).decode())


def wrong_code(app):
    """A well-formed code that is not the one `app` shows now."""
    return f"{(int(app.now()) + 1) % 1_000_000:06d}"


def secret_on_page(response):
    match = re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', response.content.decode())
    assert match, "the set-up page shows the secret as text"
    return match.group(1).replace(" ", "")


def test_staff_without_a_device_is_sent_to_set_up_after_the_password(client):
    make_staff()

    response = sign_in_with_password(client)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor:setup"))
    page = response.content.decode()
    assert "Set up two-factor sign-in" in page
    assert 'src="data:image/svg+xml;base64,' in page
    # The admin itself stays closed until set-up is done.
    assert client.get(reverse("admin:index")).status_code == 302


def test_set_up_with_a_code_from_the_app_verifies_the_session(client):
    user = make_staff()
    setup_page = sign_in_with_password(client)
    app = pyotp.TOTP(secret_on_page(setup_page))

    response = client.post(
        reverse("two_factor:setup"), {"code": app.now(), "next": reverse("admin:index")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_set_up_keeps_the_same_secret_when_the_page_is_reloaded(client):
    make_staff()
    first = secret_on_page(sign_in_with_password(client))
    second = secret_on_page(client.get(reverse("two_factor:setup")))
    assert first == second


def test_wrong_code_at_set_up_saves_no_device_and_says_why(client):
    user = make_staff()
    setup_page = sign_in_with_password(client)
    app = pyotp.TOTP(secret_on_page(setup_page))
    wrong = wrong_code(app)

    response = client.post(reverse("two_factor:setup"), {"code": wrong})

    assert response.status_code == 200
    assert "That code didn’t work" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("admin:index")).status_code == 302


def test_code_that_is_not_six_digits_is_refused_with_a_clear_message(client):
    make_staff()
    sign_in_with_password(client)
    response = client.post(reverse("two_factor:setup"), {"code": "12ab"})
    assert "Enter the 6 digits shown in your authenticator app" in response.content.decode()


def test_staff_with_a_device_must_enter_a_code(client):
    user = make_staff()
    confirmed_device(user)

    response = sign_in_with_password(client)

    assert response.redirect_chain[-1][0].startswith(reverse("two_factor:verify"))
    assert "Enter your security code" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_wrong_code_fails_with_a_clear_message(client):
    user = make_staff()
    _, app = confirmed_device(user)
    sign_in_with_password(client)
    wrong = wrong_code(app)

    response = client.post(reverse("two_factor:verify"), {"code": wrong})

    assert response.status_code == 200
    page = response.content.decode()
    assert "That code didn’t work" in page
    assert "<title>Error:" in page
    assert client.get(reverse("admin:index")).status_code == 302


def test_right_code_opens_the_admin_and_renews_the_session(client):
    user = make_staff()
    _, app = confirmed_device(user)
    sign_in_with_password(client)
    session_key_before = client.session.session_key

    response = client.post(
        reverse("two_factor:verify"), {"code": app.now(), "next": reverse("admin:index")}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session.session_key != session_key_before
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_code_can_not_be_used_twice(client):
    user = make_staff()
    _, app = confirmed_device(user)
    code = app.now()
    sign_in_with_password(client)
    client.post(reverse("two_factor:verify"), {"code": code})
    client.post(reverse("admin:logout"))

    sign_in_with_password(client)
    response = client.post(reverse("two_factor:verify"), {"code": code})

    assert "That code didn’t work" in response.content.decode()


def test_repeated_wrong_codes_are_throttled(client):
    user = make_staff()
    _, app = confirmed_device(user)
    sign_in_with_password(client)
    wrong = wrong_code(app)
    for _ in range(3):
        client.post(reverse("two_factor:verify"), {"code": wrong})

    response = client.post(reverse("two_factor:verify"), {"code": app.now()})

    assert "Too many wrong codes in a row" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_alone_can_not_add_a_second_device(client):
    user = make_staff()
    confirmed_device(user)
    sign_in_with_password(client)

    response = client.get(reverse("two_factor:setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_next_pointing_off_site_is_ignored(client):
    user = make_staff()
    _, app = confirmed_device(user)
    sign_in_with_password(client)
    response = client.post(
        reverse("two_factor:verify"), {"code": app.now(), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_half_signed_in_staff_count_as_signed_out_on_the_public_site(client):
    from pages.models import Treatment

    draft = Treatment.objects.create(title="Draft laser", slug="draft-laser", is_published=False)
    user = make_staff()
    _, app = confirmed_device(user)
    sign_in_with_password(client)

    assert client.get(draft.get_absolute_url()).status_code == 404

    client.post(reverse("two_factor:verify"), {"code": app.now()})
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_sign_out_from_the_code_page_ends_the_session(client):
    user = make_staff()
    confirmed_device(user)
    sign_in_with_password(client)

    response = client.post(reverse("two_factor:sign_out"))

    assert response["Location"] == reverse("admin:login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("two_factor:verify"))["Location"].startswith(reverse("admin:login"))


def test_without_required_2fa_the_password_is_enough(client, settings):
    settings.REQUIRE_2FA = False
    make_staff()
    response = sign_in_with_password(client)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200


def test_two_factor_pages_follow_the_admin_path():
    assert reverse("two_factor:verify") == reverse("admin:index") + "two-factor/"
