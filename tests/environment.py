"""Loaded with `-p` so it runs before pytest-django imports the settings module."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-used-anywhere-else")
# Tasks run in-process during tests, so enqueued emails are sent (to the locmem outbox).
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")
os.environ.setdefault("DJANGO_REQUIRE_2FA", "0")
