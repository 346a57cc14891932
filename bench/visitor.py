"""
What a visitor does on the site under test, for `make bench` and `make bench-cpu`: find the
pages to measure, fill in and send the booking form as a first-time visitor, and add up what
a first visit to a page downloads.

`server` is anything with `request()` and `origin`: a gunicorn (bench/server.py) or the
in-process handler of bench/cpu.py.
"""

import gzip
import html
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from server import fail, get

# The Accept-Encoding a browser sends, so every response is compressed as a visitor's is.
BROWSER_ENCODINGS = "br, gzip"

# The pages measured (row label, key in discover_paths()), cached and uncached.
PAGES = [
    ("home", "home"),
    ("milia article", "article"),
    ("treatment list", "treatments"),
    ("clinic page", "clinic"),
    ("/book/ GET", "book"),
]


# --- Pages to measure ------------------------------------------------------------------------


def first_link(server, path, pattern):
    page = get(server, path).body.decode()
    match = re.search(pattern, page)
    if not match:
        fail(f"no link matching {pattern} on {path}")
    return match[1]


def discover_paths(server):
    """The paths of the static stylesheet and of each page in PAGES, found in the seed content."""
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
    """Write `count` new visitors' forms to `pool_path` for bench/post.lua; the next number."""
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
