"""
What `make bench` reports: each row's median of the rounds against its target, the booking
POSTs' bookkeeping, the page weight, and the JSON results file under bench/results/.

The targets are judged here, not by the test suite; docs/performance.md explains them.
"""

import json
import statistics
from datetime import UTC, datetime

from server import BENCH_DIR, ROOT

RESULTS_DIR = BENCH_DIR / "results"

# Requests/s as a share of the static file's, and the 99th percentile latency.
CACHED_RATIO = 0.85
CACHED_P99_MS = 20
UNCACHED_RATIO = 0.15
POST_RATIO = 0.10
POST_P99_MS = 100
PAGE_WEIGHT_KB = 50
# The Insights page's server time, which on loopback is about its latency.
INSIGHTS_P50_MS = 500


def summarise(rows, results):
    """One item per row: the medians of its rounds, its ratio to the static row, its target."""
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
    if item["kind"] == "insights":
        return f"p50 < {INSIGHTS_P50_MS} ms", item["p50_ms"] < INSIGHTS_P50_MS and errors == 0
    if item["kind"] == "floor":
        return "(no target)", errors == 0
    return "reference", errors == 0


def post_checks(servers, accepted_responses, stored_counts):
    """The booking POSTs' bookkeeping: what was accepted, what was stored, what the logs say."""
    accepted_references, accepted_and_stored, stored_rows, spam = stored_counts
    return {
        "accepted_responses": accepted_responses,
        "accepted_references": accepted_references,
        "accepted_and_stored": accepted_and_stored,
        "stored_rows": stored_rows,
        # Sent, and stored, but wrk stopped before the answer arrived: at most one per
        # connection per POST run.
        "stored_without_answer_seen": stored_rows - accepted_and_stored,
        "stored_as_spam": spam,
        "gunicorn_worker_boots": sum(s.log_count("Booting worker") for s in servers),
        # Production's GUNICORN_MAX_REQUESTS at work: a long run can pass it.
        "gunicorn_workers_replaced_after_max_requests": sum(
            s.log_count("Autorestarting worker") for s in servers
        ),
        "database_is_locked_in_logs": sum(s.log_count("database is locked") for s in servers),
        "tracebacks_in_logs": sum(s.log_count("Traceback") for s in servers),
    }


def every_post_stored_once(posts):
    return (
        posts["accepted_and_stored"] == posts["accepted_references"] == posts["accepted_responses"]
    )


def judge_posts(summary):
    """The POST target also needs every accepted POST stored, once, and no "database is locked"."""
    posts = summary["posts"]
    for item in summary["rows"]:
        if item["kind"] == "post":
            item["met"] = (
                item["met"]
                and every_post_stored_once(posts)
                and posts["database_is_locked_in_logs"] == 0
            )


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
    print_posts(summary)
    print_page_weight(summary["page_weight"])


def print_posts(summary):
    posts = summary["posts"]
    every_one = every_post_stored_once(posts)
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


def print_page_weight(weight):
    print(f"\nPage weight, first visit to {weight['path']} (as served):")
    for item in weight["items"]:
        print(f"  {item['bytes'] / 1024:6.1f} KB  {item['url']}  ({item['note']})")
    total_kb = weight["total_bytes"] / 1024
    verdict = "ok" if total_kb <= PAGE_WEIGHT_KB else "MISSED"
    print(f"  {total_kb:6.1f} KB  total (target <= {PAGE_WEIGHT_KB} KB) {verdict}")
    print(f"  (the HTML would be {weight['html_gzip_bytes'] / 1024:.1f} KB gzipped by a proxy)")
    if weight["images_without_size_or_lazy"]:
        print(f"  images without width/height: {weight['images_without_size_or_lazy']}")


def write_results(name, results):
    """bench/results/<name>-<UTC time>.json (git-ignored), with the time in it as "when"."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"{name}-{stamp}.json"
    out.write_text(json.dumps({"when": stamp, **results}, indent=2))
    print(f"Results: {out.relative_to(ROOT)}")
