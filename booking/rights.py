"""
Patients' data rights, in the admin: find everything held about one email address, export it
(a subject access request) or erase it.

Only staff with the "Can find, export and erase one person's data" permission
(`booking.handle_rights_requests`) may use these pages; everyone else gets 403. The views are
wrapped in `admin.site.admin_view` (see booking/rights_urls.py), so the admin's login, two-factor
and never-cache rules apply. The email address always travels in a POST body, never in a URL,
so it stays out of access logs and browser history.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from booking import privacy
from booking.models import RetentionRecord

PERMISSION = "booking.handle_rights_requests"


class PersonLookupForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address the person used on the booking form. Upper and lower case "
        "are treated the same.",
        error_messages={
            "required": "Enter the person's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
    )


class ErasureForm(PersonLookupForm):
    identity_checked = forms.BooleanField(
        label="I have checked this person's identity, and they asked us to erase their data.",
        error_messages={"required": "Confirm that you checked the person's identity."},
    )


# Signed-in staff without the permission get 403 (admin_view sends others to sign in).
rights_permission_required = permission_required(PERMISSION, raise_exception=True)


def _render(request, template, context):
    return render(
        request,
        f"admin/booking/rights/{template}",
        {**admin.site.each_context(request), **context},
    )


@rights_permission_required
@require_http_methods(["GET", "POST"])
def search(request):
    form = PersonLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = list(
            privacy.requests_for_email(form.cleaned_data["email"])
            .prefetch_related("notes")
            .order_by("-created_at")
        )
    return _render(
        request,
        "search.html",
        {
            "title": "Patients' data rights",
            "form": form,
            "found": found,
            "retention": {
                "spam_days": settings.BOOKING_RETENTION_SPAM_DAYS,
                "closed_days": settings.BOOKING_RETENTION_CLOSED_DAYS,
                "stale_days": settings.BOOKING_RETENTION_STALE_DAYS,
            },
            "retention_records": RetentionRecord.objects.all()[:20],
        },
    )


@rights_permission_required
@require_POST
def export(request):
    form = PersonLookupForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid email address to export.")
        return redirect("booking_rights:search")
    data = privacy.person_export(email=form.cleaned_data["email"], actor=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    # No email address in the file name: downloads folders get synced and shared.
    filename = f"subject-access-request-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@rights_permission_required
@require_POST
def erase(request):
    """First POST shows what would be erased; the second, confirmed, erases it."""
    lookup = PersonLookupForm(request.POST)
    if not lookup.is_valid():
        messages.error(request, "Enter a valid email address to erase.")
        return redirect("booking_rights:search")
    email = lookup.cleaned_data["email"]
    confirming = "erase" in request.POST
    form = ErasureForm(request.POST) if confirming else ErasureForm(initial={"email": email})
    if confirming and form.is_valid():
        references = privacy.person_erase(email=email, actor=request.user)
        if references:
            messages.success(
                request,
                f"Erased {len(references)} request{'s' if len(references) != 1 else ''}: "
                f"{', '.join(references)}. Each keeps a record that you erased it.",
            )
        else:
            messages.warning(request, "Nothing was erased: no requests use that address.")
        return redirect("booking_rights:search")
    return _render(
        request,
        "confirm_erase.html",
        {
            "title": "Erase one person's data",
            "form": form,
            "email": email,
            "found": list(privacy.requests_for_email(email).order_by("-created_at")),
        },
    )
