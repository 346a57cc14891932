"""
`make bench`: how fast the site is under load, measured as issue 8 asks.

It serves the site with gunicorn and production settings on a throwaway database, then
measures it with wrk (16 connections, 2 threads) in interleaved rounds, so a busy moment on
the machine spreads over every row instead of spoiling one:

- the reference: a static CSS file served by whitenoise on the same gunicorn;
- the content pages (home, the milia article, the treatment list, a clinic page) and /book/,
  each from the page cache and with the page cache off (PAGE_CACHE_SECONDS=0, a second
  gunicorn on the same database);
- a booking POST where every request is a real, accepted submission (bench/post.lua).

It prints one table (requests/s as the median of the rounds, p50, p99, the ratio to the
static reference, errors, targets) and the milia article's page weight, and writes the same
as JSON under bench/results/ (git-ignored).

SQLite in a temporary directory always; PostgreSQL + Redis as well when DATABASE_URL and
REDIS_URL are set in the environment (a separate `<name>_bench` database is created and
dropped; your own database is not touched).

    .venv/bin/python bench/run.py                  # what `make bench` runs
    .venv/bin/python bench/run.py --duration 2 --rounds 1   # a quick look
    .venv/bin/python bench/run.py --only sqlite

Never point it at anything but 127.0.0.1: it is a load test.
"""

# Every subprocess here is one of our own fixed commands (manage.py, gunicorn, wrk) with
# arguments the script builds itself: nothing comes from untrusted input.
# ruff: noqa: S603

import argparse
import gzip
import html
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
WRK = shutil.which("wrk") or "wrk"
HOST = "127.0.0.1"
BROWSER_ENCODINGS = "br, gzip"

# Targets from issue 8 (benchmark targets, not tests).
CACHED_RATIO = 0.85
CACHED_P99_MS = 20
UNCACHED_RATIO = 0.15
POST_RATIO = 0.10
POST_P99_MS = 100
PAGE_WEIGHT_KB = 50

# The pages measured (row label, key in discover_paths()), cached and uncached.
PAGES = [
    ("home", "home"),
    ("milia article", "article"),
    ("treatment list", "treatments"),
    ("clinic page", "clinic"),
    ("/book/ GET", "book"),
]


# --- Running things --------------------------------------------------------------------------


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
class Server:
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


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def get(server, path, headers=None, method="GET", body=None):
    """One request to `server`: a gunicorn here, or the in-process handler of bench/cpu.py."""
    return server.request(method, path, headers or {}, body)


# --- wrk ---------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    kind: str  # "static", "cached", "uncached", "post"
    server: Server
    path: str


def run_wrk(row, args, duration, pool_path=None):
    script = "post.lua" if row.kind == "post" else "report.lua"
    env = {**os.environ, "BENCH_LUA_DIR": str(BENCH_DIR), "BENCH_THREADS": str(args.threads)}
    if pool_path:
        env.update(
            BENCH_POST_POOL=str(pool_path),
            BENCH_ORIGIN=row.server.origin,
            BENCH_ACCEPTED_PREFIX=str(pool_path.parent / "accepted-"),
        )
    command = [
        WRK,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-H",
        f"Accept-Encoding: {BROWSER_ENCODINGS}",
        "-s",
        str(BENCH_DIR / script),
        row.server.origin + row.path,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH_JSON (\{.*\})$", output, re.MULTILINE)
    if not match:
        fail(f"no result from wrk for {row.name}:\n{output}")
    result = json.loads(match[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- Booking POSTs: a pool of first-time visitors' forms ------------------------------------


INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
SELECT = re.compile(r'<select\b[^>]*\bname="([^"]+)"[^>]*>(.*?)</select>', re.DOTALL)
OPTION_VALUE = re.compile(r'<option\b[^>]*\bvalue="([^"]+)"')


def booking_visit(server, number, form_path="/book/"):
    """Load the booking form as a new visitor: (Cookie header, urlencoded body of a good POST)."""
    response = get(server, form_path, {"Accept": "text/html"})
    if response.status != 200:
        raise RuntimeError(f"GET {form_path} answered {response.status}")
    cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
    page = response.body.decode()  # /book/ has one form: the booking form
    fields = {}
    for tag in INPUT.findall(page):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    for name, options in SELECT.findall(page):
        values = OPTION_VALUE.findall(options)
        fields[name] = values[0] if values else ""
    fields.update(
        full_name=f"Bench Patient {number}",
        email=f"bench{number}@example.com",
        phone="020 7386 0464",
        contact_method="phone",
        recent_change="no",
        message="Load test: please ignore.",
        consent="on",
        confirmed_adult="on",
        website="",  # the honeypot, empty as a person leaves it
    )
    return "; ".join(cookies), urlencode(fields)


def harvest(server, count, start, pool_path):
    with ThreadPoolExecutor(max_workers=8) as executor:
        visits = list(executor.map(lambda n: booking_visit(server, n), range(start, start + count)))
    pool_path.write_text("".join(f"{cookie}\t{body}\n" for cookie, body in visits))
    return start + count


def preflight_post(server):
    """One booking by hand: the POST the bench repeats must be accepted, or nothing counts."""
    return book(server, *booking_visit(server, 0))


def book(server, cookie, body):
    """POST one visitor's booking form; its confirmation address, or stop if not accepted."""
    headers = {
        "Cookie": cookie,
        "Origin": server.origin,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    response = get(server, "/book/", headers, method="POST", body=body)
    location = response.headers.get("Location", "")
    if response.status != 302 or "/book/thank-you/" not in location:
        snippet = re.sub(r"\s+", " ", response.body.decode(errors="replace"))[:800]
        fail(f"a booking POST was not accepted ({response.status} {location}): {snippet}")
    return location


# --- Pages to measure ------------------------------------------------------------------------


def first_link(server, path, pattern):
    page = get(server, path).body.decode()
    match = re.search(pattern, page)
    if not match:
        fail(f"no link matching {pattern} on {path}")
    return match[1]


def discover_paths(server):
    article_list = get(server, "/skin-advice/").body.decode()
    milia = re.search(r'href="(/skin-advice/[^"]*milia[^"]*/)"', article_list)
    if not milia:
        fail("the milia article is not on /skin-advice/ (did seed_content run?)")
    article = milia[1]
    page = get(server, article).body.decode()
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    return {
        "static": stylesheet[1],
        "home": "/",
        "article": article,
        "treatments": "/treatments/",
        "clinic": first_link(server, "/clinics/", r'href="(/clinics/[^"/]+/)"'),
        "book": "/book/",
    }


# --- Page weight -----------------------------------------------------------------------------


def page_weight(server, path):
    """What a first visit to `path` downloads, as served (compressed where it is)."""
    headers = {"Accept-Encoding": BROWSER_ENCODINGS, "Accept": "text/html"}
    page = get(server, path, headers)
    text = page.body.decode()
    items = [("HTML", path, len(page.body), page.headers.get("Content-Encoding") or "none")]
    assets = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', text)
    assets += re.findall(r'<(?:img|script)\b[^>]*\bsrc="([^"]+)"', text)
    for url in dict.fromkeys(assets):
        if url.startswith(("http:", "https:", "//")):
            fail(f"{path} loads {url} from another site")
        asset = get(server, url, headers)
        encoding = asset.headers.get("Content-Encoding") or "none"
        items.append(
            (
                "asset",
                url,
                len(asset.body),
                f"{encoding}, {asset.headers.get('Cache-Control', 'no Cache-Control')}",
            )
        )
    total = sum(size for _kind, _url, size, _note in items)
    return {
        "path": path,
        "items": [
            {"kind": kind, "url": url, "bytes": size, "note": note}
            for kind, url, size, note in items
        ],
        "total_bytes": total,
        "html_gzip_bytes": len(gzip.compress(page.body)),
        "images_without_size_or_lazy": [
            tag
            for tag in re.findall(r"<img\b[^>]*>", text)
            if not all(attribute in tag for attribute in ("width=", "height="))
        ],
    }


# --- Configurations --------------------------------------------------------------------------


@dataclass
class Config:
    name: str
    env: dict
    cleanup: list = field(default_factory=list)


def sqlite_config(base_env, workdir):
    database = workdir / "bench.sqlite3"
    return Config("SQLite", {**base_env, "DATABASE_URL": f"sqlite:///{database}"})


def postgres_config(base_env, url, redis_url):
    import psycopg

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
    import sqlite3

    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]


# --- The run ---------------------------------------------------------------------------------


def bench_config(config, args, workdir):
    print(f"\n== {config.name}: migrate, seed_content, start gunicorn")
    manage(config.env, "migrate", "--noinput", "-v", "0")
    manage(config.env, "seed_content")
    slug = re.sub(r"\W+", "-", config.name.lower())
    cached = Server(
        "cached", {**config.env, "PAGE_CACHE_SECONDS": "600"}, workdir / f"{slug}-cached.log"
    )
    uncached = Server(
        "uncached", {**config.env, "PAGE_CACHE_SECONDS": "0"}, workdir / f"{slug}-uncached.log"
    )
    servers = [cached, uncached]
    try:
        for server in servers:
            server.start(args.workers)
        paths = discover_paths(cached)
        rows = [
            Row("static CSS (whitenoise)", "static", cached, paths["static"]),
            # No target: the cheapest response a Django view can give through this site's
            # middleware stack, so the table shows what a cache hit can't go below.
            Row("robots.txt (Django floor)", "floor", cached, "/robots.txt"),
        ]
        for label, key in PAGES:
            rows.append(Row(f"{label}, cached", "cached", cached, paths[key]))
            rows.append(Row(f"{label}, uncached", "uncached", uncached, paths[key]))
        rows.append(Row("booking POST", "post", cached, "/book/"))
        if args.rows:
            wanted = [word.strip().lower() for word in args.rows.split(",") if word.strip()]
            rows = [rows[0]] + [r for r in rows[1:] if any(w in r.name.lower() for w in wanted)]

        for row in rows:
            if row.kind != "post":
                status = get(row.server, row.path).status
                if status != 200:
                    fail(f"{row.name}: {row.path} answered {status}")
        # Each worker has its own cache in memory (without Redis): ask a few times.
        cache_states = {
            row.name: sorted(
                {get(row.server, row.path).headers.get("X-Page-Cache", "-") for _ in range(4)}
            )
            for row in rows
            if row.kind in ("cached", "uncached")
        }
        accepted_locations = [preflight_post(cached)]
        accepted_total = 1
        visitor_number = 1
        pool = workdir / "post-pool.txt"
        for old_file in workdir.glob("accepted-*"):
            old_file.unlink()

        print(f"== {config.name}: warm-up ({len(rows)} rows)")
        post_rate = None
        for row in rows:
            if row.kind == "post":
                visitor_number = harvest(cached, 2500, visitor_number, pool)
                result = run_wrk(row, args, 1, pool)
                accepted_total += result["accepted"]
                post_rate = result["rps"]
            else:
                run_wrk(row, args, 1)

        results = {row.name: [] for row in rows}
        for round_number in range(1, args.rounds + 1):
            print(f"== {config.name}: round {round_number} of {args.rounds}")
            for row in rows:
                if row.kind == "post":
                    # Twice the fastest rate seen, and never fewer than 600 a second: a
                    # token sent twice is a duplicate (rightly answered with the first
                    # request's confirmation), not a new booking.
                    needed = int(max(post_rate, 600) * args.duration * 2) + 500
                    visitor_number = harvest(cached, needed, visitor_number, pool)
                    result = run_wrk(row, args, args.duration, pool)
                    accepted_total += result["accepted"]
                    post_rate = max(post_rate, result["rps"])
                else:
                    result = run_wrk(row, args, args.duration)
                results[row.name].append(result)
                print(
                    f"   {row.name:<28} {result['rps']:8.0f} req/s"
                    f"  p99 {result['p99_us'] / 1000:6.1f} ms"
                )

        for accepted_file in workdir.glob("accepted-*"):
            accepted_locations += accepted_file.read_text().split()
        accepted, accepted_stored, stored, spam = check_stored(config.env, accepted_locations)
        summary = {
            "config": config.name,
            "paths": paths,
            "cache_state_on_second_request": cache_states,
            "rows": summarise(rows, results),
            "posts": {
                "accepted_responses": accepted_total,
                "accepted_references": accepted,
                "accepted_and_stored": accepted_stored,
                "stored_rows": stored,
                # Sent, and stored, but wrk stopped before the answer arrived: at most one
                # per connection per POST run.
                "stored_without_answer_seen": stored - accepted_stored,
                "stored_as_spam": spam,
                "gunicorn_worker_boots": sum(s.log_count("Booting worker") for s in servers),
                # Production's GUNICORN_MAX_REQUESTS at work: a long run can pass it.
                "gunicorn_workers_replaced_after_max_requests": sum(
                    s.log_count("Autorestarting worker") for s in servers
                ),
                "database_is_locked_in_logs": sum(
                    s.log_count("database is locked") for s in servers
                ),
                "tracebacks_in_logs": sum(s.log_count("Traceback") for s in servers),
            },
            "page_weight": page_weight(cached, paths["article"]),
        }
        # The POST target also needs every accepted POST stored, once, and no "database is
        # locked" anywhere.
        for item in summary["rows"]:
            if item["kind"] == "post":
                item["met"] = (
                    item["met"]
                    and accepted_total == accepted == accepted_stored
                    and summary["posts"]["database_is_locked_in_logs"] == 0
                )
        if "sqlite" in config.env["DATABASE_URL"]:
            summary["posts"]["sqlite_journal_mode"] = sqlite_journal_mode(
                config.env["DATABASE_URL"]
            )
        return summary
    finally:
        for server in servers:
            server.stop()


def summarise(rows, results):
    static_rps = statistics.median(r["rps"] for r in results[rows[0].name])
    summary = []
    for row in rows:
        rounds = results[row.name]
        rps = statistics.median(r["rps"] for r in rounds)
        p50 = statistics.median(r["p50_us"] for r in rounds) / 1000
        p99 = statistics.median(r["p99_us"] for r in rounds) / 1000
        errors = sum(r["non_2xx_3xx"] + r["socket_errors"] + r["timeouts"] for r in rounds)
        item = {
            "name": row.name,
            "kind": row.kind,
            "path": row.path,
            "rps": round(rps, 1),
            "ratio": round(rps / static_rps, 3),
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "errors": errors,
            "rounds": rounds,
        }
        if row.kind == "post":
            item["rejected"] = sum(r["rejected"] for r in rounds)
            item["reused_tokens"] = sum(r["reused"] for r in rounds)
            item["errors"] += item["rejected"] + item["reused_tokens"]
        item["target"], item["met"] = target_for(item)
        summary.append(item)
    return summary


def target_for(item):
    ratio, p99, errors = item["ratio"], item["p99_ms"], item["errors"]
    if item["kind"] == "cached":
        return (
            f">= {CACHED_RATIO:.0%}, p99 <= {CACHED_P99_MS} ms",
            ratio >= CACHED_RATIO and p99 <= CACHED_P99_MS and errors == 0,
        )
    if item["kind"] == "uncached":
        return f">= {UNCACHED_RATIO:.0%}", ratio >= UNCACHED_RATIO and errors == 0
    if item["kind"] == "post":
        return (
            f">= {POST_RATIO:.0%}, p99 <= {POST_P99_MS} ms, 0 errors",
            ratio >= POST_RATIO and p99 <= POST_P99_MS and errors == 0,
        )
    if item["kind"] == "floor":
        return "(no target)", errors == 0
    return "reference", errors == 0


def print_summary(summary):
    print(f"\n{summary['config']}")
    header = (
        f"{'':<28} {'req/s':>8} {'vs static':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}  target"
    )
    print(header)
    print("-" * len(header) + "-" * 30)
    for item in summary["rows"]:
        mark = "ok" if item["met"] else "MISSED"
        print(
            f"{item['name']:<28} {item['rps']:>8.0f} {item['ratio']:>9.1%} "
            f"{item['p50_ms']:>7.2f} {item['p99_ms']:>7.2f} {item['errors']:>6}  "
            f"{item['target']} {mark}"
        )
    posts = summary["posts"]
    every_one = (
        posts["accepted_and_stored"] == posts["accepted_references"] == posts["accepted_responses"]
    )
    print(
        f"\nBooking POSTs: {posts['accepted_responses']} accepted "
        f"({posts['accepted_references']} different requests), "
        f"{posts['accepted_and_stored']} of them found stored "
        f"({'every one, once' if every_one else 'NOT EVERY ONE, OR DUPLICATES'}); "
        f"{posts['stored_rows']} rows in all "
        f"({posts['stored_without_answer_seen']} in flight when wrk stopped, "
        f"{posts['stored_as_spam']} flagged as spam); "
        f"'database is locked' in the logs: {posts['database_is_locked_in_logs']}; "
        f"tracebacks: {posts['tracebacks_in_logs']}; "
        f"gunicorn worker boots: {posts['gunicorn_worker_boots']} "
        f"({posts['gunicorn_workers_replaced_after_max_requests']} of them replacing a worker "
        "that reached GUNICORN_MAX_REQUESTS)"
        + (
            f"; SQLite journal mode: {posts['sqlite_journal_mode']}"
            if "sqlite_journal_mode" in posts
            else ""
        )
    )
    post_row = next((item for item in summary["rows"] if item["kind"] == "post"), None)
    if post_row and post_row["reused_tokens"]:
        print(
            f"WARNING: the token pool ran out {post_row['reused_tokens']} times, so some POSTs "
            "resent a used form token (counted as errors)"
        )
    weight = summary["page_weight"]
    print(f"\nPage weight, first visit to {weight['path']} (as served):")
    for item in weight["items"]:
        print(f"  {item['bytes'] / 1024:6.1f} KB  {item['url']}  ({item['note']})")
    total_kb = weight["total_bytes"] / 1024
    verdict = "ok" if total_kb <= PAGE_WEIGHT_KB else "MISSED"
    print(f"  {total_kb:6.1f} KB  total (target <= {PAGE_WEIGHT_KB} KB) {verdict}")
    print(f"  (the HTML would be {weight['html_gzip_bytes'] / 1024:.1f} KB gzipped by a proxy)")
    if weight["images_without_size_or_lazy"]:
        print(f"  images without width/height: {weight['images_without_size_or_lazy']}")


def machine():
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = match[1] if match else cpu
    wrk_version = subprocess.run([WRK, "--version"], capture_output=True, text=True).stdout
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wrk": wrk_version.splitlines()[0] if wrk_version else "",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per row per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one configuration")
    parser.add_argument(
        "--rows",
        help="only rows whose name contains one of these comma-separated words "
        "(the static reference always runs), e.g. --rows article,POST",
    )
    args = parser.parse_args()

    if WRK == "wrk":  # not on the PATH
        fail("wrk is not installed: apt-get install -y wrk")
    if not GUNICORN.exists():
        fail(f"gunicorn not found at {GUNICORN}: run `make bench` (it installs the requirements)")

    info = machine()
    print(
        f"Machine: {info['cpu']}, {info['cores']} cores; load average "
        f"{' '.join(map(str, info['load_average_at_start']))}"
    )
    base_env = production_env()

    summaries = []
    with tempfile.TemporaryDirectory(prefix="clinic-bench-") as directory:
        workdir = Path(directory)
        configs = []
        if args.only != "postgres":
            configs.append(sqlite_config(base_env, workdir))
        database_url = os.environ.get("DATABASE_URL", "")
        if args.only != "sqlite" and database_url.startswith(("postgres://", "postgresql://")):
            configs.append(postgres_config(base_env, database_url, os.environ.get("REDIS_URL")))
        elif args.only == "postgres":
            fail("--only postgres needs DATABASE_URL=postgres://... (and REDIS_URL)")

        print("== collectstatic (hashed, gzip + brotli)")
        manage(configs[0].env, "collectstatic", "--noinput", "-v", "0")
        try:
            for config in configs:
                summaries.append(bench_config(config, args, workdir))
        finally:
            for config in configs:
                for cleanup in config.cleanup:
                    cleanup()

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    for summary in summaries:
        print_summary(summary)
    print(
        f"\nMachine: {info['cpu']}, {info['cores']} cores, Python {info['python']}, "
        f"Django {info['django']}; load average at start "
        f"{' '.join(map(str, info['load_average_at_start']))}, at end "
        f"{' '.join(map(str, info['load_average_at_end']))}"
    )
    write_results(
        "bench",
        {
            "machine": info,
            "settings": {
                "wrk_threads": args.threads,
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "gunicorn_workers": args.workers,
            },
            "configs": summaries,
        },
    )


def write_results(name, results):
    """bench/results/<name>-<UTC time>.json (git-ignored), with the time in it as "when"."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"{name}-{stamp}.json"
    out.write_text(json.dumps({"when": stamp, **results}, indent=2))
    print(f"Results: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
