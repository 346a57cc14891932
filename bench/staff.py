"""
The staff side of `make bench`: the Insights row's data and the clinic manager who opens it.

The database gets a year of synthetic requests with their histories (`manage.py
synthetic_requests`); a clinic manager linked to every clinic (as bench/insights.py times the
page) signs in once through the admin's login form, and the page must answer as the Insights
page, not as the login page, before wrk sees its address.
"""

import html
import re
import secrets
from urllib.parse import urlencode

from server import fail, get, manage

MANAGER_USERNAME = "bench-clinic-manager"
CREATE_MANAGER = (
    "import os; from django.contrib.auth.models import Group, User;"
    "from booking.models import StaffProfile; from pages.models import Clinic;"
    "user = User.objects.create_user("
    " os.environ['BENCH_STAFF_USERNAME'], password=os.environ['BENCH_STAFF_PASSWORD'],"
    " is_staff=True);"
    "user.groups.add(Group.objects.get(name='Clinic manager'));"
    "StaffProfile.objects.create(user=user).clinics.set(Clinic.objects.all())"
)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INSIGHTS_HEADING = "<h1>Insights</h1>"


def admin_path(env):
    """The admin's path as the settings build it from DJANGO_ADMIN_PATH."""
    return "/" + env.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"


def insights_path(env):
    return f"{admin_path(env)}insights/?preset=last_12_months"


def fill_requests(env, count):
    """`count` synthetic requests over the last year; the same seed gives the same rows."""
    manage(env, "synthetic_requests", "--count", str(count), "--seed", "1", "--not-production")


def signed_in_manager(env, server):
    """A new clinic manager linked to every clinic, signed in: the Cookie header to send."""
    password = secrets.token_urlsafe(24)
    manage(
        {**env, "BENCH_STAFF_USERNAME": MANAGER_USERNAME, "BENCH_STAFF_PASSWORD": password},
        "shell",
        "--no-imports",
        "-c",
        CREATE_MANAGER,
    )
    login_path = f"{admin_path(env)}login/"
    form = get(server, login_path, {"Accept": "text/html"})
    token = CSRF_FIELD.search(form.body.decode(errors="replace"))
    if form.status != 200 or not token:
        fail(f"the admin login form ({login_path}) answered {form.status} without a CSRF token")
    cookies = set_cookies(form)
    body = urlencode(
        {
            "username": MANAGER_USERNAME,
            "password": password,
            "csrfmiddlewaretoken": html.unescape(token[1]),
            "next": admin_path(env),
        }
    )
    headers = {
        "Cookie": cookie_header(cookies),
        "Origin": server.origin,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    # Once only: django-axes locks the username out after repeated failures.
    response = get(server, login_path, headers, method="POST", body=body)
    cookies |= set_cookies(response)
    if response.status != 302 or "sessionid" not in cookie_header(cookies):
        fail(f"signing the clinic manager in answered {response.status}, not a redirect")
    return cookie_header(cookies)


def set_cookies(response):
    pairs = (header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or [])
    return dict(pair.split("=", 1) for pair in pairs)


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check_insights_page(server, path, cookie):
    """Stop unless `path` answers 200 with the Insights heading for this Cookie header."""
    response = get(server, path, {"Cookie": cookie, "Accept": "text/html"})
    if response.status != 200 or INSIGHTS_HEADING not in response.body.decode(errors="replace"):
        fail(f"{path} answered {response.status} without {INSIGHTS_HEADING}: not signed in?")
