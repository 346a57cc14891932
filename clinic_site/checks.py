"""
Deployment checks (`manage.py check --deploy`) for the development values a production site
could silently keep: a local or plain-HTTP SITE_URL, which every email links to, and sender or
staff inbox addresses on placeholder domains, which never deliver. docs/deployment.md lists
the production environment that passes them. Registered in clinic_site/apps.py.
"""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Their tag: `manage.py check --deploy --tag clinic_site` runs these alone.
TAG = "clinic_site"

# The email settings the site sends from or to.
EMAIL_SETTINGS = ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL", "BOOKING_STAFF_INBOX")

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - a name, not a bind
# Reserved for examples and tests (RFC 2606, RFC 6761): mail to them is never delivered.
PLACEHOLDER_TOP_LEVEL_DOMAINS = {"example", "invalid", "test", "localhost", "local"}
PLACEHOLDER_DOMAINS = {"example.com", "example.org", "example.net"}


def is_placeholder_domain(domain: str) -> bool:
    """True for localhost, a reserved example or test domain, or any name under one."""
    domain = domain.lower().rstrip(".")
    if domain in LOCAL_HOSTS or domain.rsplit(".", 1)[-1] in PLACEHOLDER_TOP_LEVEL_DOMAINS:
        return True
    return any(domain == name or domain.endswith("." + name) for name in PLACEHOLDER_DOMAINS)


def check_site_url(app_configs=None, **kwargs) -> list[checks.Warning]:
    url = urlsplit(settings.SITE_URL)
    errors = []
    if not url.hostname or is_placeholder_domain(url.hostname):
        errors.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}, a local or placeholder address: the links "
                "in every email would point there.",
                hint="Set SITE_URL to the site's public address, e.g. https://www.cosmedics.co.uk.",
                id="clinic_site.W001",
            )
        )
    if url.scheme != "https":
        errors.append(
            checks.Warning(
                f"SITE_URL is {settings.SITE_URL!r}, which is not HTTPS: links in emails would "
                "send patients and staff to an unencrypted address.",
                hint="Set SITE_URL to the https:// address of the site.",
                id="clinic_site.W002",
            )
        )
    return errors


def check_email_addresses(app_configs=None, **kwargs) -> list[checks.Warning]:
    errors = []
    for name in EMAIL_SETTINGS:
        value = getattr(settings, name, "")
        domain = parseaddr(value)[1].rpartition("@")[2]
        if not domain or is_placeholder_domain(domain):
            errors.append(
                checks.Warning(
                    f"{name} is {value!r}, on a placeholder domain: mail from or to it is "
                    "never delivered.",
                    hint=f"Set {name} to an address on the clinic's own domain "
                    "(docs/deployment.md).",
                    id="clinic_site.W003",
                )
            )
    return errors
