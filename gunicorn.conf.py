"""
gunicorn settings, read from the environment (docs/deployment.md).

    gunicorn clinic_site.wsgi --config gunicorn.conf.py --bind 0.0.0.0:$PORT
"""

import os
from pathlib import Path


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# --bind on the command line (Procfile, scripts/serve) wins over this.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Processes per server. WEB_CONCURRENCY is the name most platforms set from the machine's
# size; (2 x cores) is a good start. GUNICORN_THREADS > 1 switches to the threaded worker,
# which helps when requests wait on the database or email rather than the CPU.
workers = env_int("WEB_CONCURRENCY", 2)
threads = env_int("GUNICORN_THREADS", 1)

# A request running longer than this is killed and its worker replaced (the database
# gives up connecting after DATABASE_CONNECT_TIMEOUT, well inside it).
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On a deploy or restart, requests in flight get this long to finish.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Seconds an idle keep-alive connection is held (threaded worker only). Behind a load
# balancer set it above the balancer's idle timeout (AWS ALB: 60), or it may get 502s.
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after about this many requests: bounds any slow memory growth. Kept
# high: a new worker spends CPU importing Django and compiling templates and starts with an
# empty page cache, and under a traffic spike a low limit replaces workers every few seconds
# (docs/performance.md).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = max(1, max_requests // 10)

# The addresses allowed to tell gunicorn the original scheme (X-Forwarded-Proto): your load
# balancer's, or its private network ("10.0.0.0/8"). gunicorn's default is local only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Worker heartbeats in memory, not on a container's possibly slow overlay disk (gunicorn's
# documented advice; the files hold only a timestamp).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - not a temporary file of ours
if Path(SHARED_MEMORY).is_dir():
    worker_tmp_dir = SHARED_MEMORY

# gunicorn 27 otherwise opens one control socket path shared by every instance on the machine.
control_socket_disable = True
proc_name = "clinic_site"

# Logs: one JSON object per line on stdout, like Django's (clinic_site/log_format.py).
# The access line has method, path, status, bytes and time only: no query string (it can
# carry personal data), no client address (personal data, and behind a load balancer only
# the balancer's), no referrer or user agent. The filter below also replaces the signed part
# of a confirmation link's path with "<redacted>" (clinic_site/logging_filters.py).
accesslog = "-"
errorlog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json_line": {"()": "clinic_site.log_format.JSONLineFormatter"}},
    # The same masking of emails, phone numbers and signed links as every Django log handler.
    "filters": {"redact_personal_data": {"()": "clinic_site.logging_filters.RedactPersonalData"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json_line",
            "filters": ["redact_personal_data"],
        },
    },
    # Not propagated: Django's root handler would write every line a second time.
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
    "root": {"level": "WARNING", "handlers": []},
}
