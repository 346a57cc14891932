"""
The content models' QuerySet: its bulk writes make every cached page stale, as saving one
item does through pages/signals.py. (The page cache itself is clinic_site/page_cache.)
"""

from django.db import models

from clinic_site.page_cache.storage import invalidate_public_pages


class ContentQuerySet(models.QuerySet):
    """
    The QuerySet of every content model. Its bulk writes send no signals, so they tell the
    page cache themselves: an admin action that publishes many articles with one UPDATE
    shows on the site at once, like an edit saved one by one.
    """

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        invalidate_public_pages()
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        invalidate_public_pages()
        return created

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        invalidate_public_pages()
        return rows
