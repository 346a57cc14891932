"""
Staff triage of consultation requests in the Django admin (see docs/staff-guide.md).

Django's autodiscovery imports this package; importing the modules below registers their
admins: the request queue and page (requests) and the staff accounts (users).
"""

from booking.admin import requests, users  # noqa: F401 - imported to register the admins
