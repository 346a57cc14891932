"""
Uploaded images are served apart from static files: renditions only, cached for a year (their
names hold a hash of their content), 404 for anything else; and the storage, its address and
the Content-Security-Policy follow the configuration.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from tests.factories import image_upload, make_image
from tests.pages.test_settings import start_django

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_rendition_is_served_with_far_future_caching(client):
    image = make_image()
    name = image.rendition_name(640, "webp")

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    with default_storage.open(name) as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extension", "content_type"), [("jpg", "image/jpeg"), ("png", "image/png")]
)
def test_fallback_renditions_are_served_with_their_type(client, extension, content_type):
    mode, image_format = ("RGBA", "PNG") if extension == "png" else ("RGB", "JPEG")
    image = make_image(upload=image_upload(image_format=image_format, mode=mode))

    response = client.head(f"/media/{image.rendition_name(320, extension)}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type


@pytest.mark.django_db
def test_only_existing_renditions_are_served(client, settings):
    image = make_image()
    secret = Path(settings.MEDIA_ROOT) / "images" / "notes.txt"
    secret.write_text("not for the public")
    other = f"images/{'0' * 16}/320.webp"

    paths = [
        image.master_name(),  # the full-size copy is kept, never served
        other,  # a rendition that was never made
        f"images/{image.content_hash}/321.webp",
        f"images/{image.content_hash.upper()}/320.webp",
        "images/notes.txt",
        f"images/{image.content_hash}/../notes.txt",
        f"images/{image.content_hash}/%2e%2e/%2e%2e/clinic_site/settings.py",
        "../clinic_site/settings.py",
        "%2e%2e/%2e%2e/etc/passwd",
        "images/..%2f..%2fsettings.py",
        f"/{settings.MEDIA_ROOT}/images/notes.txt",
    ]
    for path in paths:
        response = client.get(f"/media/{path}")
        assert response.status_code == 404, path
        assert b"not for the public" not in response.content


@pytest.mark.django_db
def test_media_answers_only_get_and_head(client):
    image = make_image()

    response = client.post(f"/media/{image.rendition_name(320, 'webp')}")

    assert response.status_code == 405


def test_media_lives_apart_from_static_files():
    media = Path(settings.MEDIA_ROOT)
    static = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]

    assert settings.MEDIA_URL == "/media/"
    assert settings.STATIC_URL == "/static/"
    assert not any(
        media.is_relative_to(folder) or folder.is_relative_to(media) for folder in static
    )


# --- Configuration (a fresh Python each: the settings are read at start-up) -------------------


def settings_of(tmp_path, code, **env_changes):
    return start_django(tmp_path, code, DJANGO_SECRET_KEY="test-only-not-secret", **env_changes)


@pytest.mark.slow
def test_by_default_media_is_on_this_servers_disk_with_images_from_self_only(tmp_path):
    result = settings_of(
        tmp_path,
        "from django.conf import settings as s; "
        "print(s.MEDIA_ROOT, s.MEDIA_URL, s.SECURE_CSP['img-src'])",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 2) == [
        str(ROOT / "media"),
        "/media/",
        "[<CSP.SELF: \"'self'\">, 'data:']\n",
    ]


@pytest.mark.slow
def test_any_storage_backend_and_media_host_can_be_configured(tmp_path):
    """As for S3-compatible object storage (docs/deployment.md), with a storage in Django."""
    result = settings_of(
        tmp_path,
        "from django.core.files.storage import storages; "
        "from django.conf import settings as s; "
        "d = storages['default']; "
        "print(type(d).__name__, d.base_url, s.SECURE_CSP['img-src'][-1])",
        DJANGO_MEDIA_STORAGE="django.core.files.storage.InMemoryStorage",
        DJANGO_MEDIA_STORAGE_OPTIONS='{"base_url": "https://media.example.com/site/"}',
        DJANGO_MEDIA_URL="https://media.example.com/site/",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "InMemoryStorage",
        "https://media.example.com/site/",
        "https://media.example.com",
    ]


@pytest.mark.slow
def test_storage_options_that_are_not_json_stop_the_server(tmp_path):
    result = settings_of(tmp_path, "print('started')", DJANGO_MEDIA_STORAGE_OPTIONS="{bucket: x}")

    assert result.returncode != 0
    assert "DJANGO_MEDIA_STORAGE_OPTIONS is not JSON" in result.stderr
    assert "started" not in result.stdout
