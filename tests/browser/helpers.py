"""Helpers shared by the browser, accessibility and HTML validity tests."""

import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.contrib.sites.models import Site
from django.test import Client

from tests.browser.crawl import Response


def in_ci():
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_or_fail(reason):
    """Skip on a developer's machine, with the reason in pytest's summary; fail in CI,
    where a missing browser or checker is a broken setup, not a reason to pass."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def own_hosts(*hosts):
    """Host names that count as this site: the server's, and the sitemap's domain."""
    from django.conf import settings

    return {*hosts, Site.objects.get_current().domain, urlsplit(settings.SITE_URL).netloc}


def live_server_fetch(base_url):
    """A crawl fetcher over real HTTP, following redirects like a browser."""

    if not base_url.startswith("http://"):
        raise ValueError(f"Expected the live server's http:// URL, got {base_url!r}")

    def fetch(path):
        # http:// only (checked above): our own live server on localhost.
        request = urllib.request.Request(base_url + path, headers={"Accept": "text/html"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Response(
                    status=response.status,
                    content_type=response.headers.get("Content-Type", ""),
                    text=response.read().decode("utf-8"),
                    path=urlsplit(response.url).path,
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers.get("Content-Type", ""), "", path)

    return fetch


def client_fetch(client: Client):
    """A crawl fetcher through Django's test client: the full stack without a server."""

    def fetch(path):
        response = client.get(path, follow=True)
        final_path = response.redirect_chain[-1][0] if response.redirect_chain else path
        return Response(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            text=response.content.decode("utf-8"),
            path=urlsplit(final_path).path or path,
        )

    return fetch
