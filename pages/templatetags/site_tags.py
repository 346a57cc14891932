"""Template tags for the site's pages: JSON-LD blocks, absolute links, tap-to-call links."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from clinic_site import phones
from pages import structured_data
from pages.site_urls import absolute_url

register = template.Library()

# As json_script does: with <, > and & escaped, no text can close the <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """A JSON-LD data block. Browsers never run it, so the CSP needs no nonce for it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # noqa: S308 (escaped above)
    )


@register.simple_tag(takes_context=True)
def breadcrumb_json_ld(context, breadcrumbs):
    """The page's breadcrumb trail (after Home) as a BreadcrumbList block."""
    return json_ld(structured_data.breadcrumb_list(context["request"], breadcrumbs))


@register.simple_tag(takes_context=True)
def absolute_static(context, path):
    """An absolute URL for a static file, for tags read off the site (Open Graph images)."""
    return absolute_url(context["request"], static(path))


@register.filter
def tel_href(phone):
    """ "020 7386 0464" -> "tel:+442073860464", for a tap-to-call link."""
    return phones.tel_href(phone)
