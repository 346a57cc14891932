"""How the outgoing mail server is configured: EMAIL_URL, or the older EMAIL_HOST variables,
or the console when neither is set (docs/configuration.md)."""

import pytest

from clinic_site.email_url import CONSOLE_BACKEND, mailer_from_environment, parse_email_url


def test_email_url_gives_an_smtp_mailer_with_starttls_and_decoded_credentials():
    mailer = parse_email_url("smtp://apikey:p%40ss%2Fword@smtp.example.com:2525?timeout=20")

    assert mailer == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "smtp.example.com",
            "port": 2525,
            "username": "apikey",
            "password": "p@ss/word",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 20,
        },
    }


@pytest.mark.parametrize(
    ("url", "port", "use_tls", "use_ssl"),
    [
        ("smtp://mail.example.com", 587, True, False),
        ("smtp+ssl://mail.example.com", 465, False, True),
        ("smtp+insecure://relay.internal", 25, False, False),
    ],
)
def test_email_url_schemes_choose_encryption_and_default_port(url, port, use_tls, use_ssl):
    options = parse_email_url(url)["OPTIONS"]
    assert (options["port"], options["use_tls"], options["use_ssl"]) == (port, use_tls, use_ssl)
    assert options["timeout"] == 10


def test_a_bad_email_url_is_refused_without_repeating_the_password():
    with pytest.raises(ValueError) as error:
        parse_email_url("http://user:hunter2@mail.example.com")
    assert "hunter2" not in str(error.value)


def test_without_email_settings_emails_print_to_the_console():
    assert mailer_from_environment({}) == {"BACKEND": CONSOLE_BACKEND}


def test_email_host_variables_still_work():
    mailer = mailer_from_environment(
        {"EMAIL_HOST": "mail.example.com", "EMAIL_HOST_USER": "u", "EMAIL_HOST_PASSWORD": "p"}
    )
    assert mailer["OPTIONS"]["host"] == "mail.example.com"
    assert (mailer["OPTIONS"]["port"], mailer["OPTIONS"]["use_tls"]) == (587, True)
