"""Cache headers for every response under the admin path."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class AdminNeverCacheMiddleware:
    """
    Nothing from the staff admin is ever stored by a browser or proxy cache.

    Django's admin views already send `never_cache` headers, but a few (the password change
    pages, the JavaScript catalogue) are marked cacheable, and views added later may forget:
    this covers the whole admin path, whatever the view. (X-Robots-Tag for the admin is
    clinic_site.middleware.SecurityHeadersMiddleware's job.)
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_PATH

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefix):
            add_never_cache_headers(response)
        return response
