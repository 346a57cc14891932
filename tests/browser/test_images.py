"""
An article with a hero image, in Chromium at phone and desktop width: the browser fetches one
WebP rendition, once (the preload and the image agree), sharp enough for the column and not
much bigger; nothing on the page moves as it loads; axe finds nothing to fix.

Screenshots go to test-artifacts/screenshots/article-with-hero-*.png.
"""

import re

import pytest

from pages.models import Article
from tests.browser.axe import axe_violations, describe_violations
from tests.browser.conftest import VIEWPORTS, save_screenshot
from tests.factories import give_every_page_an_image, image_upload, make_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each layout shift: how much, and which elements moved from where to where.
LAYOUT_SHIFTS = """
() => new Promise((resolve) => {
  const shifts = [];
  const describe = (node) => node ? `${node.nodeName}.${node.className || ""}` : "?";
  const box = (rect) => [rect.x, rect.y, rect.width, rect.height].map(Math.round);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      shifts.push({
        value: entry.value,
        moved: (entry.sources || []).map(
          (s) => [describe(s.node), box(s.previousRect), box(s.currentRect)]
        ),
      });
    }
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(shifts), 500);
})
"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_hero_is_fetched_once_as_webp_at_the_right_size_without_moving_the_page(
    site, new_page, viewport
):
    give_every_page_an_image()
    hero = make_image("Wide hero", upload=image_upload(size=(2400, 1350)), alt_text="A clinic room")
    Article.objects.update(hero_image=hero)
    article = Article.objects.get(slug__contains="milia")
    page = new_page(viewport=VIEWPORTS[viewport])
    media_requests = []
    page.on("request", lambda r: "/media/" in r.url and media_requests.append(r.url))

    page.goto(site.url + article.get_absolute_url(), wait_until="load")

    hero_img = page.locator("picture.hero-image img")
    shown = hero_img.evaluate(
        "img => ({src: img.currentSrc, width: img.clientWidth, height: img.clientHeight})"
    )
    assert shown["src"].endswith(".webp"), shown
    assert media_requests == [shown["src"]], "the preload and the image fetch the same file once"
    # The rendition's own width (in its name): sharp at the width shown, not twice as big.
    fetched_width = int(re.search(r"/(\d+)\.webp$", shown["src"])[1])
    assert shown["width"] <= fetched_width < shown["width"] * 2, shown
    assert abs(shown["height"] - shown["width"] * 1350 / 2400) <= 1, shown
    shifts = page.evaluate(LAYOUT_SHIFTS)
    assert sum(shift["value"] for shift in shifts) == 0, shifts
    assert hero_img.get_attribute("alt") == "A clinic room"
    violations = axe_violations(page)
    assert not violations, describe_violations({article.get_absolute_url(): violations})
    save_screenshot(page, "article-with-hero")
