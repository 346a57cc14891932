"""
The server `make bench` measures: gunicorn with production settings on 127.0.0.1, started
and stopped here, and the plain HTTP requests the bench sends it outside wrk.
"""

# Every subprocess here is one of our own fixed commands (manage.py, gunicorn) with
# arguments built here: nothing comes from untrusted input.
# ruff: noqa: S603

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
HOST = "127.0.0.1"


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def production_env():
    """The environment every measured server runs in: production settings, no database yet."""
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        # Production settings, and only what the bench sets: not the checkout's .env.
        "DJANGO_ENV_FILE": "",
        "DJANGO_SECRET_KEY": secret_key(),
        "DJANGO_DEBUG": "0",
        "DJANGO_REQUIRE_2FA": "0",
        "DJANGO_TASKS_BACKEND": "database",  # emails queued as rows; no worker needed
        "BOOKING_RATE_LIMIT": "off",  # one client sends thousands of bookings
        "BOOKING_MIN_SECONDS": "0",  # wrk submits faster than any person
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def secret_key():
    """The key in .env (what `make run` uses), or a throwaway one."""
    env_file = ROOT / ".env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            if line.strip().startswith("DJANGO_SECRET_KEY="):
                return line.split("=", 1)[1].strip()
    return secrets.token_urlsafe(50)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Server:
    """One gunicorn serving the site on a free local port, its output in `log_path`."""

    name: str
    env: dict
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def origin(self):
        return f"http://{HOST}:{self.port}"

    def start(self, workers):
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "clinic_site.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"{HOST}:{self.port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                fail(f"gunicorn ({self.name}) exited; see {self.log_path}")
            try:
                if get(self, "/robots.txt").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        fail(f"gunicorn ({self.name}) did not answer within 60 s; see {self.log_path}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_count(self, text):
        return self.log_path.read_text(errors="replace").count(text)

    def request(self, method, path, headers, body):
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


def get(server, path, headers=None, method="GET", body=None):
    """One request to `server`: a gunicorn here, or the in-process handler of bench/cpu.py."""
    return server.request(method, path, headers or {}, body)
