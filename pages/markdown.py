"""
Markdown for staff-written content, rendered once on save and sanitised with an allow-list.

Two house rules on top of plain Markdown:

- A quote whose last line starts with a dash names its speaker, and becomes a figure:

      > Milia are medically known as ‘milium cysts’ …
      >
      > — Dr Ross Perry, Founder and Medical Director

  renders as `<figure class="quote"><blockquote><p>Milia are …</p></blockquote>
  <figcaption>— Dr Ross Perry, …</figcaption></figure>`.
- The page title is the only `<h1>`: a `# Heading` in a body becomes an `<h2>`. Text that
  sits under a heading of the page's own (an FAQ's answer) is rendered with
  `headings=False`: a heading typed there becomes a plain paragraph.

Whatever Markdown or raw HTML staff type, nh3 keeps only the tags, attributes and URL schemes
listed here, so no script, event handler, `javascript:` link, style or frame reaches a page.
"""

import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4",
    "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope"},
}
# Classes the renderer sets; anything else staff type in raw HTML is dropped.
ALLOWED_CLASSES = {"figure": {"quote"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# "— Name", "– Name", "-- Name" or "―Name" at the start of a quote's last line.
ATTRIBUTION = re.compile(r"^\s*(?:—|–|―|--)\s*(?P<speaker>\S.*)$", re.DOTALL)
HEADING_LEVELS = {"h1": "h2", "h5": "h4", "h6": "h4"}
ALL_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def render_markdown(text, *, headings=True):
    """Markdown to HTML, then an allow-list sanitiser: staff can format, never script."""
    html = markdown.markdown(
        text or "",
        extensions=["sane_lists", "tables", ClinicMarkdownExtension(headings=headings)],
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


class ClinicMarkdownExtension(Extension):
    def __init__(self, *, headings=True):
        super().__init__()
        self.headings = headings

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        # After the inline patterns (priority 20) so the text is final.
        processor = HouseStyleTreeprocessor(md, headings=self.headings)
        md.treeprocessors.register(processor, "clinic_house_style", 5)


class HouseStyleTreeprocessor(Treeprocessor):
    def __init__(self, md, *, headings=True):
        super().__init__(md)
        self.heading_tags = HEADING_LEVELS if headings else dict.fromkeys(ALL_HEADINGS, "p")

    def run(self, root):
        for element in root.iter():
            if element.tag in self.heading_tags:
                element.tag = self.heading_tags[element.tag]
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "blockquote":
                    caption = pop_attribution(child)
                    if caption is not None:
                        parent[index] = quote_figure(child, caption)
        return root


def pop_attribution(blockquote):
    """Take the speaker line off the end of a quote, if it has one; return it as a figcaption."""
    paragraphs = [child for child in blockquote if child.tag == "p"]
    if not paragraphs or paragraphs[-1] is not blockquote[-1]:
        return None
    last = paragraphs[-1]
    if len(last) == 0 and last.text and "\n" in last.text.strip():
        # The speaker on the line straight after the quote, in the same paragraph.
        quote, _, final_line = last.text.strip().rpartition("\n")
        match = ATTRIBUTION.match(final_line)
        if match is None:
            return None
        last.text = quote
        return make_caption(match["speaker"], children=[])
    match = ATTRIBUTION.match(last.text or "")
    if match is None or len(paragraphs) == 1:
        return None
    blockquote.remove(last)
    return make_caption(match["speaker"], children=list(last))


def make_caption(speaker, children):
    caption = etree.Element("figcaption")
    caption.text = "— " + speaker
    caption.extend(children)
    return caption


def quote_figure(blockquote, caption):
    figure = etree.Element("figure", {"class": "quote"})
    figure.tail = blockquote.tail
    blockquote.tail = None
    figure.append(blockquote)
    figure.append(caption)
    return figure
