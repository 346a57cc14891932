from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(db):
    """The site as `make run` leaves it: the seed content from pages/seed/."""
    call_command("seed_content", stdout=StringIO())
