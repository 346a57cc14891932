"""
The load: wrk (16 connections, 2 threads by default) on each row in turn, in interleaved
rounds, so a busy moment on the machine spreads over every row instead of spoiling one.

A row may send its own Cookie header with fewer connections, and a slow page's row makes a
fixed number of requests a round (bench/counted.lua) instead of running for --duration: the
Insights row, one signed-in clinic manager a couple of requests at a time, as staff use it.

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
import signal
import subprocess
from dataclasses import dataclass

from server import BENCH_DIR, Server, fail
from visitor import BROWSER_ENCODINGS, harvest

WRK = shutil.which("wrk") or "wrk"
TIMEOUT_SECONDS = 10


@dataclass
class Row:
    """One line of the table: what wrk requests, from which server."""

    name: str
    kind: str  # "static", "floor", "cached", "uncached", "post", "insights"
    server: Server
    path: str
    connections: int = 0  # 0: --connections
    cookie: str = ""
    requests_per_thread: int = 0  # 0: as many as --duration allows


def run_wrk(row, args, duration, pool_path=None):
    """wrk on one row for `duration` seconds: its counts, latencies and requests/s."""
    script = "post.lua" if row.kind == "post" else "report.lua"
    connections = row.connections or args.connections
    threads = min(args.threads, connections)  # wrk wants a connection per thread
    env = {**os.environ, "BENCH_LUA_DIR": str(BENCH_DIR), "BENCH_THREADS": str(threads)}
    if row.requests_per_thread:
        script = "counted.lua"
        env["BENCH_REQUESTS_PER_THREAD"] = str(row.requests_per_thread)
        # Only a limit: each thread stops after its requests.
        duration = row.requests_per_thread * (TIMEOUT_SECONDS + 1)
    if pool_path:
        env.update(
            BENCH_POST_POOL=str(pool_path),
            BENCH_ORIGIN=row.server.origin,
            BENCH_ACCEPTED_PREFIX=str(pool_path.parent / "accepted-"),
        )
    command = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        f"{TIMEOUT_SECONDS}s",
        "-H",
        f"Accept-Encoding: {BROWSER_ENCODINGS}",
        *(["-H", f"Cookie: {row.cookie}"] if row.cookie else []),
        "-s",
        str(BENCH_DIR / script),
        row.server.origin + row.path,
    ]
    if row.requests_per_thread:
        output = run_counted(command, env, threads)
    else:
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH_JSON (\{.*\})$", output, re.MULTILINE)
    if not match:
        fail(f"no result from wrk for {row.name}:\n{output}")
    result = json.loads(match[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def run_counted(command, env, threads):
    """
    wrk with bench/counted.lua: wrk waits out -d even when every thread has stopped, so
    interrupt it (it then reports as usual) once each thread has said it is done.
    """
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as process:
        lines = []
        done = 0
        for line in process.stdout:
            lines.append(line)
            done += line.startswith("BENCH_THREAD_DONE")
            if done == threads:
                process.send_signal(signal.SIGINT)
                break
        lines += process.stdout.readlines()
    if process.returncode:
        fail(f"wrk exited with {process.returncode}")
    return "".join(lines)


def run_rounds(label, rows, args, workdir):
    """
    A one-second warm-up of every row but a counted one, then `args.rounds` rounds of
    `args.duration` seconds a row (a counted row: its requests). Returns each row's results
    by row name, and how many POSTs wrk saw accepted.
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
        elif not row.requests_per_thread:  # a slow page's own first request warms it up
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
