"""
`make bench`: how fast the site is under load.

It serves the site with gunicorn and production settings on a throwaway database, then
measures it with wrk in interleaved rounds (bench/load.py):

- the reference: a static CSS file served by whitenoise on the same gunicorn;
- robots.txt, the cheapest response through the site's middleware (no target);
- the content pages (home, the milia article, the treatment list, a clinic page) and /book/,
  each from the page cache and with the page cache off (PAGE_CACHE_SECONDS=0, a second
  gunicorn on the same database);
- a booking POST where every request is a real, accepted submission (bench/post.lua);
- the admin Insights page (last 12 months) for a signed-in clinic manager, after the database
  has been filled with --insights-count synthetic requests (bench/staff.py). The fill comes
  after the other rows are measured, so they run on the same small database as before and
  stay comparable from run to run.

It prints one table (requests/s as the median of the rounds, p50, p99, the ratio to the
static reference, errors, targets) and the milia article's page weight, and writes the same
as JSON under bench/results/ (git-ignored). SQLite always; PostgreSQL + Redis as well when
DATABASE_URL and REDIS_URL are set (bench/databases.py). docs/performance.md explains the
targets and how to read the table.

    .venv/bin/python bench/run.py                  # what `make bench` runs
    .venv/bin/python bench/run.py --duration 2 --rounds 1   # a quick look
    .venv/bin/python bench/run.py --only sqlite
    .venv/bin/python bench/run.py --rows insights --insights-count 5000 --duration 2 --rounds 1

Never point it at anything but 127.0.0.1: it is a load test.
"""

# The subprocess is `wrk --version`.
# ruff: noqa: S603

import argparse
import os
import platform
import re
import subprocess
import tempfile
from pathlib import Path

import django
from databases import check_stored, postgres_config, sqlite_config, sqlite_journal_mode
from load import WRK, Row, accepted_addresses, run_rounds
from server import GUNICORN, Server, fail, get, manage, production_env
from staff import check_insights_page, fill_requests, insights_path, signed_in_manager
from summary import judge_posts, post_checks, print_summary, summarise, write_results
from visitor import PAGES, discover_paths, page_weight, preflight_post

# A staff page: a couple of managers at a time, not a crowd. Each round is this many requests
# per wrk thread (a thread per connection), whatever --duration says: one can take seconds.
INSIGHTS_CONNECTIONS = 2
INSIGHTS_REQUESTS_PER_THREAD = 5


def bench_config(config, args, workdir):
    """Measure one configuration (database and cache): its part of the results."""
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
        paths["insights"] = insights_path(config.env)
        rows = bench_rows(cached, uncached, paths, args)
        insights_rows = [row for row in rows if row.kind == "insights"]
        page_rows = [row for row in rows if row.kind != "insights"]
        for row in page_rows:
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
        results, accepted_by_wrk = run_rounds(config.name, page_rows, args, workdir)
        accepted_locations += accepted_addresses(workdir)
        # Counted before the synthetic requests arrive.
        stored_counts = check_stored(config.env, accepted_locations)
        if insights_rows:
            results |= bench_insights(config, cached, insights_rows, args, workdir)
        summary = {
            "config": config.name,
            "paths": paths,
            "cache_state_on_second_request": cache_states,
            "rows": summarise(page_rows + insights_rows, results),
            "posts": post_checks(servers, 1 + accepted_by_wrk, stored_counts),
            "page_weight": page_weight(cached, paths["article"]),
        }
        judge_posts(summary)
        if "sqlite" in config.env["DATABASE_URL"]:
            summary["posts"]["sqlite_journal_mode"] = sqlite_journal_mode(
                config.env["DATABASE_URL"]
            )
        return summary
    finally:
        for server in servers:
            server.stop()


def bench_insights(config, server, rows, args, workdir):
    """Fill the database, sign a clinic manager in, then measure the Insights row."""
    print(
        f"== {config.name}: {args.insights_count} synthetic requests "
        "(about two minutes per 100,000)"
    )
    fill_requests(config.env, args.insights_count)
    cookie = signed_in_manager(config.env, server)
    for row in rows:
        row.cookie = cookie
        check_insights_page(server, row.path, cookie)
    results, _ = run_rounds(f"{config.name}, Insights", rows, args, workdir)
    return results


def bench_rows(cached, uncached, paths, args):
    """The table's rows; with --rows, the static reference and the rows it names."""
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
    rows.append(
        Row(
            f"Insights, {args.insights_count:,} requests",
            "insights",
            cached,
            paths["insights"],
            connections=INSIGHTS_CONNECTIONS,
            requests_per_thread=INSIGHTS_REQUESTS_PER_THREAD,
        )
    )
    if args.rows:
        wanted = [word.strip().lower() for word in args.rows.split(",") if word.strip()]
        rows = [rows[0]] + [r for r in rows[1:] if any(w in r.name.lower() for w in wanted)]
    return rows


def machine():
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = match[1] if match else cpu
    wrk_version = subprocess.run([WRK, "--version"], capture_output=True, text=True).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wrk": wrk_version.splitlines()[0] if wrk_version else "",
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def parse_args():
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
    parser.add_argument(
        "--insights-count",
        type=int,
        default=100_000,
        help="synthetic requests in the database for the Insights row",
    )
    return parser.parse_args()


def main():
    args = parse_args()
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
                "insights_count": args.insights_count,
                "insights_connections": INSIGHTS_CONNECTIONS,
                "insights_requests_per_wrk_thread": INSIGHTS_REQUESTS_PER_THREAD,
            },
            "configs": summaries,
        },
    )


if __name__ == "__main__":
    main()
