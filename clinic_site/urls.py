from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.CLINIC_NAME} staff"
admin.site.site_title = settings.CLINIC_NAME
admin.site.index_title = "Consultation requests and site content"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("book/", include("booking.urls")),
    path("", include("pages.urls")),
]
