"""
Uploaded images from the default storage, at MEDIA_URL when that is a path on this site (the
local disk: `make run`, a single server). WhiteNoise serves only static files, so this view
serves the image renditions, cached for a year by browsers and any CDN: their names hold a
hash of their content (pages/models/images.py), so a name never changes what it shows.

Only rendition names are served (`images/<hash>/<width>.<webp|jpg|png>`): the full-size
master, any other file and any path with `..` in it answer 404 without touching storage.
With object storage (docs/deployment.md#uploaded-images) the storage's own URLs are used and
this view is not reached.
"""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

RENDITION_PATH = re.compile(r"images/[0-9a-f]{16}/[1-9][0-9]{0,4}\.(webp|jpg|png)")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
CACHE_FOR_A_YEAR = "public, max-age=31536000, immutable"


@require_safe
def serve_media(request, path):
    match = RENDITION_PATH.fullmatch(path)
    if match is None:
        raise Http404("Not an image rendition.")
    try:
        file = default_storage.open(path, "rb")
    except FileNotFoundError:
        raise Http404("No such image.") from None
    response = FileResponse(file, content_type=CONTENT_TYPES[match[1]])
    response["Cache-Control"] = CACHE_FOR_A_YEAR
    return response
