"""gunicorn settings, read from the environment (see the README's "Deploying" section)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# gunicorn 27 otherwise opens one control socket path shared by every instance on the machine.
control_socket_disable = True
accesslog = "-"
# No query strings in the access log: they can carry personal data.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
