"""The settings refuse to run a production server without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts a fresh Python in a subprocess.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def start_django(tmp_path, code="print('started')", **env_changes):
    """Import the settings in a fresh Python, as a server would, with no .env file read,
    then run `code` (Python) there."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in {"SITE_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic_site.settings",
        # No local .env, whatever the checkout has (make run writes one with a key in it).
        DJANGO_ENV_FILE="",
        PYTHONPATH=str(ROOT),
    )
    env.update(env_changes)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = start_django(tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_an_empty_secret_key_is_refused_too(tmp_path):
    result = start_django(tmp_path, DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_settings_start_with_a_secret_key(tmp_path):
    result = start_django(tmp_path, DJANGO_SECRET_KEY="a-real-secret-from-the-environment")

    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_debug_may_start_without_a_secret_key_for_local_development(tmp_path):
    result = start_django(tmp_path, DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr


def test_secret_key_can_come_from_the_env_file_make_run_writes(tmp_path):
    env_file = tmp_path / "local.env"
    env_file.write_text("# written by make run\nDJANGO_SECRET_KEY=from-the-env-file\n")

    result = start_django(tmp_path, DJANGO_ENV_FILE=str(env_file))

    assert result.returncode == 0, result.stderr
