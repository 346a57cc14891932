"""Find every public page: follow the site's own links from the home page, plus the sitemap.

Used by the accessibility tests (against the live server) and the HTML validity test
(through Django's test client), so both check the same pages, including any page added
later, without a list to keep up to date.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings

# Never crawled: the staff admin (its own tests), static files, and files that aren't pages.
SKIPPED_PREFIXES = ("/static/", "/media/")
SKIPPED_SUFFIXES = (".xml", ".txt", ".json", ".pdf", ".png", ".jpg", ".svg", ".ico", ".webp")
MAX_PAGES = 300


@dataclass
class Response:
    status: int
    content_type: str
    text: str
    path: str  # after redirects


@dataclass
class CrawlResult:
    pages: dict[str, str] = field(default_factory=dict)  # path -> HTML
    broken: dict[str, str] = field(default_factory=dict)  # path -> what went wrong
    linked_from: dict[str, str] = field(default_factory=dict)  # path -> first page linking it


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag in {"a", "area"}:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_in(html):
    parser = LinkParser()
    parser.feed(html)
    return parser.hrefs


def sitemap_locations(xml):
    return [loc.strip() for loc in re.findall(r"<loc>\s*([^<]+?)\s*</loc>", xml)]


def admin_prefix():
    return "/" + settings.ADMIN_PATH.lstrip("/")


def local_path(url, base, own_hosts):
    """The path of `url` (relative to `base`) if it is one of our crawlable pages."""
    absolute, _fragment = urldefrag(urljoin(base, url))
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or parts.netloc not in own_hosts:
        return None
    path = parts.path or "/"
    if path.startswith((admin_prefix(), *SKIPPED_PREFIXES)) or path.endswith(SKIPPED_SUFFIXES):
        return None
    # Query strings (e.g. /book/?treatment=milia) render the same templates as the bare
    # path; each page is checked once.
    return path


def crawl(fetch: Callable[[str], Response], *, own_hosts, base_url) -> CrawlResult:
    """Breadth-first over internal links from "/" and every URL in /sitemap.xml.

    `fetch(path)` follows redirects and returns a Response. `own_hosts` are the host names
    that count as this site (the live server's, and the sitemap's domain).
    """
    result = CrawlResult()
    queue = ["/"]
    sitemap = fetch("/sitemap.xml")
    if sitemap.status != 200:
        result.broken["/sitemap.xml"] = f"answered {sitemap.status}"
    else:
        for loc in sitemap_locations(sitemap.text):
            path = local_path(loc, base_url, own_hosts)
            if path is None:
                result.broken[loc] = "sitemap URL outside this site"
            else:
                queue.append(path)
                result.linked_from.setdefault(path, "/sitemap.xml")
    seen = set(queue)
    while queue:
        path = queue.pop(0)
        response = fetch(path)
        if response.status != 200:
            result.broken[path] = f"answered {response.status}"
            continue
        if not response.content_type.startswith("text/html"):
            continue
        result.pages.setdefault(response.path, response.text)
        for href in links_in(response.text):
            linked = local_path(href, base_url + response.path, own_hosts)
            if linked and linked not in seen:
                seen.add(linked)
                queue.append(linked)
                result.linked_from.setdefault(linked, response.path)
        if len(seen) > MAX_PAGES:
            raise AssertionError(f"More than {MAX_PAGES} pages: is a link generating pages?")
    return result


def describe_broken(result):
    return "\n".join(
        f"  {path}: {problem} (linked from {result.linked_from.get(path, '?')})"
        for path, problem in sorted(result.broken.items())
    )
