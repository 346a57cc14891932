from django.conf import settings
from django.core.exceptions import DisallowedHost


def absolute_url(request, path):
    """
    `path` as an absolute URL on the host the visitor used. A request whose Host header is
    not allowed gets the configured SITE_URL instead, so the 400 page it is shown (which
    uses the normal layout) can still be rendered.
    """
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return settings.SITE_URL + path
