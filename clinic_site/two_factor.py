"""
Two-factor sign-in for staff: a time-based code (TOTP) from an authenticator app, checked
by django-otp, required for every account when settings.REQUIRE_2FA is on.

The flow, all under the admin's own path (DJANGO_ADMIN_PATH + "two-factor/"):

1. Staff sign in on the normal admin login page with username and password (django-axes
   counts the failures and locks out guessing).
2. `clinic_site.middleware.TwoFactorMiddleware` then sends a half-signed-in user to `verify`.
3. Someone with no authenticator app yet (first sign-in, or after a manager removed a lost
   phone's device) is sent on to `setup`: a QR code and the same secret as text, then one code
   to prove the app works. Only then is the device saved, already confirmed.
4. A right code marks the session verified (django_otp.login) with a fresh session key, and
   they continue to the page they asked for. A wrong code says so; repeated wrong codes are
   throttled by django-otp (each failure doubles the wait).
"""

import base64
import logging
import math
import re
import time
from base64 import b32encode
from binascii import unhexlify
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import rotate_token
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.models import VerifyNotAllowed
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

logger = logging.getLogger(__name__)

app_name = "two_factor"
# Mounted below the admin: settings.ADMIN_PATH + TWO_FACTOR_PATH (see clinic_site/urls.py).
TWO_FACTOR_PATH = "two-factor/"

# The secret being set up lives in the session until a code proves the app has it.
SETUP_KEY_SESSION_KEY = "two_factor_setup_key"
DEVICE_NAME = "Authenticator app"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
                "aria-describedby": "code-help",
            }
        ),
        error_messages={"required": "Enter the 6-digit code from your authenticator app."},
    )

    def clean_code(self) -> str:
        # People type "123 456" the way many apps show it.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(
                "Enter the 6 digits shown in your authenticator app, like 123456.",
                code="format",
            )
        return code


WRONG_CODE = (
    "That code didn’t work. Check you are using the entry for {clinic} in your "
    "authenticator app and enter the code it shows now (codes change every 30 seconds)."
)


def _context(request: HttpRequest, title: str, **extra) -> dict:
    """What admin/base_site.html needs, without the admin's navigation (not signed in yet)."""
    return {
        "site_header": admin_site.site_header,
        "site_title": admin_site.site_title,
        "title": title,
        "has_permission": False,
        "is_nav_sidebar_enabled": False,
        "next": _next_url(request),
        **extra,
    }


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({'next': _next_url(request)})}"


def _to_login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(_with_next(reverse("admin:login"), request))


def _finish_sign_in(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    # A new session key and CSRF token for the now fully signed-in session, as for any
    # change of privilege (django.contrib.auth.login does the same at the password step).
    request.session.cycle_key()
    rotate_token(request)
    return HttpResponseRedirect(_next_url(request))


def _confirmed_devices(user) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"))


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
def verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: the current code from the staff member's app."""
    user = request.user
    if not user.is_authenticated:
        return _to_login(request)
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    devices = _confirmed_devices(user)
    if not devices:
        return HttpResponseRedirect(_with_next(reverse("two_factor:setup"), request))

    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        device, error = _check_code(user, devices, form.cleaned_data["code"])
        if device is not None:
            logger.info("Two-factor sign-in verified for user id %s", user.pk)
            return _finish_sign_in(request, device)
        logger.warning("Wrong two-factor code for user id %s", user.pk)
        form.add_error("code", error)
    return render(
        request,
        "two_factor/verify.html",
        _context(request, "Enter your security code", form=form),
    )


def _check_code(user, devices: list[TOTPDevice], code: str) -> tuple[TOTPDevice | None, str]:
    """The device that accepts `code`, or None and the message to show."""
    throttled_until = None
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            if details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                throttled_until = details.get("locked_until")
            continue
        # verify_token locks the device row, so one code can't be used twice in parallel.
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, ""
    if throttled_until is not None:
        return None, (
            f"Too many wrong codes in a row. Wait {_wait(throttled_until)}, then enter the "
            "code your app shows at that moment."
        )
    return None, WRONG_CODE.format(clinic=settings.CLINIC_NAME)


def _wait(until) -> str:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: connect an authenticator app to this account."""
    user = request.user
    if not user.is_authenticated:
        return _to_login(request)
    if _confirmed_devices(user):
        # Adding a second app needs the first one: a password alone must never be enough
        # to attach an attacker's phone to an account that already has 2FA.
        return HttpResponseRedirect(_with_next(reverse("two_factor:verify"), request))

    key = request.session.get(SETUP_KEY_SESSION_KEY)
    if not key:
        key = random_hex(20)
        request.session[SETUP_KEY_SESSION_KEY] = key
    pending = TOTPDevice(user=user, name=DEVICE_NAME, key=key)

    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        totp = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits)
        totp.time = time.time()
        if totp.verify(int(form.cleaned_data["code"]), pending.tolerance):
            # The code just used can't be used again to sign in; the app's clock offset is kept.
            pending.last_t = totp.t()
            pending.drift = totp.drift
            device = _save_device(user, pending)
            if device is None:
                return HttpResponseRedirect(_with_next(reverse("two_factor:verify"), request))
            del request.session[SETUP_KEY_SESSION_KEY]
            logger.info("Two-factor app set up for user id %s", user.pk)
            messages.success(
                request,
                "Two-factor sign-in is set up. You will be asked for a code each time you sign in.",
            )
            return _finish_sign_in(request, device)
        form.add_error("code", WRONG_CODE.format(clinic=settings.CLINIC_NAME))

    return render(
        request,
        "two_factor/setup.html",
        _context(
            request,
            "Set up two-factor sign-in",
            form=form,
            qr_code_data_uri=_qr_code_data_uri(pending.config_url),
            secret=_grouped(b32encode(unhexlify(key)).decode()),
        ),
    )


def _save_device(user, pending: TOTPDevice) -> TOTPDevice | None:
    """Saves the proven device, unless another tab finished set-up a moment earlier."""
    with transaction.atomic():
        # Lock the user row: two tabs finishing set-up at once save one device, not two.
        get_user_model().objects.select_for_update().get(pk=user.pk)
        if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            return None
        pending.confirmed = True
        pending.save()
    return pending


def _qr_code_data_uri(otpauth_url: str) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (CSP img-src allows data:)."""
    image = qrcode.make(
        otpauth_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,  # white background: scans in dark mode
        box_size=10,
        border=4,
    )
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@csrf_protect
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Leave the two-factor step (wrong account, no phone to hand)."""
    logout(request)
    return HttpResponseRedirect(reverse("admin:login"))


urlpatterns = [
    path("", verify, name="verify"),
    path("set-up/", setup, name="setup"),
    path("sign-out/", sign_out, name="sign_out"),
]
