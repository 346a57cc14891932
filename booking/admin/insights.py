"""
The Insights page in the admin: figures about the requests a clinic received (how many, from
where, how far they got, how fast they were answered), each as a chart and the table of its
numbers, with a CSV download of each table (see docs/staff-guide.md and docs/insights.md).

Only staff with "Can view insights" (`booking.view_insights`) may open the page or a download;
everyone else gets 403. The figures count the requests the queue would show the same person
(booking.insights.filters.requests_in_scope), and hold counts, rates and durations only.
Mounted under the admin path (clinic_site/urls.py) and wrapped in `admin.site.admin_view`, so
the admin's sign-in, two-factor and never-cache rules apply.
"""

import csv
from datetime import date
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from booking.admin.exports import csv_cell
from booking.insights.charts import chart_svg, value_text
from booking.insights.figures import figure_for, insights_for
from booking.insights.filters import CUSTOM, DEFAULT_PRESET, InsightsFilter, InsightsFilterForm

PERMISSION = "booking.view_insights"
# A long table starts folded so the page stays easy to scan; the chart above it shows the shape.
LONG_TABLE_ROWS = 12


# Signed-in staff without the permission get 403 (admin_view sends others to sign in).
insights_permission_required = permission_required(PERMISSION, raise_exception=True)


def filter_form(request) -> InsightsFilterForm:
    data = request.GET.copy()
    if not (data.get("preset") or data.get("start") or data.get("end")):
        # The form's default range, named in the menu so the page shows which one it is.
        data["preset"] = DEFAULT_PRESET
    return InsightsFilterForm(data, user=request.user)


def filter_query(insights_filter: InsightsFilter) -> str:
    """The filter as fixed dates, so a download holds the same figures as the page it came
    from, even when opened the next day."""
    params = {
        "preset": CUSTOM,
        "start": insights_filter.start.isoformat(),
        "end": insights_filter.end.isoformat(),
    }
    if insights_filter.clinic:
        params["clinic"] = insights_filter.clinic.pk
    if insights_filter.treatment:
        params["treatment"] = insights_filter.treatment.pk
    if insights_filter.show_spam:
        params["show_spam"] = "on"
    return urlencode(params)


def page_cell(value) -> str:
    """A table cell as the page shows it: numbers as the charts write them."""
    if isinstance(value, date):
        return date_format(value, "j M Y")
    if isinstance(value, str):
        return value
    return value_text(value)


def download_cell(value) -> str:
    """A table cell as the CSV holds it: plain numbers and ISO dates a spreadsheet can sort,
    small numbers as "<5" like the page, and text that never runs as a formula."""
    if isinstance(value, date):
        return value.isoformat()
    return csv_cell(value)


@insights_permission_required
@require_GET
def insights_page(request):
    form = filter_form(request)
    figures = []
    insights_filter = None
    if form.is_valid():
        insights_filter = form.insights_filter()
        query = filter_query(insights_filter)
        figures = [
            {
                "figure": figure,
                "chart": chart_svg(figure),
                "rows": [[page_cell(value) for value in row] for row in figure.table.rows],
                "folded": len(figure.table.rows) > LONG_TABLE_ROWS,
                "csv_url": reverse("booking_insights:csv", args=[figure.slug]) + "?" + query,
            }
            for figure in insights_for(request.user, insights_filter)
        ]
    return render(
        request,
        "admin/booking/insights.html",
        {
            **admin.site.each_context(request),
            "title": "Insights",
            "is_nav_sidebar_enabled": False,
            "form": form,
            "insights_filter": insights_filter,
            "figures": figures,
        },
    )


@insights_permission_required
@require_GET
def insights_csv(request, slug):
    form = filter_form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "These filters are not valid. Open the Insights page, choose them again and "
            "download from there.",
            content_type="text/plain; charset=utf-8",
        )
    insights_filter = form.insights_filter()
    try:
        figure = figure_for(request.user, insights_filter, slug)
    except KeyError:
        raise Http404("No such figure.") from None
    filename = f"insights-{slug}-{insights_filter.start}-to-{insights_filter.end}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark so Excel reads names like "Zoë" as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(column) for column in figure.table.columns])
    writer.writerows([download_cell(value) for value in row] for row in figure.table.rows)
    return response


app_name = "booking_insights"

urlpatterns = [
    path("", admin.site.admin_view(insights_page), name="page"),
    path("<slug:slug>.csv", admin.site.admin_view(insights_csv), name="csv"),
]
