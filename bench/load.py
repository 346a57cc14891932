"""
The load: wrk (16 connections, 2 threads by default) on each row in turn, in interleaved
rounds, so a busy moment on the machine spreads over every row instead of spoiling one.

GET rows report through bench/report.lua; the booking POST row through bench/post.lua, which
sends each first-time visitor's form from a pool once and writes each confirmation address
it sees, so the run can check every accepted booking was stored.
"""

# Every subprocess here is wrk with arguments built here: nothing comes from untrusted input.
# ruff: noqa: S603

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from server import BENCH_DIR, Server, fail
from visitor import BROWSER_ENCODINGS, harvest

WRK = shutil.which("wrk") or "wrk"


@dataclass
class Row:
    """One line of the table: what wrk requests, from which server."""

    name: str
    kind: str  # "static", "floor", "cached", "uncached", "post"
    server: Server
    path: str


def run_wrk(row, args, duration, pool_path=None):
    """wrk on one row for `duration` seconds: its counts, latencies and requests/s."""
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


def run_rounds(label, rows, args, workdir):
    """
    A one-second warm-up of every row, then `args.rounds` rounds of `args.duration` seconds
    a row. Returns each row's results by row name, and how many POSTs wrk saw accepted.
    """
    pool = workdir / "post-pool.txt"
    for old_file in workdir.glob("accepted-*"):
        old_file.unlink()
    visitor_number = 1
    accepted = 0

    print(f"== {label}: warm-up ({len(rows)} rows)")
    post_rate = None
    for row in rows:
        if row.kind == "post":
            visitor_number = harvest(row.server, 2500, visitor_number, pool)
            result = run_wrk(row, args, 1, pool)
            accepted += result["accepted"]
            post_rate = result["rps"]
        else:
            run_wrk(row, args, 1)

    results = {row.name: [] for row in rows}
    for round_number in range(1, args.rounds + 1):
        print(f"== {label}: round {round_number} of {args.rounds}")
        for row in rows:
            if row.kind == "post":
                # Twice the fastest rate seen, and never fewer than 600 a second: a token
                # sent twice is a duplicate (rightly answered with the first request's
                # confirmation), not a new booking.
                needed = int(max(post_rate, 600) * args.duration * 2) + 500
                visitor_number = harvest(row.server, needed, visitor_number, pool)
                result = run_wrk(row, args, args.duration, pool)
                accepted += result["accepted"]
                post_rate = max(post_rate, result["rps"])
            else:
                result = run_wrk(row, args, args.duration)
            results[row.name].append(result)
            print(
                f"   {row.name:<28} {result['rps']:8.0f} req/s"
                f"  p99 {result['p99_us'] / 1000:6.1f} ms"
            )
    return results, accepted


def accepted_addresses(workdir):
    """The confirmation addresses bench/post.lua wrote for the POSTs it saw accepted."""
    return [
        location
        for accepted_file in workdir.glob("accepted-*")
        for location in accepted_file.read_text().split()
    ]
