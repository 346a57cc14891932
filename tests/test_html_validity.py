"""Every public page is valid HTML, by the Nu Html Checker (the W3C validator's engine).

The pages are found by crawling the site's links from the home page plus the sitemap,
through Django's test client, and checked by ONE run of vnu.jar (npm `vnu-jar`, run with
Java): the checker takes a few seconds to start and then checks pages quickly.
"""

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command

from pages.models import Clinic
from tests.browser.crawl import crawl, describe_broken
from tests.browser.helpers import client_fetch, own_hosts, skip_or_fail
from tests.factories import fill_in_clinic, give_every_page_an_image

# Both tests run the checker with Java.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture
def vnu():
    java = shutil.which("java")
    if java is None:
        skip_or_fail(
            "Java not found, needed by the HTML checker: apt-get install -y default-jre-headless"
        )
    if not VNU_JAR.exists():
        skip_or_fail(
            f"The HTML checker is not installed ({VNU_JAR}): run `npm ci --ignore-scripts`"
        )

    def check(pages: dict[str, str], tmp_path: Path) -> dict[str, list[dict]]:
        """Check {name: html} in one vnu run; return {name: [error messages]}."""
        files, paths = {}, []
        for index, (name, html) in enumerate(sorted(pages.items())):
            file = tmp_path / f"page-{index:03d}.html"
            file.write_text(html, encoding="utf-8")
            files[file.name] = name
            paths.append(file)
        # Paths in our own temp dir, run with a fixed argument list (no shell).
        completed = subprocess.run(  # noqa: S603
            [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        report = json.loads(completed.stdout)
        problems = {}
        for message in report["messages"]:
            # "error" is invalid HTML; "non-document-error" means a page could not be read.
            # Warnings ("info" with subType "warning") are advice and do not fail the test.
            if message["type"] in {"error", "non-document-error"}:
                # vnu names each page by its file: URL ("file:/tmp/.../page-003.html").
                url = message.get("url", "?")
                name = files.get(url.rsplit("/", 1)[-1], url)
                problems.setdefault(name, []).append(message)
        return problems

    return check


def describe(problems):
    lines = []
    for name, messages in sorted(problems.items()):
        lines.append(f"{name}:")
        lines.extend(
            f"  line {m.get('lastLine', '?')}: {m['message']}  [{m.get('extract', '').strip()}]"
            for m in messages
        )
    return "\n".join(lines)


class HiddenInputs(HTMLParser):
    """The hidden fields of the booking form (its one-time token, the page it was on)."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def booking_pages(client):
    """The booking form with errors, and the confirmation page, as a patient reaches them."""
    parser = HiddenInputs()
    parser.feed(client.get("/book/").content.decode())
    with_errors = client.post("/book/", {**parser.values, "email": "not an email"})
    assert "There is a problem" in with_errors.content.decode()
    answers = {
        **parser.values,
        "full_name": "Zoë O'Connor-Ng",
        "email": "zoe@example.com",
        "phone": "020 7946 0123",
        "contact_method": "phone",
        "consent": "on",
        "confirmed_adult": "on",
    }
    confirmation = client.post("/book/", answers, follow=True)
    assert confirmation.redirect_chain, confirmation.content.decode()[:2000]
    return {
        "/book/ with errors": with_errors.content.decode(),
        "confirmation": confirmation.content.decode(),
    }


def test_every_public_page_is_valid_html(client, vnu, tmp_path, settings):
    settings.BOOKING_MIN_SECONDS = 0
    settings.BOOKING_RATE_LIMIT = "off"
    call_command("seed_content", verbosity=0)
    give_every_page_an_image()
    fill_in_clinic(Clinic.objects.get(slug="bristol"))  # London stays as the seed leaves it
    result = crawl(
        client_fetch(client), own_hosts=own_hosts("testserver"), base_url="http://testserver"
    )
    assert not result.broken, "Broken internal links:\n" + describe_broken(result)
    # Guard against a crawl that silently found nothing to check.
    assert "/" in result.pages and len(result.pages) >= 10, sorted(result.pages)
    pages = dict(result.pages)
    pages["404 page"] = client.get("/this-page-does-not-exist/").content.decode()
    pages.update(booking_pages(client))

    problems = vnu(pages, tmp_path)

    assert not problems, f"Invalid HTML on {len(problems)} page(s):\n{describe(problems)}"


def test_checker_reports_invalid_html(vnu, tmp_path):
    """The check itself works: a page with a stray end tag is reported."""
    broken = "<!doctype html><html lang=en><title>x</title><p>text</div>"
    assert "broken" in vnu({"broken": broken}, tmp_path)
