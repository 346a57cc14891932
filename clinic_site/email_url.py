"""
The site's mailer (Django 6.1's `MAILERS["default"]`) from environment variables.

Either one URL, so a deployment sets a single secret:

    EMAIL_URL=smtp://user:password@smtp.example.com:587      SMTP with STARTTLS (the default)
    EMAIL_URL=smtp+ssl://user:password@smtp.example.com:465  SMTP over implicit TLS
    EMAIL_URL=smtp+insecure://relay.internal:25              plain SMTP, for a private relay
    EMAIL_URL=console://                                     print emails (development)

(user and password percent-decoded, so "@" in a password is written "%40"; `?timeout=20` sets
the connection timeout in seconds, default 10), or the separate variables EMAIL_HOST, EMAIL_PORT,
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL and EMAIL_TIMEOUT. With
neither, emails are printed to the server's output by the console backend.

Kept free of Django imports: settings.py uses it before Django is set up.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_TIMEOUT = 10

# scheme: (use STARTTLS, use implicit TLS, default port)
SMTP_SCHEMES = {
    "smtp": (True, False, 587),
    "submission": (True, False, 587),
    "smtp+tls": (True, False, 587),
    "smtp+ssl": (False, True, 465),
    "smtps": (False, True, 465),
    "smtp+insecure": (False, False, 25),
}


def _smtp(*, host, port, username, password, use_tls, use_ssl, timeout) -> dict:
    return {
        "BACKEND": SMTP_BACKEND,
        "OPTIONS": {
            "host": host,
            "port": port,
            "username": username,
            "password": password,
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            # Without a timeout a stalled server would hang the task worker for ever.
            "timeout": timeout,
        },
    }


def parse_email_url(url: str) -> dict:
    """A MAILERS entry for an `EMAIL_URL`; ValueError (never quoting the URL) if unusable."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": CONSOLE_BACKEND}
    if scheme not in SMTP_SCHEMES:
        # The message names the scheme only: the URL itself may hold a password.
        raise ValueError(
            f"EMAIL_URL scheme {scheme!r} is not supported; use one of "
            f"{', '.join(sorted([*SMTP_SCHEMES, 'console']))}."
        )
    if not parts.hostname:
        raise ValueError("EMAIL_URL has no host name.")
    use_tls, use_ssl, default_port = SMTP_SCHEMES[scheme]
    try:
        port = parts.port or default_port
        timeout = int(parse_qs(parts.query).get("timeout", [DEFAULT_TIMEOUT])[0])
    except ValueError as error:
        raise ValueError("EMAIL_URL has a port or timeout that is not a number.") from error
    return _smtp(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=timeout,
    )


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def mailer_from_environment(environ: Mapping[str, str]) -> dict:
    """MAILERS["default"]: EMAIL_URL, else EMAIL_HOST and friends, else the console."""
    if environ.get("EMAIL_URL", "").strip():
        return parse_email_url(environ["EMAIL_URL"])
    host = environ.get("EMAIL_HOST", "").strip()
    if not host:
        return {"BACKEND": CONSOLE_BACKEND}
    use_ssl = _flag(environ.get("EMAIL_USE_SSL"), False)
    use_tls = _flag(environ.get("EMAIL_USE_TLS"), not use_ssl)
    if use_ssl and use_tls:
        raise ValueError("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
    try:
        port = int(environ.get("EMAIL_PORT") or (465 if use_ssl else 587))
        timeout = int(environ.get("EMAIL_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError as error:
        raise ValueError("EMAIL_PORT and EMAIL_TIMEOUT must be numbers.") from error
    return _smtp(
        host=host,
        port=port,
        username=environ.get("EMAIL_HOST_USER", ""),
        password=environ.get("EMAIL_HOST_PASSWORD", ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        timeout=timeout,
    )
