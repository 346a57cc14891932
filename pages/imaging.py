"""
The Pillow side of uploaded images: check a file staff upload, decode it, and encode the
copies the site keeps. Nothing here touches storage or the database (pages/image_services.py
does).

Every upload is decoded and encoded afresh, never stored as sent: what a camera or phone
wrote into the file (GPS location, device, date, comments) is dropped, the EXIF orientation
is applied to the pixels, and colours are converted to sRGB. Files that are too big (in
bytes or in pixels: a small file can decode to gigabytes), not a JPEG, PNG or WebP image,
animated or damaged are refused with a message staff can act on. docs/content.md explains
the rules to staff; docs/security.md why uploads are handled this way.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow's names for the formats staff may upload.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Widths of the renditions made of every image; the last one made is the image's own width
# when it is narrower than the largest (an image is never enlarged).
RENDITION_WIDTHS = (320, 640, 960, 1280, 1920)
# The full-size copy kept (to make renditions from) fits in this square: twice the largest
# rendition, so a new rendition size never needs the camera's original.
MASTER_MAX_SIDE = 3840
# Encoder settings: visually lossless for photographs at a fraction of the camera's size.
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}
MASTER_JPEG_OPTIONS = {"quality": 90, "optimize": True}
WEBP_OPTIONS = {"quality": 80, "method": 4}
PNG_OPTIONS = {"optimize": True}
# The file extension and the Pillow format of each kind of copy.
FORMATS = {"webp": "WEBP", "jpg": "JPEG", "png": "PNG"}

NOT_AN_IMAGE = (
    "“{name}” is not a JPEG, PNG or WebP image, so it can’t be used. Open it on your computer "
    "and save or export it as a JPEG (for a photo) or PNG, then upload that."
)
DAMAGED = (
    "“{name}” looks damaged or incomplete (it may not have finished copying). Open it on your "
    "computer to check it, save it again and upload the new copy."
)
ANIMATED = "“{name}” is animated. Upload a still image (a JPEG or PNG) instead."
TOO_MANY_BYTES = (
    "“{name}” is {size}; the largest file accepted is {limit}. Save a smaller copy (2,500 "
    "pixels wide is plenty) and upload that."
)
TOO_MANY_PIXELS = (
    "“{name}” is {width:,} × {height:,} pixels ({megapixels:,.0f} megapixels); the largest "
    "accepted is {limit:,.0f} megapixels. Save a smaller copy (2,500 pixels wide is plenty) "
    "and upload that."
)


@dataclass(frozen=True)
class PreparedImage:
    """An upload decoded, turned upright, in sRGB and stripped of everything but its pixels."""

    image: Image.Image
    has_alpha: bool

    @property
    def width(self):
        return self.image.width

    @property
    def height(self):
        return self.image.height

    @property
    def fallback_extension(self):
        """The format for browsers without WebP: PNG keeps transparency, JPEG is smaller."""
        return "png" if self.has_alpha else "jpg"

    def master_bytes(self):
        """The full-size copy kept to make renditions from (never served)."""
        options = PNG_OPTIONS if self.has_alpha else MASTER_JPEG_OPTIONS
        return encode(self.image, self.fallback_extension, options)

    def rendition_widths(self):
        return rendition_widths(self.width)

    def renditions(self):
        """{(width, extension): bytes} for every rendition width, as WebP and the fallback."""
        made = {}
        fallback = self.fallback_extension
        fallback_options = PNG_OPTIONS if self.has_alpha else JPEG_OPTIONS
        # Largest first, each made from the one before: one slow resize of the master.
        source = self.image
        for width in reversed(self.rendition_widths()):
            source = resize_to_width(source, width)
            made[width, "webp"] = encode(source, "webp", WEBP_OPTIONS)
            made[width, fallback] = encode(source, fallback, fallback_options)
        return made


def rendition_widths(width):
    """[320, 640, …] up to the image's own width, which is the last (capped at 1920)."""
    largest = min(width, RENDITION_WIDTHS[-1])
    return [w for w in RENDITION_WIDTHS if w < largest] + [largest]


def resize_to_width(image, width):
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    # reducing_gap: a fast first reduction, then Lanczos; indistinguishable, much quicker.
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode(image, extension, options):
    """`image` as `extension` bytes, with nothing but its pixels (no EXIF, ICC or text)."""
    output = io.BytesIO()
    image.info = {}
    image.save(output, FORMATS[extension], **options)
    return output.getvalue()


def content_hash(data):
    """The short hash that names an image's folder: new content, new address."""
    return hashlib.sha256(data).hexdigest()[:16]


def prepare(upload):
    """
    Check and decode an uploaded file (a Django UploadedFile, or any file with .name and
    .size); raise ValidationError with a message staff can act on when it can't be used.
    """
    name = getattr(upload, "name", "") or "The file"
    limit = settings.IMAGE_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            TOO_MANY_BYTES.format(
                name=name, size=filesizeformat(upload.size), limit=filesizeformat(limit)
            ),
            code="file_too_big",
        )
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow warns about (and past twice its own limit refuses) images with more pixels
        # than Image.MAX_IMAGE_PIXELS; our own, lower limit is checked before decoding.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, None) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(NOT_AN_IMAGE.format(name=name), code="not_an_image") from None
        if image.width * image.height > settings.IMAGE_UPLOAD_MAX_PIXELS:
            raise _too_many_pixels(name, image)
        if getattr(image, "n_frames", 1) > 1:
            raise ValidationError(ANIMATED.format(name=name), code="animated")
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, image) from None
        except (OSError, SyntaxError, ValueError):
            raise ValidationError(DAMAGED.format(name=name), code="damaged") from None
    return _normalise(image)


def _too_many_pixels(name, image):
    width, height = (image.width, image.height) if image is not None else (0, 0)
    limit = settings.IMAGE_UPLOAD_MAX_PIXELS / 1_000_000
    if image is None:
        message = (
            f"“{name}” has far too many pixels to be a photo for a web page; the largest "
            f"accepted is {limit:,.0f} megapixels. Save a smaller copy and upload that."
        )
    else:
        message = TOO_MANY_PIXELS.format(
            name=name,
            width=width,
            height=height,
            megapixels=width * height / 1_000_000,
            limit=limit,
        )
    return ValidationError(message, code="too_many_pixels")


def _normalise(image):
    """Upright, sRGB, RGB or RGBA (RGBA only when some pixel is see-through)."""
    icc_profile = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
    mode = "RGBA" if has_alpha else "RGB"
    converted = (_to_srgb(upright, icc_profile, mode) if icc_profile else None) or upright.convert(
        mode
    )
    if has_alpha and converted.getchannel("A").getextrema() == (255, 255):
        # An alpha channel nothing uses: drop it, so the fallback can be a (smaller) JPEG.
        converted, has_alpha = converted.convert("RGB"), False
    if max(converted.size) > MASTER_MAX_SIDE:
        converted.thumbnail((MASTER_MAX_SIDE, MASTER_MAX_SIDE), Image.Resampling.LANCZOS)
    converted.info = {}
    return PreparedImage(image=converted, has_alpha=has_alpha)


def _to_srgb(image, icc_profile, mode):
    """The pixels converted from the file's colour profile to sRGB (what browsers assume for
    an image without one), or None when the profile can't be used with this image."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None
