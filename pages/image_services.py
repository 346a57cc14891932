"""
Saving and deleting uploaded images: their files in the default storage (any Django storage
backend: the local disk, or S3-compatible object storage, docs/deployment.md) and their row.

Files are named by a hash of their content (`images/<hash>/<width>.webp`), so a name never
changes meaning and browsers may keep them for ever; identical uploads share their files.
"""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from pages import imaging
from pages.models.images import Image

logger = logging.getLogger(__name__)


def image_save(*, image: Image, prepared: imaging.PreparedImage | None) -> Image:
    """
    Save `image`, with the files made from `prepared` when a (new) file was uploaded. A
    replaced file's old copies are deleted once the change is committed, unless another
    image still uses them.
    """
    old_hash, old_names = image.content_hash, image.file_names() if image.content_hash else []
    if prepared is not None:
        _store_files(image, prepared)
    image.full_clean()
    with transaction.atomic():
        image.save()
    if old_hash and old_hash != image.content_hash:
        transaction.on_commit(lambda: _delete_unused_files(old_hash, old_names))
    return image


def image_delete(*, image: Image) -> None:
    """Delete `image` and then its files. Refused (ProtectedError) while a page uses it."""
    content_hash, names = image.content_hash, image.file_names()
    with transaction.atomic():
        image.delete()
    transaction.on_commit(lambda: _delete_unused_files(content_hash, names))


def _store_files(image, prepared):
    master = prepared.master_bytes()
    image.content_hash = imaging.content_hash(master)
    image.width, image.height = prepared.width, prepared.height
    image.fallback_format = prepared.fallback_extension
    image.rendition_widths = prepared.rendition_widths()
    _write(image.master_name(), master)
    for (width, extension), data in prepared.renditions().items():
        _write(image.rendition_name(width, extension), data)


def _write(name, data):
    """Store `data` as `name` unless an identical upload already did (same hash, same bytes)."""
    if default_storage.exists(name):
        return
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        # Another upload of the same image stored it in between: keep that one.
        default_storage.delete(saved)


def _delete_unused_files(content_hash, names):
    if Image.objects.filter(content_hash=content_hash).exists():
        return
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the image file %s", name, exc_info=True)
