"""
Small views for the page cache's own tests (tests/pages/test_page_cache.py).

They render like the real content pages do (a template with `{% csrf_token %}`, the booking
form's one-time token, a database query) but count their renders, so a test can tell a cache
hit from a render, and each has one thing a cache must respect (a cookie, the session, a 404).
"""

from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import include, path
from django.views.decorators.cache import cache_control, never_cache

from booking.tokens import new_form_token
from pages.cache import cache_public_page
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
    request.booking_form_token = new_form_token()
    context = {
        "clinics": list(Clinic.objects.order_by("title")),
        "form_token": request.booking_form_token,
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
    path("submit/", submit),
    # The site's own URLs, for the templates these pages share (the 403 page, the header).
    path("", include("clinic_site.urls")),
]
