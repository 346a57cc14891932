"""What every content admin shares: publishing, clinical review, SEO fields and redirects."""

from django.contrib import admin, messages
from django.utils import timezone

from pages.models import Article
from pages.services import redirect_moved_page

SEO_FIELDSET = (
    "Search engines",
    {
        "classes": ["collapse"],
        "fields": ["seo_title", "seo_description"],
        "description": "Optional. Empty fields fall back to the title and summary.",
    },
)


class ClinicalReviewFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting clinical review"), ("reviewed", "Reviewed")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(awaiting_clinical_review=True)
        if self.value() == "reviewed":
            return queryset.filter(awaiting_clinical_review=False)
        return queryset


def set_published(modeladmin, request, queryset, *, published):
    # One save() per item rather than update(), so updated_at and each model's save rules apply.
    changed = 0
    for item in queryset.filter(is_published=not published):
        item.is_published = published
        item.save(update_fields=["is_published", "updated_at"])
        changed += 1
    done = "Published" if published else "Unpublished"
    modeladmin.message_user(request, f"{done} {changed} item(s).", messages.SUCCESS)


@admin.action(description="Publish the selected items", permissions=["change"])
def publish(modeladmin, request, queryset):
    set_published(modeladmin, request, queryset, published=True)


@admin.action(description="Unpublish the selected items", permissions=["change"])
def unpublish(modeladmin, request, queryset):
    set_published(modeladmin, request, queryset, published=False)


@admin.action(description="Mark the selected items as clinically reviewed", permissions=["change"])
def mark_clinically_reviewed(modeladmin, request, queryset):
    changed = 0
    for item in queryset.filter(awaiting_clinical_review=True):
        item.awaiting_clinical_review = False
        fields = ["awaiting_clinical_review", "updated_at"]
        if isinstance(item, Article):
            item.last_reviewed_on = timezone.localdate()
            fields.append("last_reviewed_on")
        item.save(update_fields=fields)
        changed += 1
    modeladmin.message_user(
        request, f"Marked {changed} item(s) as clinically reviewed.", messages.SUCCESS
    )


class SingletonAdmin(admin.ModelAdmin):
    """The admin of a model with one row (the home page's words, fees and terms): staff
    edit it, never add a second or delete it."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ContentAdmin(admin.ModelAdmin):
    """What every public page's admin shares: publishing, review state, previews, redirects."""

    list_display = ["title", "is_published", "awaiting_clinical_review", "updated_at"]
    list_filter = [ClinicalReviewFilter, "is_published"]
    search_fields = ["title", "slug"]
    readonly_fields = ["updated_at"]
    prepopulated_fields = {"slug": ["title"]}
    actions = [publish, unpublish, mark_clinically_reviewed]

    def view_on_site(self, obj):
        # The page's own path, on whichever host staff are using: staff can open drafts
        # there too (they are previews until published).
        return obj.get_absolute_url()

    def save_model(self, request, obj, form, change):
        old_path = None
        if change and "slug" in form.changed_data and form.initial.get("is_published"):
            old_path = type(obj)(slug=form.initial["slug"]).get_absolute_url()
        super().save_model(request, obj, form, change)
        if old_path:
            redirect_moved_page(old_path=old_path, new_path=obj.get_absolute_url())
            self.message_user(
                request,
                f"The old address {old_path} now redirects to {obj.get_absolute_url()}.",
                messages.INFO,
            )
