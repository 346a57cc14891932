"""
/healthz for load balancers and uptime checks: 200 "ok" when this process can reach the
database and the cache, 503 "unavailable" when it can't. No details in the answer (which
service failed is logged, not shown): the endpoint is public.

It is a middleware placed first, not a view, so a health check has no side effects and
nothing can get in its way: it answers before the host check (load balancers probe by IP
address, which isn't in ALLOWED_HOSTS), before the HTTPS redirect (they probe over plain
HTTP inside the private network), before sessions, CSRF, the page cache and django-axes.
"""

import logging
import secrets

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTH_PATHS = {"/healthz", "/healthz/"}


def database_reachable() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.warning("Health check: database unreachable (%s)", error.__class__.__name__)
        return False
    return True


def cache_reachable() -> bool:
    # A fresh key and value per check: a stale or shared value can't pass for a working cache.
    key = f"healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        reachable = cache.get(key) == value
        cache.delete(key)
    except Exception as error:
        logger.warning("Health check: cache unreachable (%s)", error.__class__.__name__)
        return False
    if not reachable:
        logger.warning("Health check: cache did not return what was stored")
    return reachable


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in HEALTH_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse("method not allowed\n", status=405)
            response["Allow"] = "GET, HEAD"
        else:
            # Both checks run every time, so the log says everything that is down.
            database_ok = database_reachable()
            cache_ok = cache_reachable()
            healthy = database_ok and cache_ok
            response = HttpResponse(
                "ok\n" if healthy else "unavailable\n", status=200 if healthy else 503
            )
            if request.method == "HEAD":
                response.content = b""
        response["Content-Type"] = "text/plain; charset=utf-8"
        # Never stored by a proxy or CDN: a cached "ok" would hide an outage.
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
