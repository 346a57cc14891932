import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "cite", "code", "em", "figcaption", "figure", "h2", "h3",
    "h4", "hr", "li", "ol", "p", "pre", "strong", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}


def render_markdown(text):
    """Markdown to HTML, then an allow-list sanitiser: staff can format, never script."""
    html = markdown.markdown(text or "", extensions=["sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
