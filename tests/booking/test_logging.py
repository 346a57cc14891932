"""Nothing a patient types ever reaches the logs, whatever happens to their request."""

import logging

import pytest

from tests.factories import booking_form_data

pytestmark = pytest.mark.django_db

NAME = "Wilhelmina Quartermaine-Zyx"
EMAIL = "wq.private.person@example.org"
PHONE = "07912 345678"
MESSAGE = "My unusual mole on the left shoulder has grown"
BEST_TIME = "Thursdays after the school run"
# Every form of each answer that could leak: as typed, as stored, in parts.
SECRETS = (
    NAME,
    "Wilhelmina",
    "Quartermaine",
    EMAIL,
    "wq.private.person",
    PHONE,
    "+447912345678",
    "7912345678",
    "345678",
    MESSAGE,
    "left shoulder",
    BEST_TIME,
)


@pytest.fixture
def all_logs(caplog):
    """Every record at DEBUG and above, from the root logger and from Django's own loggers
    (which don't propagate to the root), before any redacting filter has touched them."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    yield caplog
    django_logger.removeHandler(caplog.handler)


def patient_data(**fields):
    answers = {
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "message": MESSAGE,
        "best_time_to_call": BEST_TIME,
    }
    return booking_form_data(**{**answers, **fields})


def logged_text(caplog, capfd):
    parts = [capfd.readouterr().out, caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
        parts.append(repr(vars(record)))
    return "\n".join(parts)


def test_a_booking_and_everything_around_it_logs_no_personal_data(
    client, settings, all_logs, capfd
):
    settings.BOOKING_RATE_LIMIT = "2/10m"
    settings.BOOKING_MIN_SECONDS = 3

    client.get("/book/")
    # A form with a problem, a good one sent twice, a bot, a flood, an oversized body.
    client.post("/book/", patient_data(email="not-an-email@"))
    good = patient_data(recent_change="yes")
    response = client.post("/book/", good)
    assert response.status_code == 302
    client.get(response["Location"])
    client.post("/book/", good)
    client.post("/book/", patient_data(website="http://bot.example"))
    assert client.post("/book/", patient_data()).status_code == 429
    assert client.post("/book/", patient_data(message=MESSAGE * 30_000)).status_code == 400

    text = logged_text(all_logs, capfd)
    # The logs were captured: the service's and Django's own (the 429 and the 400).
    assert "stored (status new)" in text
    # A health answer (here: it changed recently) is never tied to a reference in the logs.
    assert "priority" not in text.lower()
    assert {"django.request", "django.security.RequestDataTooBig"} <= {
        record.name for record in all_logs.records
    }
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} was logged"
