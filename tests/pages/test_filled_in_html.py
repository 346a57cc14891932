"""The pages with costs, key facts and FAQs filled in are valid HTML (the Nu Html Checker,
as tests/test_html_validity.py runs it on the seeded site, which shows none of them)."""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.pages.filled_in import FILLED_IN_PAGES, fill_in_costs_and_faqs
from tests.test_html_validity import describe, vnu  # noqa: F401 (the checker fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_filled_in_costs_facts_and_faqs_are_valid_html(client, vnu, tmp_path):  # noqa: F811
    call_command("seed_content", stdout=StringIO())
    fill_in_costs_and_faqs()
    pages = {name: client.get(path).content.decode() for name, path in FILLED_IN_PAGES.items()}

    problems = vnu(pages, tmp_path)

    assert not problems, f"Invalid HTML on {len(problems)} page(s):\n{describe(problems)}"
