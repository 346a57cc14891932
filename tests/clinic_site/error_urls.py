"""The site's URLs plus views that fail on purpose, for the error page tests."""

import redis.exceptions
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from clinic_site.urls import handler500
from clinic_site.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied("secret-internal-reason")


def broken(request):
    raise ValueError("SELECT secret FROM internal_table")


def database_gone(request):
    raise OperationalError('connection to server at "10.1.2.3", port 5432 failed')


def cache_gone(request):
    raise redis.exceptions.ConnectionError("Error 111 connecting to 10.1.2.4:6379.")


urlpatterns = [
    path("test-errors/cache-gone/", cache_gone),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/broken/", broken),
    path("test-errors/database-gone/", database_gone),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
