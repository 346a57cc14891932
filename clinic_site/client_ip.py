"""
The client's IP address, behind however many proxies we trust: one rule for the whole site
(django-axes' staff lockout and the booking rate limit use it; docs/security.md).

With `DJANGO_TRUSTED_PROXY_COUNT=N`, each of our N proxies appends the address it received
the request from to `X-Forwarded-For`, so the client is the N-th address from the right;
anything further left was written by the client and can be forged. With N=0 the header is
ignored and the TCP peer (`REMOTE_ADDR`) is the client.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxy_count = settings.TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < proxy_count:
        # The request did not come through all our proxies (a misconfiguration, or someone
        # reaching the app server directly): the peer address is the only one we can trust.
        return remote_addr
    return forwarded[-proxy_count]
