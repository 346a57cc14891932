"""
The image library: staff upload an image once, describe it (alt text, or "decorative"), and
choose it wherever one is wanted. Each image shows a preview and the pages that use it; an
image in use can't be deleted (choose another on those pages first).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from pages import imaging
from pages.image_services import image_delete, image_save
from pages.models import Image

THUMBNAIL_WIDTH = 96
PREVIEW_WIDTH = 320


class ImageAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label="Image file",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": "Choose the image file to upload."},
        help_text="A JPEG, PNG or WebP photo, at most {mb} MB and {mp} megapixels. It is "
        "saved without its hidden details (such as where a phone took it).",
    )

    class Meta:
        model = Image
        fields = ["title", "alt_text", "is_decorative"]
        # Room to write a whole sentence (line breaks become spaces when it is saved).
        widgets = {"alt_text": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        upload = self.fields["upload"]
        upload.help_text = upload.help_text.format(
            mb=settings.IMAGE_UPLOAD_MAX_BYTES // (1024 * 1024),
            mp=settings.IMAGE_UPLOAD_MAX_PIXELS // 1_000_000,
        )
        if self.instance.pk is None:
            upload.required = True
        else:
            upload.label = "Replace the image file"
            upload.help_text += (
                " Leave empty to keep the current one. A new file shows everywhere this image "
                "is used."
            )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        return imaging.prepare(upload) if upload else None


def image_usages(image):
    """(relation, item) for every page item that shows `image` (prefetched by the admin)."""
    for relation in Image._meta.related_objects:
        for item in getattr(image, relation.get_accessor_name()).all():
            yield relation, item


def _admin_link(relation, item):
    opts = item._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
    return url, opts.verbose_name.capitalize(), item, relation.field.verbose_name


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "title", "description", "dimensions", "used_on", "uploaded_at"]
    list_display_links = ["title"]
    list_filter = ["is_decorative"]
    search_fields = ["title", "alt_text"]
    readonly_fields = ["preview", "dimensions", "used_on", "uploaded_at", "updated_at"]

    def get_fieldsets(self, request, obj=None):
        describe = (
            "Description",
            {
                "fields": ["title", "alt_text", "is_decorative"],
                "description": "Alt text is read out to patients who can’t see the image: "
                "say what it shows, in one short sentence.",
            },
        )
        if obj is None:
            return [(None, {"fields": ["upload"]}), describe]
        return [
            (None, {"fields": ["preview", "dimensions", "upload"]}),
            describe,
            ("Where it is used", {"fields": ["used_on", "uploaded_at", "updated_at"]}),
        ]

    def get_queryset(self, request):
        accessors = [relation.get_accessor_name() for relation in Image._meta.related_objects]
        return super().get_queryset(request).prefetch_related(*accessors)

    def save_model(self, request, obj, form, change):
        image_save(image=obj, prepared=form.cleaned_data.get("upload"))

    def delete_model(self, request, obj):
        image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            image_delete(image=image)

    @admin.display(description="Image")
    def thumbnail(self, obj):
        return _image_tag(obj, THUMBNAIL_WIDTH)

    @admin.display(description="Preview")
    def preview(self, obj):
        return _image_tag(obj, PREVIEW_WIDTH)

    @admin.display(description="Alt text", ordering="alt_text")
    def description(self, obj):
        return obj.alt_text or "Decorative (no alt text)"

    @admin.display(description="Size")
    def dimensions(self, obj):
        return f"{obj.width:,} × {obj.height:,} px"

    @admin.display(description="Used on")
    def used_on(self, obj):
        links = [_admin_link(relation, item) for relation, item in image_usages(obj)]
        if not links:
            return "Not used on any page yet."
        return format_html(
            '<ul class="image-usages">{}</ul>',
            format_html_join("", '<li><a href="{}">{}: {}</a> ({})</li>', links),
        )


def _image_tag(image, width):
    """The smallest WebP rendition, shown `width` px wide (every admin browser shows WebP)."""
    width = min(width, image.width)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}">',
        image.thumbnail_url(),
        width,
        max(1, round(image.height * width / image.width)),
        image.alt,
    )
