"""
Uploaded images: described for patients who can't see them, re-encoded without what the camera
wrote into them, refused with a clear message when they can't be used, and stored as WebP and
JPEG (or PNG) renditions under content-hashed names.

Every image is made here with Pillow; files land in the run's own MEDIA_ROOT (tests/conftest.py).
"""

import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.db.models import ProtectedError
from PIL import ExifTags, ImageCms
from PIL import Image as PillowImage

from pages import imaging
from pages.image_services import image_delete, image_save
from pages.models import Image
from tests.factories import image_upload, make_article, make_image

pytestmark = pytest.mark.django_db


def stored(name):
    with default_storage.open(name) as file:
        data = file.read()
    picture = PillowImage.open(io.BytesIO(data))
    picture.load()
    return picture, data


def refusal(upload):
    with pytest.raises(ValidationError) as refused:
        imaging.prepare(upload)
    return " ".join(refused.value.messages)


# --- Describing an image -------------------------------------------------------------------


def test_an_image_needs_alt_text_unless_it_is_decorative():
    image = Image(title="Reception", alt_text="   ", width=10, height=10, content_hash="0" * 16)

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert "Describe what the image shows" in refused.value.message_dict["alt_text"][0]
    assert "tick “decorative”" in refused.value.message_dict["alt_text"][0]


def test_a_decorative_image_has_no_alt_text():
    image = Image(
        title="Pattern",
        alt_text="A pattern",
        is_decorative=True,
        width=10,
        height=10,
        content_hash="0" * 16,
    )

    with pytest.raises(ValidationError) as refused:
        image.full_clean()

    assert "A decorative image has no alt text" in refused.value.message_dict["alt_text"][0]


def test_alt_is_the_alt_text_or_empty_for_a_decorative_image():
    assert Image(alt_text="Dr Ross Perry at the London clinic").alt == (
        "Dr Ross Perry at the London clinic"
    )
    assert Image(is_decorative=True).alt == ""


def test_the_database_refuses_an_image_with_neither_alt_text_nor_decorative():
    with pytest.raises(IntegrityError):
        Image.objects.create(title="Neither", width=10, height=10, content_hash="0" * 16)


# --- Re-encoded on upload -------------------------------------------------------------------


def jpeg_with_gps(size=(600, 400), orientation=1):
    """A phone photo: GPS location, camera make, a comment and an orientation in its EXIF."""
    exif = PillowImage.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 26.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    return image_upload(size=size, exif=exif, comment=b"Taken at home")


def test_upload_is_stored_without_gps_or_any_other_metadata():
    upload = jpeg_with_gps()
    sent = PillowImage.open(io.BytesIO(upload.read()))
    assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo has a location"

    image = make_image(upload=jpeg_with_gps())

    assert len(image.file_names()) == 1 + 2 * len(image.rendition_widths)
    for name in image.file_names():
        picture, data = stored(name)
        assert dict(picture.getexif()) == {}, name
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(picture.info), name
        assert b"PhoneMaker" not in data and b"Taken at home" not in data, name


def test_orientation_is_applied_to_the_pixels():
    """A phone photo taken upright is stored sideways with an "rotate 90°" tag."""
    picture = PillowImage.new("RGB", (600, 300), "red")
    picture.paste("blue", (300, 0, 600, 300))  # left half red, right half blue
    exif = PillowImage.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to display
    data = io.BytesIO()
    picture.save(data, "JPEG", exif=exif)

    image = make_image(upload=SimpleUploadedFile("phone.jpg", data.getvalue()))
    master, _ = stored(image.master_name())

    assert (image.width, image.height) == (300, 600)
    assert master.size == (300, 600)
    red, green, blue = master.getpixel((150, 100))
    assert red > 200 and blue < 60  # the left half is now at the top
    red, green, blue = master.getpixel((150, 500))
    assert blue > 200 and red < 60


def test_cmyk_and_colour_profiled_images_come_out_as_plain_rgb():
    cmyk = io.BytesIO()
    PillowImage.new("CMYK", (400, 300), (0, 255, 255, 0)).save(cmyk, "JPEG")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    with_profile = image_upload("profiled.jpg", size=(400, 300), icc_profile=profile)

    for upload in (SimpleUploadedFile("print.jpg", cmyk.getvalue()), with_profile):
        prepared = imaging.prepare(upload)
        assert prepared.image.mode == "RGB"
        assert prepared.image.info == {}


def test_the_full_size_copy_kept_is_at_most_3840_pixels_a_side():
    prepared = imaging.prepare(image_upload(size=(5000, 2000)))

    assert prepared.image.size == (3840, 1536)


# --- Refused, with a message staff can act on ------------------------------------------------


def test_a_text_file_named_jpg_is_refused():
    message = refusal(SimpleUploadedFile("notes.jpg", b"Appointments on Tuesday\n" * 20))

    assert "“notes.jpg” is not a JPEG, PNG or WebP image" in message
    assert "save or export it as a JPEG" in message


def test_an_svg_is_refused():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>"
    )

    message = refusal(SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"))

    assert "“logo.svg” is not a JPEG, PNG or WebP image" in message


def test_other_image_formats_are_refused():
    gif = io.BytesIO()
    PillowImage.new("RGB", (20, 20)).save(gif, "GIF")

    assert "is not a JPEG, PNG or WebP image" in refusal(
        SimpleUploadedFile("a.gif", gif.getvalue())
    )


def test_a_truncated_image_is_refused():
    whole = image_upload("cut.jpg", size=(800, 600)).read()

    message = refusal(SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]))

    assert "“cut.jpg” looks damaged or incomplete" in message


def png_header(width, height):
    """A tiny PNG that claims to be width × height pixels: a "decompression bomb"."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(9_000, 5_000), (10_000, 10_000), (100_000, 100_000)])
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(size):
    """Past 40 megapixels by our own check; past Pillow's warning (89 megapixels) and its
    refusal (179) by those."""
    message = refusal(SimpleUploadedFile("huge.png", png_header(*size)))

    assert "“huge.png”" in message
    assert "the largest accepted is 40 megapixels" in message


def test_the_pixel_limit_message_names_the_size(settings):
    settings.IMAGE_UPLOAD_MAX_PIXELS = 1_000_000

    message = refusal(image_upload("wide.jpg", size=(1500, 1000)))

    assert "“wide.jpg” is 1,500 × 1,000 pixels (2 megapixels)" in message
    assert "the largest accepted is 1 megapixels" in message


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 10 * 1024
    upload = image_upload("big.png", size=(600, 600), image_format="PNG", mode="RGBA")
    assert upload.size > 10 * 1024

    message = refusal(upload)

    assert "“big.png” is" in message
    assert "the largest file accepted is 10.0\xa0KB" in message  # a no-break space


def test_an_animated_image_is_refused():
    frames = [PillowImage.new("RGB", (40, 40), colour) for colour in ("red", "blue")]
    data = io.BytesIO()
    frames[0].save(data, "PNG", save_all=True, append_images=frames[1:])

    assert "is animated" in refusal(SimpleUploadedFile("spin.png", data.getvalue()))


# --- Renditions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (2500, [320, 640, 960, 1280, 1920]),
        (1200, [320, 640, 960, 1200]),
        (960, [320, 640, 960]),
        (200, [200]),
    ],
)
def test_renditions_are_made_at_each_width_up_to_the_images_own(width, widths):
    image = make_image(upload=image_upload(size=(width, width // 2)))

    assert image.rendition_widths == widths
    for rendition_width in widths:
        webp, _ = stored(image.rendition_name(rendition_width, "webp"))
        jpeg, _ = stored(image.rendition_name(rendition_width, "jpg"))
        assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
        assert webp.size == jpeg.size == (rendition_width, round(rendition_width / 2))


def test_webp_renditions_are_smaller_than_the_jpeg_ones():
    image = make_image(upload=image_upload(size=(1600, 1000)))

    for width in image.rendition_widths:
        webp = default_storage.size(image.rendition_name(width, "webp"))
        assert webp < default_storage.size(image.rendition_name(width, "jpg"))


def test_an_image_with_transparency_falls_back_to_png():
    image = make_image(upload=image_upload("logo.png", image_format="PNG", mode="RGBA"))

    assert image.fallback_format == "png"
    png, _ = stored(image.rendition_name(320, "png"))
    webp, _ = stored(image.rendition_name(320, "webp"))
    assert (png.format, png.mode) == ("PNG", "RGBA")
    assert webp.mode == "RGBA"
    assert not default_storage.exists(image.rendition_name(320, "jpg"))


def test_an_unused_alpha_channel_is_dropped_for_a_jpeg_fallback():
    opaque = io.BytesIO()
    PillowImage.new("RGBA", (400, 300), (10, 80, 90, 255)).save(opaque, "PNG")

    image = make_image(upload=SimpleUploadedFile("flat.png", opaque.getvalue()))

    assert image.fallback_format == "jpg"


# --- Content-hashed names, shared and deleted ---------------------------------------------------


def test_files_are_named_by_a_hash_of_their_content():
    image = make_image()

    assert re.fullmatch(r"[0-9a-f]{16}", image.content_hash)
    assert image.rendition_name(320, "webp") == f"images/{image.content_hash}/320.webp"
    assert image.master_name() == f"images/{image.content_hash}/original.jpg"
    assert make_image(upload=image_upload(size=(1000, 800))).content_hash != image.content_hash


def test_the_same_upload_twice_shares_its_files_which_go_with_the_last_image(
    django_capture_on_commit_callbacks,
):
    first, second = make_image("First"), make_image("Second")
    assert first.content_hash == second.content_hash
    name = first.rendition_name(320, "webp")

    with django_capture_on_commit_callbacks(execute=True):
        image_delete(image=first)
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        image_delete(image=second)
    assert not any(default_storage.exists(n) for n in second.file_names())


def test_a_replaced_file_is_deleted_once_the_change_is_saved(django_capture_on_commit_callbacks):
    image = make_image()
    old_names = image.file_names()

    with django_capture_on_commit_callbacks(execute=True):
        image_save(image=image, prepared=imaging.prepare(image_upload(size=(900, 900))))

    assert image.rendition_widths == [320, 640, 900]
    assert not any(default_storage.exists(name) for name in old_names)
    assert all(default_storage.exists(name) for name in image.file_names())


def test_an_image_a_page_uses_cannot_be_deleted():
    image = make_image()
    make_article(hero_image=image)

    with pytest.raises(ProtectedError):
        image_delete(image=image)
    assert default_storage.exists(image.master_name())
