"""
The branded 503 page ("we're having a problem, please call") for an outage of the database
or Redis, rendered without either: `503.html` and `500.html` are static templates given only
the clinic's name and phone number from settings, with no context processors.

`clinic_site.middleware.ServiceUnavailableMiddleware` answers it for an outage in a view or
its template; `server_error` (handler500) for one raised inside another middleware (a session
save, the redirects fallback on a 404), which would otherwise be a plain 500.
"""

import logging
import sys

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import format_html
from django.views import defaults

from pages.context_processors import clinic_contact

logger = logging.getLogger(__name__)

# Errors that mean "a service we depend on is unreachable", not "our code is wrong".
# Django wraps psycopg's and sqlite3's errors in its own OperationalError/InterfaceError.
SERVICE_OUTAGE_ERRORS = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

# Sent as Retry-After: long enough for a database failover or a restart.
RETRY_AFTER_SECONDS = 120

# Last resort if even the static template fails (a missing static manifest, say).
FALLBACK_PAGE = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
    "<title>Sorry, we are having a problem | {clinic_name}</title></head><body>"
    "<h1>Sorry, our website is having a problem</h1>"
    '<p>Please try again in a few minutes, or call us on <a href="{href}">{phone}</a>.</p>'
    "</body></html>"
)


def is_service_outage(exception: BaseException | None) -> bool:
    return isinstance(exception, SERVICE_OUTAGE_ERRORS)


def service_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The branded 503 page, with the phone number, rendered without the database."""
    contact = clinic_contact(request)
    try:
        # No request passed to render(): context processors (some query the database) don't run.
        body = loader.get_template("503.html").render(contact)
    except Exception:
        logger.exception("The 503 page could not be rendered; sent the plain fallback")
        body = format_html(
            FALLBACK_PAGE,
            clinic_name=contact["clinic_name"],
            href=contact["clinic_phone_href"],
            phone=contact["clinic_phone"],
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """
    handler500. Django calls it while handling the exception, so `sys.exc_info()` holds it:
    an outage becomes the 503 page; anything else gets Django's default (the static 500.html).
    """
    if is_service_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    return defaults.server_error(request)
