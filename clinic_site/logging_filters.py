"""
Masks email addresses, phone numbers and secret parts of URLs in every log handler's output.

The code logs references and ids, never names, emails, phone numbers or messages; this is the
safety net for what slips through anyway, like an exception quoting an address. Django's error
reports have their own filter (clinic_site/error_reporting.py); docs/privacy.md explains both.

Some addresses carry a bearer secret: whoever has the link sees the page. gunicorn's access
log and Django's request warnings write paths, so the secret part is replaced there too.

No Django imports: gunicorn's logging uses the filter before Django is set up.
"""

import logging
import re
import traceback

EMAIL_PATTERN = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A phone number starts with "+" or "0" (UK numbers, and anything international), then 8 to
# 14 more digits with spaces, dashes or brackets between them: "020 7386 0464", "(020)
# 7386-0464", "+44 7700 900123", "07700900123". Dates, times, IP addresses and ids stay.
PHONE_PATTERN = re.compile(r"(?<![\w+])(?:\+\d|\(?0)(?:[ \-()]{0,2}\d){8,14}(?!\w)")
# Paths whose next segment is a signed or one-time token: the confirmation page's signed
# reference, the appointment link's token. A new URL that carries one adds its prefix here.
SECRET_URL_PREFIXES = ("/book/thank-you/", "/book/appointment/")
SECRET_IN_URL_PATTERN = re.compile(
    "(?P<prefix>" + "|".join(map(re.escape, SECRET_URL_PREFIXES)) + r")[^/\s?#\"']+"
)


def redact(text: str) -> str:
    """Mask email addresses, phone numbers and the secret part of URLs in free text."""
    text = SECRET_IN_URL_PATTERN.sub(r"\g<prefix><redacted>", text)
    text = EMAIL_PATTERN.sub("[email]", text)
    return PHONE_PATTERN.sub("[phone]", text)


class RedactPersonalData(logging.Filter):
    """A handler filter: rewrites each record's message and traceback with `redact()`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            # Format the traceback now, masked, and drop the live exception so no later
            # handler can render its unmasked values.
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
