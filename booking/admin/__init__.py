"""
Staff triage of consultation requests in the Django admin (see docs/staff-guide.md).

Django's autodiscovery imports this package; importing the modules below registers their
admins: the request queue and page (requests), the staff accounts (users) and the texts
patients agreed to (consent_texts).
"""

from booking.admin import consent_texts, requests, users  # noqa: F401 - imported to register
