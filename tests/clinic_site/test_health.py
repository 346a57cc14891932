"""/healthz: 200 "ok" when the database and cache answer, 503 with no details when not."""

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper

pytestmark = pytest.mark.django_db


def test_healthy_site_answers_200_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


def test_database_down_answers_503_without_details(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.1.2.3", port 5432 failed')

    monkeypatch.setattr(CursorWrapper, "execute", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "database unreachable (OperationalError)" in caplog.text


def test_cache_down_answers_503_without_details(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 10.1.2.4:6379. Connection refused.")

    monkeypatch.setattr(cache, "set", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "cache unreachable (ConnectionError)" in caplog.text


def test_unreachable_redis_answers_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"


def test_cache_that_loses_what_it_stores_is_unhealthy(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)
    assert client.get("/healthz").status_code == 503


def test_health_check_has_no_side_effects(client):
    response = client.get("/healthz")
    assert not response.cookies
    assert "Vary" not in response
    assert "Set-Cookie" not in response


def test_health_check_answers_load_balancers_probing_by_ip_over_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.3.17:8000")
    assert response.status_code == 200


def test_health_check_answers_head_and_refuses_post(client):
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""

    post = client.post("/healthz")
    assert post.status_code == 405
    assert post["Allow"] == "GET, HEAD"
