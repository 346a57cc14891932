"""The content admin: every public page's publishing, clinical review and redirects."""

from pages.admin import content  # noqa: F401 - importing it registers the admins
