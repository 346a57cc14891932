"""
The consent record in the admin: the exact texts a patient agreed to, on the request page,
and every stored version, listed read-only (nobody can add, change or delete one).
"""

from django.contrib import admin
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html

from booking.admin.display import local_time
from booking.models import ConsentText


def _text(consent_text: ConsentText) -> str:
    """The stored words exactly, escaped, with their line breaks."""
    return linebreaksbr(consent_text.text, autoescape=True)


@admin.display(description="consent wording")
def consent_wording_text(obj) -> str:
    wording = obj.consent_wording
    return format_html(
        '<div>{}</div><div class="help">Version {}</div>', _text(wording), wording.version
    )


@admin.display(description="privacy notice")
def privacy_notice_text(obj) -> str:
    notice = obj.privacy_notice
    if not notice.title:
        # No notice was published, or the text wasn't kept: the text says which.
        return format_html(
            '<div>{}</div><div class="help">Version {}</div>', _text(notice), notice.version
        )
    updated = (
        f", last updated {local_time(notice.text_changed_at)}" if notice.text_changed_at else ""
    )
    return format_html(
        "<div>Version {}: “{}”{}</div>"
        "<details><summary>Show the notice’s text</summary>"
        "<div>{}</div></details>",
        notice.version,
        notice.title,
        updated,
        _text(notice),
    )


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Read-only: the texts are a record of what patients agreed to."""

    list_display = ["__str__", "title", "text_changed_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["version", "title", "text"]
    fields = ["kind", "version", "title", "text_changed_at", "created_at", "text"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
