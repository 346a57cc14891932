"""
The databases `make bench` runs on, and what it reads back from them afterwards.

SQLite in the run's temporary directory always; PostgreSQL (+ Redis) as well when
DATABASE_URL (and REDIS_URL) are set: a separate `<name>_bench` database is created and
dropped, so the database DATABASE_URL names is never touched.
"""

# The subprocess is manage.py with arguments built here.
# ruff: noqa: S603

import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
from server import PYTHON, ROOT


@dataclass
class Config:
    """One configuration to measure: its label, its servers' environment, its clean-up."""

    name: str
    env: dict
    cleanup: list = field(default_factory=list)


def sqlite_config(base_env, workdir):
    database = workdir / "bench.sqlite3"
    return Config("SQLite", {**base_env, "DATABASE_URL": f"sqlite:///{database}"})


def postgres_config(base_env, url, redis_url):
    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "clinic") + "_bench"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    env = {**base_env, "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}
    label = "PostgreSQL"
    if redis_url:
        env["REDIS_URL"] = redis_url
        label += " + Redis"
    return Config(label, env, cleanup=[drop])


def check_stored(env, locations):
    """How many of the accepted bookings are stored rows; all rows; rows flagged as spam."""
    # A confirmation address is /book/thank-you/<reference>:<timestamp>:<signature>/.
    references = {
        unquote(location.rstrip("/").rsplit("/", 1)[1]).split(":")[0] for location in locations
    }
    code = (
        "import os; from booking.models import ConsultationRequest as R;"
        "refs = set(open(os.environ['BENCH_REFERENCES']).read().split());"
        "found = sum(R.objects.filter(reference__in=chunk).count() for chunk in"
        " [sorted(refs)[i:i + 500] for i in range(0, len(refs), 500)]);"
        "print(found, R.objects.count(), R.objects.exclude(spam_reason='').count())"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as file:
        file.write("\n".join(sorted(references)))
        file.flush()
        output = subprocess.run(
            [str(PYTHON), "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env={**env, "BENCH_REFERENCES": file.name},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    found, stored, spam = (int(value) for value in output[-3:])
    return len(references), found, stored, spam


def sqlite_journal_mode(database_url):
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
