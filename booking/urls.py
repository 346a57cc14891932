from django.urls import path

from booking import views

app_name = "booking"

urlpatterns = [
    path("", views.request_form, name="request_form"),
    path("thank-you/<str:signed_reference>/", views.confirmation, name="confirmation"),
]
