"""
Uploaded images on a page: one tag renders every one of them (`responsive_image`), and one
preloads a page's hero from the <head> (`image_preload`).

    {% responsive_image article.hero_image sizes="content" hero=True %}
    {% image_preload article.hero_image sizes="content" %}

The markup is a <picture> with WebP renditions and a JPEG (or PNG) fallback, `srcset` and
`sizes` so the browser fetches the smallest rendition that looks sharp, and `width`/`height`
so the page doesn't move as it loads. Images load lazily, except the hero (the largest thing
on the first screen), which is fetched at once with high priority. docs/performance.md.
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

# How wide each kind of image is shown, for `sizes`: named here so an image and its preload
# always agree. They follow the layout's columns (Bootstrap's container widths with the
# page's gutters; static/css/site.css for the portrait).
SIZES = {
    # The main column (col-lg-8 beside the sidebar; the full width below 992 px).
    "content": (
        "(min-width: 1400px) 848px, (min-width: 1200px) 728px, (min-width: 992px) 608px, "
        "(min-width: 768px) 696px, (min-width: 576px) 516px, calc(100vw - 24px)"
    ),
    # A team member's portrait (.portrait in site.css).
    "portrait": "(min-width: 576px) 240px, 50vw",
}


def sizes_for(sizes):
    """A named size from SIZES, or a `sizes` value as it is."""
    return SIZES.get(sizes, sizes)


@register.simple_tag
def responsive_image(image, sizes="content", hero=False, css_class=""):
    """The image as a <picture>; nothing at all when `image` is None (the field is empty)."""
    if image is None:
        return ""
    sizes = sizes_for(sizes)
    if hero:
        loading = {"loading": "eager", "fetchpriority": "high"}
    else:
        loading = {"loading": "lazy", "decoding": "async"}
    return format_html(
        '<picture class="{}"><source type="image/webp" srcset="{}" sizes="{}">'
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" {}></picture>',
        " ".join(["responsive-image", css_class]).strip(),
        image.srcset("webp"),
        sizes,
        image.fallback_url(),
        image.srcset(image.fallback_format),
        sizes,
        image.width,
        image.height,
        image.alt,
        format_html_join(" ", '{}="{}"', loading.items()),
    )


@register.simple_tag
def image_preload(image, sizes="content"):
    """
    A <link rel=preload> for the page's hero image, for the <head>, so the browser fetches
    it before it reads the stylesheets and lays out the page. Browsers that preload from
    `imagesrcset` all show WebP, so the WebP renditions are the ones to preload.
    """
    if image is None:
        return ""
    return format_html(
        '<link rel="preload" as="image" type="image/webp" imagesrcset="{}" imagesizes="{}" '
        'fetchpriority="high">',
        image.srcset("webp"),
        sizes_for(sizes),
    )
