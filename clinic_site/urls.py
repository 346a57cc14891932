from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic_site.media import serve_media
from clinic_site.two_factor import TWO_FACTOR_PATH

admin.site.site_header = f"{settings.CLINIC_NAME} staff"
admin.site.site_title = settings.CLINIC_NAME
admin.site.index_title = "Consultation requests and site content"

urlpatterns = [
    # Patients' data rights (find, export, erase one person): admin pages, before the admin's
    # own catch-all.
    path(f"{settings.ADMIN_PATH}privacy/", include("booking.rights_urls")),
    # Figures for clinic managers (booking/admin/insights.py), also before the catch-all.
    path(f"{settings.ADMIN_PATH}insights/", include("booking.admin.insights")),
    # Staff two-factor sign-in (clinic_site/two_factor.py), before the admin's catch-all.
    path(settings.ADMIN_PATH + TWO_FACTOR_PATH, include("clinic_site.two_factor")),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("book/", include("booking.urls")),
]
if settings.MEDIA_URL.startswith("/"):
    # Uploaded images on this site's own disk (clinic_site/media.py); object storage serves
    # its own (an absolute MEDIA_URL).
    urlpatterns.append(path(settings.MEDIA_URL[1:] + "<path:path>", serve_media, name="media"))
urlpatterns.append(path("", include("pages.urls")))

# Django's default error views render our templates (400.html, 403.html, 404.html); the 500
# handler answers a database or Redis outage with the branded 503 page instead.
handler500 = "clinic_site.errors.server_error"
