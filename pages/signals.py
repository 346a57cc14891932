"""
Page cache invalidation: any change to site content makes every cached page stale.

Signals are used here, and only here, because the page cache must hear about every change to
content wherever it comes from (the admin, `seed_content`, the shell, a data migration)
without each of those having to remember it. They do nothing but change the content version
(clinic_site/page_cache/storage.py): no email, no other side effect.

Bulk writes (`QuerySet.update()`, `bulk_create()`, `bulk_update()`) send no signal: the
content models' QuerySet, `pages.querysets.ContentQuerySet`, invalidates after them instead. Raw
SQL on content tables must call `invalidate_public_pages()` itself.
"""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from clinic_site.page_cache.storage import invalidate_public_pages

_M2M_CHANGES = {"post_add", "post_remove", "post_clear"}


def content_models():
    """Every model whose rows appear on public pages."""
    return [
        *apps.get_app_config("pages").get_models(),
        # Staff-made redirects and the site's domain (used in sitemaps) shape pages too.
        apps.get_model("redirects", "Redirect"),
        apps.get_model("sites", "Site"),
    ]


def content_saved_or_deleted(sender, **kwargs):
    invalidate_public_pages()


def content_links_changed(sender, action, **kwargs):
    if action in _M2M_CHANGES:
        invalidate_public_pages()


def site_migrated(sender, **kwargs):
    # Every deploy runs `migrate`: start it with no page rendered by the previous code.
    invalidate_public_pages()


def connect(app_config):
    for model in content_models():
        uid = f"page-cache:{model._meta.label}"
        post_save.connect(content_saved_or_deleted, sender=model, dispatch_uid=uid)
        post_delete.connect(content_saved_or_deleted, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                content_links_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}.{field.name}",
            )
    post_migrate.connect(site_migrated, sender=app_config, dispatch_uid="page-cache:migrate")
