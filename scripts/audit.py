"""Lighthouse scores for the main pages, against gunicorn with production settings.

Run by `make audit` (through scripts/audit). It starts the site the way production runs
it (debug off, whitenoise, hashed static files) on a free local port with a throwaway
SQLite database and the seed content, runs Lighthouse 12 (npm, pinned in package.json)
in Debian's Chromium on the home page, the milia article, a treatment, a clinic and the
booking page, with the mobile and desktop presets, prints a table of the four category
scores and, for each score under its target, the audits that cost points. The JSON
reports are kept in test-artifacts/lighthouse/.

Targets: 100 for accessibility, best practices and SEO; at least 95 for performance.
Exits 1 when a target is missed.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "test-artifacts" / "lighthouse"
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = {
    "performance": ("Performance", 95),
    "accessibility": ("Accessibility", 100),
    "best-practices": ("Best practices", 100),
    "seo": ("SEO", 100),
}
PRESETS = {"mobile": [], "desktop": ["--preset=desktop"]}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(folder, port):
    env = {
        key: value
        for key, value in os.environ.items()
        # Whatever the shell has set for local work must not leak into the audit.
        if key not in {"DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_HTTPS"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'audit.sqlite3'}",
        # Its own static files, so it never races `make run` over staticfiles/.
        DJANGO_STATIC_ROOT=str(folder / "static"),
        DJANGO_REQUIRE_2FA="0",
        BOOKING_RATE_LIMIT="off",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
    )
    # settings.py reads .env (written by `make run`) for the secret key; without one,
    # a throwaway key is enough for a server that lives for one audit.
    if "DJANGO_SECRET_KEY" not in env and not (ROOT / ".env").exists():
        env["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def manage(env, *args):
    # A fixed argument list, no shell.
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def get(url, timeout=10):
    # Only our own server on 127.0.0.1.
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
        return response.read().decode("utf-8")


def wait_until_up(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with code {server.returncode}; see its output above.")
        try:
            get(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"gunicorn did not answer {url} within {seconds} s.")


def pages_to_audit(base_url):
    """The five pages, found in the sitemap so that no slug is hard-coded here."""
    paths = [
        re.sub(r"^https?://[^/]+", "", loc)
        for loc in re.findall(r"<loc>\s*([^<\s]+)", get(base_url + "/sitemap.xml"))
    ]

    def first(pattern, prefer=""):
        matches = [path for path in paths if re.fullmatch(pattern, path)]
        preferred = [path for path in matches if prefer and prefer in path]
        if not matches:
            sys.exit(f"No page matching {pattern} in the sitemap: is the seed content loaded?")
        return (preferred or matches)[0]

    return {
        "Home": "/",
        "Milia article": first(r"/skin-advice/[^/]+/", prefer="milia"),
        "Treatment": first(r"/treatments/[^/]+/", prefer="milia"),
        "Clinic": first(r"/clinics/[^/]+/"),
        "Book": "/book/",
    }


def lighthouse(url, preset, output):
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    command = [
        str(LIGHTHOUSE),
        url,
        *PRESETS[preset],
        "--only-categories=" + ",".join(CATEGORIES),
        "--output=json",
        f"--output-path={output}",
        "--chrome-flags=" + " ".join(CHROME_FLAGS),
        "--quiet",
    ]
    subprocess.run(command, env=env, check=True, timeout=300)  # noqa: S603
    return json.loads(output.read_text())


def score(report, category):
    value = report["categories"][category]["score"]
    return None if value is None else round(value * 100)


def lost_points(report, category):
    """The audits in a category that did not pass, with Lighthouse's own summary."""
    audits = report["audits"]
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref.get("weight", 0) and audit["score"] is not None and audit["score"] < 1:
            detail = audit.get("displayValue") or ""
            lines.append(f"  - {audit['id']} ({audit['score']:.2f}): {audit['title']} {detail}")
    return lines


def main():
    for tool, hint in [
        (LIGHTHOUSE, "run `npm ci --ignore-scripts` (or `make audit`, which does)"),
        (GUNICORN, "run `make run` or `make test` once to create .venv"),
    ]:
        if not tool.exists():
            sys.exit(f"{tool} not found: {hint}.")
    if not Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium")).exists():
        sys.exit("Chromium not found at /usr/bin/chromium: apt-get install -y chromium")

    REPORTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="clinic-audit-") as tmp:
        env = production_environment(Path(tmp), port)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_content")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        server = subprocess.Popen(  # noqa: S603
            [GUNICORN, "clinic_site.wsgi", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base_url + "/", server)
            rows, misses = [], []
            for name, path in pages_to_audit(base_url).items():
                for preset in PRESETS:
                    slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
                    print(f"Lighthouse {preset}: {path}", file=sys.stderr)
                    report = lighthouse(base_url + path, preset, REPORTS / f"{slug}-{preset}.json")
                    scores = {category: score(report, category) for category in CATEGORIES}
                    rows.append((name, path, preset, scores))
                    for category, (label, target) in CATEGORIES.items():
                        if scores[category] is None or scores[category] < target:
                            misses.append(f"{name} ({path}), {preset}, {label}: {scores[category]}")
                            misses.extend(lost_points(report, category))
        finally:
            server.terminate()
            server.wait(timeout=30)

    headings = ["Page", "Path", "Preset", *(label for label, _target in CATEGORIES.values())]
    print("| " + " | ".join(headings) + " |")
    print("|" + "---|" * len(headings))
    for name, path, preset, scores in rows:
        cells = [name, f"`{path}`", preset, *(str(scores[category]) for category in CATEGORIES)]
        print("| " + " | ".join(cells) + " |")
    print()
    targets = ", ".join(f"{label} {target}" for label, target in CATEGORIES.values())
    if misses:
        print(f"Missed targets ({targets}):")
        print("\n".join(misses))
        print(f"\nFull reports: {REPORTS.relative_to(ROOT)}/")
        return 1
    print(f"All targets met ({targets}). Reports: {REPORTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    if shutil.which("node") is None:
        sys.exit("Node.js not found: Lighthouse needs Node 20 (apt-get install -y nodejs npm).")
    sys.exit(main())
