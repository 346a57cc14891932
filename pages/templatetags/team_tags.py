"""Template tags for naming a clinician on other pages (articles, treatments, clinics)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def team_member_link(member):
    """The clinician's name, linking to their profile once it is published (a draft's would 404)."""
    if member.is_published:
        return format_html('<a href="{}">{}</a>', member.get_absolute_url(), member.title)
    return member.title
