"""
Site-wide middleware: the headers Django doesn't send itself, two-factor sign-in for staff,
and a branded 503 instead of a traceback when the database is down.
"""

import logging
from functools import partial
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from clinic_site.errors import is_service_outage, service_unavailable
from clinic_site.two_factor import TWO_FACTOR_PATH

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """
    Adds `Permissions-Policy` to every response (settings.PERMISSIONS_POLICY: the browser
    features no page of ours uses are switched off, so an injected script can't use them
    either) and keeps the staff area out of search engines with `X-Robots-Tag`, wherever
    DJANGO_ADMIN_PATH puts it. Django's SecurityMiddleware sends the other headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowlist)})"
            for feature, allowlist in settings.PERMISSIONS_POLICY.items()
        )
        self.admin_prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if request.path_info.startswith(self.admin_prefix):
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


def needs_second_factor(user) -> bool:
    """Signed in with a password but not (yet) with a code from their authenticator app."""
    return user.is_authenticated and not user.is_verified()


def _public_user(user):
    return AnonymousUser() if needs_second_factor(user) else user


class TwoFactorMiddleware:
    """
    With settings.REQUIRE_2FA, someone who gave a password but no code is half signed in: in
    the staff area every page but the two-factor pages and log-out redirects them to the
    two-factor step (clinic_site/two_factor.py); on the public site they count as signed out,
    so nothing that trusts `is_staff` (a draft preview) shows to a password alone.

    Comes after django_otp's OTPMiddleware, which says whether the session is verified.
    Requests without a session cookie (every patient) pass straight through without touching
    the session, so public responses don't gain `Vary: Cookie` from this.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_PATH
        self.two_factor_prefix = self.admin_prefix + TWO_FACTOR_PATH

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.REQUIRE_2FA and settings.SESSION_COOKIE_NAME in request.COOKIES:
            redirect = self.hold_half_signed_in(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)

    def hold_half_signed_in(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if not path.startswith(self.admin_prefix):
            request.user = SimpleLazyObject(partial(_public_user, request.user))
            return None
        if path.startswith(self.two_factor_prefix) or request.path == reverse("admin:logout"):
            return None
        if needs_second_factor(request.user):
            target = reverse("two_factor:verify")
            return HttpResponseRedirect(f"{target}?next={quote(request.get_full_path())}")
        return None


class ServiceUnavailableMiddleware:
    """
    A database or Redis outage raised by a view, or while rendering its template, answers
    503 with the branded page, the phone number and Retry-After, instead of a 500 and a
    traceback in the log for every request. (`clinic_site.errors.server_error` covers
    outages raised inside other middleware.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_service_outage(exception):
            return None
        # The class and first line say which service and why ("connection refused"); the
        # path has no query string, which could carry personal data.
        reason = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
        logger.warning(
            "Service unavailable (%s: %s) on %s %s; answered 503",
            exception.__class__.__name__,
            reason,
            request.method,
            request.path,
        )
        return service_unavailable(request)
