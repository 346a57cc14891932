"""
`make bench-cpu`: what each page and a booking cost in CPU time, measured in one process.

`make bench` measures what a client sees, and on a shared 2-core machine that moves with
whatever else the machine is doing (10-20 points between runs). This measures only what our
code costs: every request goes through Django's WSGI handler inside this process (no gunicorn,
no network, no wrk), with the same production settings and seed content as `make bench`, on a
throwaway SQLite database, and the process's CPU time (time.process_time) is divided by the
number of requests. Other programs still slow it (they share the CPU and its caches), so each
row reports its fastest round, the one least disturbed; on a busy machine compare two
versions of the code by running each a few times, alternately, and reading the lowest.
`make bench` is where the targets are judged.

    .venv/bin/python bench/cpu.py                  # what `make bench-cpu` runs
    .venv/bin/python bench/cpu.py --requests 50    # a quick look

It prints milliseconds of CPU per request (the fastest round's) for the static file,
robots.txt, each page from the page cache and with it off, and a booking POST (each one a
new, accepted submission), and writes the same as JSON under bench/results/.
"""

# The subprocesses are this script and manage.py, with arguments built here.
# ruff: noqa: S603

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from server import PYTHON, ROOT, Response, fail, manage, production_env
from summary import write_results
from visitor import PAGES, book, booking_visit, discover_paths

WARM_UP = 20


class InProcessServer:
    """Answers bench/run.py's requests with this process's Django, as gunicorn would."""

    def __init__(self):
        from django.core.wsgi import get_wsgi_application
        from django.test import RequestFactory

        self.app = get_wsgi_application()
        self.factory = RequestFactory()
        self.origin = "http://127.0.0.1"

    def environ(self, method, path, headers, body):
        meta = {"HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80"}
        content_type = "application/octet-stream"
        for name, value in headers.items():
            if name.lower() == "content-type":
                content_type = value
            else:
                meta["HTTP_" + name.upper().replace("-", "_")] = value
        request = self.factory.generic(
            method, path, data=body or "", content_type=content_type, **meta
        )
        return request.environ

    def request(self, method, path, headers, body):
        started = []

        def start_response(status, response_headers, exc_info=None):
            started.append((status, response_headers))

        result = self.app(self.environ(method, path, headers, body), start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, response_headers = started[0]
        message = http.client.HTTPMessage()
        for name, value in response_headers:
            message[name] = value
        return Response(int(status.split()[0]), message, content)


def cpu_ms_per_request(send, requests, rounds):
    """CPU milliseconds per call of `send()` in the fastest of `rounds` rounds."""
    per_round = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            send()
        per_round.append((time.process_time() - started) * 1000 / requests)
    return min(per_round)


def measure_get(server, path, requests, rounds):
    def send():
        return server.request("GET", path, {"Accept": "text/html"}, None)

    if send().status != 200:
        fail(f"GET {path} did not answer 200")
    for _ in range(WARM_UP):
        send()
    return cpu_ms_per_request(send, requests, rounds)


def measure_post(server, requests, rounds):
    """Bookings, each a new visitor's accepted submission; their forms are fetched first."""
    visits = iter([booking_visit(server, number) for number in range(WARM_UP + requests * rounds)])

    def send():
        book(server, *next(visits))

    for _ in range(WARM_UP):
        send()
    return cpu_ms_per_request(send, requests, rounds)


def measure(mode, requests, rounds):
    """In a child process whose environment holds the settings: print one JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings")
    import django

    django.setup()
    server = InProcessServer()
    paths = discover_paths(server)
    rows = {}
    if mode == "cached":
        rows["static CSS (whitenoise)"] = measure_get(server, paths["static"], requests, rounds)
        rows["robots.txt (Django floor)"] = measure_get(server, "/robots.txt", requests, rounds)
    for label, key in PAGES:
        rows[label] = measure_get(server, paths[key], requests, rounds)
    if mode == "cached":
        rows["booking POST"] = measure_post(server, requests, rounds)
    print(json.dumps(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per row per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", choices=["cached", "uncached"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.requests, args.rounds)
        return

    with tempfile.TemporaryDirectory(prefix="clinic-bench-cpu-") as directory:
        env = {
            **production_env(),
            "DATABASE_URL": f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
        }
        print("== collectstatic, migrate, seed_content (throwaway SQLite database)")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_content")
        results = {}
        for mode, cache_seconds in (("cached", "600"), ("uncached", "0")):
            print(f"== {mode}: {args.rounds} rounds of {args.requests} requests per row")
            output = subprocess.run(
                [str(PYTHON), __file__, "--measure", mode, *_passed_on(args)],
                cwd=ROOT,
                env={**env, "PAGE_CACHE_SECONDS": cache_seconds},
                capture_output=True,
                text=True,
            )
            if output.returncode != 0:
                fail(f"measuring {mode} failed:\n{output.stderr[-3000:]}")
            results[mode] = json.loads(output.stdout.strip().splitlines()[-1])

    print_table(results)
    write_results(
        "cpu",
        {
            "requests_per_round": args.requests,
            "rounds": args.rounds,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "ms_per_request": results,
        },
    )


def _passed_on(args):
    return ["--requests", str(args.requests), "--rounds", str(args.rounds)]


def print_table(results):
    cached, uncached = results["cached"], results["uncached"]
    print("\nCPU per request, in-process, ms (the fastest round)")
    print(f"{'':30s}{'cached':>10s}{'uncached':>10s}")
    print("-" * 50)
    for label, ms in cached.items():
        other = f"{uncached[label]:10.2f}" if label in uncached else f"{'':>10s}"
        print(f"{label:30s}{ms:10.2f}{other}")


if __name__ == "__main__":
    sys.exit(main())
