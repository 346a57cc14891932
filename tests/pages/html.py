"""Reads what a browser, a search engine or a link preview would read from a page's HTML."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageHead:
    title: str = ""
    meta: dict = field(default_factory=dict)  # name or property -> content
    links: dict = field(default_factory=dict)  # rel -> href
    h1s: list = field(default_factory=list)
    json_ld: list = field(default_factory=list)
    html_lang: str = ""
    ids: list = field(default_factory=list)

    def json_ld_of_type(self, schema_type):
        return [item for item in self.json_ld if schema_type in types_of(item)]


def types_of(item):
    value = item.get("@type", [])
    return value if isinstance(value, list) else [value]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = PageHead()
        self._in = None
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.page.ids.append(attrs["id"])
        if tag == "html":
            self.page.html_lang = attrs.get("lang", "")
        elif tag == "meta" and "content" in attrs:
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.page.meta[key] = attrs["content"]
        elif tag == "link" and "rel" in attrs:
            self.page.links[attrs["rel"]] = attrs.get("href", "")
        elif tag in {"title", "h1"} or (
            tag == "script" and attrs.get("type") == "application/ld+json"
        ):
            self._in = tag
            self._buffer = []

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)

    def handle_endtag(self, tag):
        if tag != self._in:
            return
        text = "".join(self._buffer)
        if tag == "title":
            self.page.title = " ".join(text.split())
        elif tag == "h1":
            self.page.h1s.append(" ".join(text.split()))
        else:
            self.page.json_ld.append(json.loads(text))
        self._in = None


def read_page(response):
    reader = _Reader()
    reader.feed(response.content.decode())
    return reader.page
