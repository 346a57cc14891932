"""Patients' data rights pages, mounted under the admin path (see clinic_site/urls.py)."""

from django.contrib import admin
from django.urls import path

from booking import rights

app_name = "booking_rights"

# admin_view: staff login (and two-factor when required), CSRF and never-cache, as in the admin.
urlpatterns = [
    path("", admin.site.admin_view(rights.search), name="search"),
    path("export/", admin.site.admin_view(rights.export), name="export"),
    path("erase/", admin.site.admin_view(rights.erase), name="erase"),
]
