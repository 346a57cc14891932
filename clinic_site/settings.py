"""
Settings for the Cosmedics Skin Clinics site.

One module, configured by environment variables (docs/configuration.md). Local
values that `make run` generates (the secret key) live in a git-ignored `.env`
file beside manage.py, read below, so `manage.py` commands work from the checkout
with no extra environment. Real environment variables always win over `.env`.
"""

import json
import logging
import os
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clinic_site.email_url import mailer_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path):
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip())


# DJANGO_ENV_FILE names another file to read instead; an empty value reads none (the
# settings tests use that to see what a server without a .env does).
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    read_env_file(Path(ENV_FILE))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(os.environ.get(name) or default)


def env_rate(name, default):
    """A rate limit like "5/10m" or "off" (booking/ratelimit.py reads it)."""
    value = os.environ.get(name) or default
    if not re.fullmatch(r"\s*(off|0|[1-9]\d*\s*/\s*([1-9]\d*)?\s*[smhd])\s*", value, re.I):
        # Checked here so a typo stops the server at start-up, not at a patient's first visit.
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate: use e.g. 5/10m, 10/1h or off.")
    return value


def url_origin(url):
    """["https://media.example.com"] for an absolute URL (for the CSP); [] for a path."""
    parts = urlsplit(url)
    if not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}" if parts.scheme else parts.netloc]


# --- Core ---------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # No fallback key in production: a guessable key would let anyone forge sessions.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment (or run `make run`, "
            "which writes a local one to .env), or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG"  # noqa: S105 - debug only
# Rotating the key: keep the old one here (comma-separated) for a day, so sessions and
# signed tokens made with it stay valid while everything moves to the new key; then remove it.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Absolute base URL used in emails and sitemaps, where no request is at hand.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.redirects",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "django_otp",
    # Third-party apps under plain-English admin names (clinic_site/apps.py).
    "clinic_site.apps.StaffTwoFactorDevicesConfig",  # django_otp.plugins.otp_totp
    "clinic_site.apps.StaffSignInAttemptsConfig",  # axes
    "pages",
    "booking",
    # The project's deployment checks (clinic_site/checks.py); no models.
    "clinic_site.apps.ClinicSiteConfig",
]

MIDDLEWARE = [
    # First: /healthz answers before the host check, HTTPS redirect, sessions and axes.
    "clinic_site.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy on every response; X-Robots-Tag: noindex on the staff area.
    "clinic_site.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Serves stored public pages without the rest of the stack (clinic_site/page_cache).
    "clinic_site.page_cache.middleware.PageCacheMiddleware",
    # A database or Redis outage in a view answers the branded 503, not a traceback.
    "clinic_site.middleware.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTPMiddleware: holds staff who gave a password but no code at the 2FA step.
    "clinic_site.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Nothing under the admin path is cached (Cache-Control: private, no-store).
    "booking.middleware.AdminNeverCacheMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    # Axes must be last: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"
WSGI_APPLICATION = "clinic_site.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.clinic_contact",
                "pages.context_processors.site_navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # the start of a transaction so concurrent gunicorn workers queue on the busy
    # timeout instead of failing with "database is locked" halfway through. Connections
    # are kept (DATABASE_CONN_MAX_AGE) like PostgreSQL's, so these PRAGMAs don't run on
    # every request.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Give up on an unreachable server after a few seconds, so the site answers its 503
    # page and /healthz its 503 quickly instead of hanging until gunicorn's timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
# Booking rate-limit counts may have a Redis server of their own, where page entries can never
# evict them (docs/deployment.md); by default they share REDIS_URL's under their own prefix.
RATELIMIT_REDIS_URL = os.environ.get("RATELIMIT_REDIS_URL") or REDIS_URL
_REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    # Fail fast when Redis is unreachable (503 page, /healthz 503), never hang.
    "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
}
CACHES = {
    "default": (
        {**_REDIS, "LOCATION": REDIS_URL, "KEY_PREFIX": "clinic"}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clinic-site"}
    ),
    # Without Redis, the counts are in the database, so one limit holds across every gunicorn
    # worker (`make run` creates the table with createcachetable), apart from the page cache.
    "ratelimit": (
        {**_REDIS, "LOCATION": RATELIMIT_REDIS_URL, "KEY_PREFIX": "clinic-ratelimit"}
        if RATELIMIT_REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "booking_ratelimit_cache",
        }
    ),
}

# Public content pages are cached whole, with fresh tokens for each visitor, and invalidated
# when staff change content (clinic_site/page_cache). Seconds a page is kept; 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# --- Auth and sessions --------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "admin:login"
# Staff are the only people who sign in; after signing in they go to the admin.
LOGIN_REDIRECT_URL = "admin:index"
# The admin lives at an unguessable path in production, e.g. "staff-7f3a/".
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# Only staff have sessions (patients never sign in). They are stored in the database, the
# default backend, so every app server behind the load balancer sees every session, and a
# Redis outage can't sign staff out. Short: DJANGO_SESSION_HOURS from sign-in (a working
# day), and the cookie is dropped when the browser closes.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(hours=env_int("DJANGO_SESSION_HOURS", 8)).total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# CSRF_COOKIE_HTTPONLY stays False (Django's default): no script of ours reads the cookie,
# and Django's docs explain HttpOnly would add no protection to it.

# Two-factor sign-in (clinic_site/two_factor.py): on unless DJANGO_REQUIRE_2FA=0, which
# only `make run` and the tests set.
REQUIRE_2FA = env_bool("DJANGO_REQUIRE_2FA", default=True)
OTP_TOTP_ISSUER = "Cosmedics Skin Clinics"  # the entry's name in the staff member's app
# The device admin never shows a TOTP secret (or its QR code) once the device exists.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-axes: AXES_FAILURE_LIMIT wrong passwords for one username from one address lock
# that pair out for AXES_COOLOFF_MINUTES (each further try restarts the wait). Keyed on the
# pair so a stranger guessing can't lock a colleague out from elsewhere. Unlock early with
# `manage.py axes_reset_username USERNAME` (docs/deployment.md).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
# The same client address rule as the booking rate limit (DJANGO_TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "clinic_site.client_ip.client_ip"
# Axes' log lines name the username and address; these are masked as "****" in them (the
# database's attempt records, which a manager sees in the admin, keep them).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
AXES_VERBOSE = False

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The site and the admin are in British English only, so the translation machinery is off
# (Django's own switch "for performance"); dates keep en-GB formats (LANGUAGE_CODE's):
# tests/pages/test_admin.py checks both sides.
USE_I18N = False
USE_TZ = True

# --- Static files and uploaded media ------------------------------------------

STATIC_URL = "/static/"
# Where collectstatic writes. `make audit` points it at a temporary folder so that it never
# races a running `make run` over the same files.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Images staff upload (pages/models/images.py), apart from the static files. By default on
# this server's disk under MEDIA_ROOT, served at MEDIA_URL by clinic_site/media.py with
# far-future caching; with more than one server, in shared object storage: any Django storage
# backend (DJANGO_MEDIA_STORAGE) with its options as JSON, such as django-storages' S3 backend
# with MEDIA_URL its public address (docs/deployment.md#uploaded-images).
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL") or "/media/"
try:
    _media_storage_options = json.loads(os.environ.get("DJANGO_MEDIA_STORAGE_OPTIONS") or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"DJANGO_MEDIA_STORAGE_OPTIONS is not JSON: {error}") from None
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": _media_storage_options,
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The largest image file staff may upload, and the most pixels: a small file can decode to
# gigabytes of memory (a "decompression bomb"). pages/imaging.py refuses either with a message.
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_MB", 10) * 1024 * 1024
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_MEGAPIXELS", 40) * 1_000_000

# --- Security headers ---------------------------------------------------------

# DJANGO_HTTPS=1 in production: HTTPS only, with HSTS, Secure cookies and HTTPS redirects.
HTTPS = env_bool("DJANGO_HTTPS")
# Behind a load balancer or proxy that terminates TLS, Django sees plain HTTP; set
# DJANGO_SECURE_PROXY_SSL_HEADER=1 to trust its X-Forwarded-Proto header. ONLY when that
# proxy removes or overwrites the header a client sends: otherwise anyone could claim HTTPS.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours append to X-Forwarded-For (clinic_site/client_ip.py).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

if HTTPS:
    SECURE_SSL_REDIRECT = True
    # One year, subdomains included, preload-ready (hstspreload.org asks for all three).
    # For a first deployment a short DJANGO_HSTS_SECONDS (300) is a safe trial.
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix: browsers accept these cookies only over HTTPS, for this exact
    # host and path /, so a subdomain can't plant a session or CSRF cookie on us.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content Security Policy (Django's built-in CSP middleware). No inline script or style
# anywhere: every script and stylesheet is a static file from our own origin. The nonce is
# only for inline blocks Django's admin emits on a few pages; a public page never renders
# one (the page cache would replay it), so its header carries no nonce at all.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # data: for Bootstrap's inline SVG icons in CSS and the 2FA set-up QR code; uploaded
    # images from MEDIA_URL's host when they are served from another (object storage, a CDN).
    "img-src": [CSP.SELF, "data:", *url_origin(MEDIA_URL)],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "upgrade-insecure-requests": HTTPS,
    # Where browsers report violations, e.g. a Sentry or report-uri.com endpoint.
    "report-uri": os.environ.get("DJANGO_CSP_REPORT_URI") or None,
}
# Browser features no page uses, switched off for every page and anything injected into it
# (clinic_site.middleware.SecurityHeadersMiddleware). browsing-topics=() opts out of
# Chrome's interest-based ads, the successor of FLoC's interest-cohort.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Forms --------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email --------------------------------------------------------------------

# Django 6.1's MAILERS (the EMAIL_HOST... settings are deprecated), built from EMAIL_URL
# (smtp://user:pass@host:587), or EMAIL_HOST and friends; with neither, emails are printed to
# the server's output. clinic_site/email_url.py has the details.
try:
    MAILERS = {"default": mailer_from_environment(os.environ)}
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Cosmedics Skin Clinics <no-reply@cosmedics.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where new-request emails and the overdue digest go when a clinic has no inbox of its own
# (and for "no preference" requests). Set it in production: the default domain never delivers.
BOOKING_STAFF_INBOX = os.environ.get("BOOKING_STAFF_INBOX", "bookings@cosmedics.example")

# --- Tasks --------------------------------------------------------------------

TASKS_BACKEND = os.environ.get("DJANGO_TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
    }
}
# A failed email send is retried up to this many attempts in all, waiting
# BASE, 4 x BASE, 16 x BASE... seconds between them (capped at one hour), then marked failed.
BOOKING_EMAIL_MAX_ATTEMPTS = env_int("BOOKING_EMAIL_MAX_ATTEMPTS", 5)
BOOKING_EMAIL_RETRY_BASE_SECONDS = env_int("BOOKING_EMAIL_RETRY_BASE_SECONDS", 60)

# --- Clinic -------------------------------------------------------------------

CLINIC_NAME = "Cosmedics Skin Clinics"
CLINIC_PHONE = "020 7386 0464"

# --- Booking ------------------------------------------------------------------

# "5/10m": five consultation requests per client (IP address, IPv6 per /64) per ten
# minutes; units s, m, h, d; "off" disables the limit (load tests). Counted in the
# "ratelimit" cache (above), one limit across workers and servers. booking/ratelimit.py explains.
BOOKING_RATE_LIMIT = env_rate("BOOKING_RATE_LIMIT", "5/10m")
# Visits to and answers from the appointment links in patients' emails, per client, in the same
# syntax: a patient needs two or three; a guesser of links is stopped long before finding one.
BOOKING_CHANGE_LINK_RATE_LIMIT = env_rate("BOOKING_CHANGE_LINK_RATE_LIMIT", "20/10m")
# A form sent sooner than this after it was shown is flagged as likely spam; 0 disables.
BOOKING_MIN_SECONDS = env_int("BOOKING_MIN_SECONDS", 3)
# How long a shown form's one-time token is good for (booking/tokens.py). An older one never
# shows an earlier request's confirmation; valid answers sent with it are still stored.
BOOKING_FORM_TOKEN_MAX_AGE = env_int("BOOKING_FORM_TOKEN_MAX_AGE", 4 * 60 * 60)
# Working hours a new request should be answered within; clinical priority sooner.
BOOKING_RESPONSE_HOURS = env_int("BOOKING_RESPONSE_HOURS", 24)
BOOKING_PRIORITY_RESPONSE_HOURS = env_int("BOOKING_PRIORITY_RESPONSE_HOURS", 4)
# Appointments: how long one lasts (the end time in the patient's calendar file) and how
# many hours before it the reminder email goes (0: no reminders). Reminders wait in the
# database task queue, so they need the database task backend (the default).
BOOKING_APPOINTMENT_MINUTES = env_int("BOOKING_APPOINTMENT_MINUTES", 30)
BOOKING_REMINDER_HOURS = env_int("BOOKING_REMINDER_HOURS", 24)
# Request bodies over this size answer 400 (templates/400.html) before any view runs. The
# largest booking form is about 30 KB (2,000 characters of percent-encoded UTF-8); 256 KB
# leaves room for long articles edited in the admin.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 256 * 1024)

# Dates the clinics are closed (bank holidays), comma-separated ISO dates: response
# targets skip them as they skip weekends. E.g. "2026-12-25,2026-12-28".
try:
    BOOKING_CLOSED_DATES = frozenset(
        date.fromisoformat(day) for day in env_list("BOOKING_CLOSED_DATES")
    )
except ValueError as error:
    raise ImproperlyConfigured(f"BOOKING_CLOSED_DATES: {error} (use YYYY-MM-DD).") from None

# Retention (`manage.py purge_requests`, run daily): how long requests keep personal data.
# Spam is deleted; closed requests are anonymised this long after they were closed; open
# requests nobody has touched for BOOKING_RETENTION_STALE_DAYS are closed and anonymised.
BOOKING_RETENTION_SPAM_DAYS = env_int("BOOKING_RETENTION_SPAM_DAYS", 30)
BOOKING_RETENTION_CLOSED_DAYS = env_int("BOOKING_RETENTION_CLOSED_DAYS", 365)
BOOKING_RETENTION_STALE_DAYS = env_int("BOOKING_RETENTION_STALE_DAYS", 730)

# --- Logging ------------------------------------------------------------------

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler must use this filter: it masks email addresses, phone numbers and the
    # signed part of confirmation links in messages and tracebacks (tests/booking/
    # test_privacy.py checks each handler has it).
    "filters": {
        "redact_personal_data": {"()": "clinic_site.logging_filters.RedactPersonalData"},
    },
    # One JSON object per line on stdout (clinic_site/log_format.py): a traceback stays
    # with its error, and only time, level, logger, message and status are written.
    "formatters": {
        "line": {"()": "clinic_site.log_format.JSONLineFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["redact_personal_data"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        # SQL parameters hold patients' answers: never logged, even with DEBUG and DEBUG logs.
        "django.db.backends": {"level": "INFO"},
    },
}
# Python warnings (a missing static directory, a deprecation) become log records too, so
# they reach the log as one JSON line each instead of raw multi-line text on stderr.
logging.captureWarnings(True)
# Error reports (the debug page, admin error emails) never show what a patient typed.
DEFAULT_EXCEPTION_REPORTER_FILTER = "clinic_site.error_reporting.PersonalDataReporterFilter"
