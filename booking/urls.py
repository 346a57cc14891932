from django.urls import path

from booking import appointment_views, views

app_name = "booking"

urlpatterns = [
    path("", views.request_form, name="request_form"),
    path("thank-you/<str:signed_reference>/", views.confirmation, name="confirmation"),
    path(
        "appointment/<str:token>/",
        appointment_views.appointment_change,
        name="appointment_change",
    ),
    path(
        "appointment/<str:token>/sent/",
        appointment_views.appointment_change_sent,
        name="appointment_change_sent",
    ),
]
