"""A real gunicorn serving the site with gunicorn.conf.py, for what only the server shows: the
outage page without a database, and the access log."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 - local URL
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@contextmanager
def gunicorn_without_database(tmp_path, *, secret_key=None):
    """
    gunicorn with one worker and a PostgreSQL server nobody answers (port 1: every connection
    is refused at once). Yields (base URL, path of the file its stdout and stderr go to) once
    it answers, and stops it afterwards.
    """
    port = free_port()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secret_key or secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/clinic",
        "WEB_CONCURRENCY": "1",
    }
    base_url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "clinic_site.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    fetch(f"{base_url}/healthz")
                    break
                except (ConnectionError, urllib.error.URLError):
                    assert server.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            yield base_url, log_path
        finally:
            server.terminate()
            server.wait(timeout=30)
