"""
Small views for the page cache's own tests (tests/clinic_site/test_page_cache*.py).

They render like the real content pages do (a template with `{% csrf_token %}`, the booking
form's one-time token registered as a visitor value, a database query) but count their
renders, so a test can tell a cache hit from a render, and each has one thing a cache must
respect (a cookie, the session, a 404, a query parameter).
"""

import re

from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control, never_cache

from booking.tokens import form_token_for
from clinic_site.page_cache.decorators import cache_public_page
from clinic_site.page_cache.expiry import expire_at
from clinic_site.page_cache.keys import list_page_number, mark_query_unused
from clinic_site.page_cache.visitor_values import register_visitor_value
from pages.models import Clinic

renders = {"count": 0}

PAGE = engines["django"].from_string(
    "<!doctype html><title>Cached</title>"
    "<p>Hello {{ user.username|default:'visitor' }}. Clinics: {% for c in clinics %}"
    "{{ c.title }};{% endfor %}</p>"
    '<form method="post" action="/submit/">{% csrf_token %}'
    '<input type="hidden" name="form_token" value="{{ form_token }}"></form>'
    '<form method="post" action="/submit/">{% csrf_token %}</form>'
    '{% if use_nonce %}<script nonce="{{ csp_nonce }}">let x = 1;</script>{% endif %}'
)


def _render(request, **extra):
    renders["count"] += 1
    form_token = form_token_for(request)
    register_visitor_value(request, form_token, fresh=form_token_for)
    context = {
        "clinics": list(Clinic.objects.order_by("title")),
        "form_token": form_token,
        **extra,
    }
    return HttpResponse(PAGE.render(context, request))


@cache_public_page
def form_page(request):
    return _render(request)


@cache_public_page
def template_response_page(request):
    renders["count"] += 1
    return TemplateResponse(request, PAGE, {"clinics": []})


@cache_public_page
def nonce_page(request):
    return _render(request, use_nonce=True)


@cache_public_page
def plain_page(request):
    """No form: nothing per visitor, so no cookie either."""
    renders["count"] += 1
    return HttpResponse("<!doctype html><title>Plain</title><p>No form here.</p>")


@cache_public_page
def cookie_page(request):
    response = _render(request)
    response.set_cookie("seen", "1")
    return response


@cache_public_page
def session_page(request):
    request.session["visited"] = True
    return _render(request)


@cache_public_page
def missing_page(request):
    response = _render(request)
    response.status_code = 404
    return response


@cache_public_page
@never_cache
def never_cached_page(request):
    return _render(request)


@cache_public_page
@cache_control(public=True, max_age=60)
def public_page(request):
    """A view that says a shared cache may keep it: with tokens in it, none may."""
    return _render(request)


@cache_public_page
def unregistered_value_page(request):
    """A per-visitor value registered but missing from the page: never stored."""
    renders["count"] += 1
    register_visitor_value(request, form_token_for(request), fresh=form_token_for)
    return HttpResponse("<!doctype html><title>Forgot the token</title>")


# When expiring_page says it goes out of date: set by the test.
expiry = {"at": None}


@cache_public_page
def expiring_page(request):
    """A page that says it goes out of date at `expiry["at"]` (an "open now" line, say)."""
    expire_at(request, expiry["at"])
    return _render(request)


# A slug as the real views accept one (so made-up values never reach the database).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def lower_case_or_none(value):
    """A key function: the value in lower case; an empty one is as none."""
    return value.lower() or None


@cache_public_page(query={"clinic": lower_case_or_none, "page": list_page_number})
def query_page(request):
    """Depends on ?clinic= (a clinic's slug, any case; others are ignored) and ?page=."""
    renders["count"] += 1
    slug = request.GET.get("clinic", "").lower()
    clinic = Clinic.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if slug and clinic is None:
        mark_query_unused(request, "clinic")
    page = request.GET.get("page") or "1"
    try:
        number = page if page == "last" else int(page)  # as ListView reads it
    except ValueError:
        return HttpResponse("No such page", status=404)
    clinic_name = clinic.title if clinic else "any"
    return HttpResponse(f"<!doctype html><p>Clinic: {clinic_name}; page {number}</p>")


def submit(request):
    """A CSRF-protected POST endpoint (the middleware does the checking)."""
    return HttpResponse("accepted")


urlpatterns = [
    path("page/", form_page),
    path("template-response/", template_response_page),
    path("nonce/", nonce_page),
    path("plain/", plain_page),
    path("cookie/", cookie_page),
    path("session/", session_page),
    path("missing/", missing_page),
    path("never-cached/", never_cached_page),
    path("public/", public_page),
    path("unregistered/", unregistered_value_page),
    path("query/", query_page),
    path("expiring/", expiring_page),
    path("submit/", submit),
    # The site's own URLs, for the templates these pages share (the 403 page, the header).
    path("", include("clinic_site.urls")),
]
