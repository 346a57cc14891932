"""The content admin: every public page's publishing, clinical review and redirects."""

from pages.admin import (  # noqa: F401 - importing them registers the admins
    clinics,
    content,
    faqs,
    fees,
    images,
    team,
)
