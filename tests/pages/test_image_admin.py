"""Staff upload images in the admin, describe them, choose them for pages, see where used."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pages.models import Article, Image
from tests.factories import image_upload, make_article, make_clinic, make_image

pytestmark = pytest.mark.django_db

ADD = reverse("admin:pages_image_add")


def change_url(obj):
    return reverse(f"admin:pages_{obj._meta.model_name}_change", args=[obj.pk])


def upload(admin_client, url=ADD, **fields):
    data = {"title": "London reception", "alt_text": "The reception desk", "_save": "Save"}
    data.update(fields)
    return admin_client.post(url, {k: v for k, v in data.items() if v is not None})


def errors(response):
    form = response.context["adminform"].form
    return {name: " ".join(messages) for name, messages in form.errors.items()}


def test_staff_upload_an_image_and_its_renditions_are_made(admin_client):
    response = upload(admin_client, upload=image_upload("reception.jpg", size=(1500, 1000)))

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.title, image.alt_text, image.is_decorative) == (
        "London reception",
        "The reception desk",
        False,
    )
    assert (image.width, image.height) == (1500, 1000)
    assert image.rendition_widths == [320, 640, 960, 1280, 1500]
    assert all(default_storage.exists(name) for name in image.file_names())


def test_an_upload_without_alt_text_or_decorative_is_refused(admin_client):
    response = upload(admin_client, alt_text="", upload=image_upload())

    assert response.status_code == 200
    assert "Describe what the image shows" in errors(response)["alt_text"]
    assert not Image.objects.exists()


def test_a_decorative_upload_with_alt_text_is_refused_and_without_it_is_saved(admin_client):
    refused = upload(admin_client, is_decorative="on", upload=image_upload())
    saved = upload(admin_client, is_decorative="on", alt_text="", upload=image_upload())

    assert "A decorative image has no alt text" in errors(refused)["alt_text"]
    assert saved.status_code == 302
    assert Image.objects.get().alt == ""


def test_an_upload_needs_a_file(admin_client):
    response = upload(admin_client)

    assert errors(response)["upload"] == "Choose the image file to upload."


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(admin_client):
    response = upload(admin_client, upload=SimpleUploadedFile("scan.jpg", b"%PDF-1.7 not a photo"))

    assert response.status_code == 200
    assert "“scan.jpg” is not a JPEG, PNG or WebP image" in errors(response)["upload"]
    assert "“scan.jpg” is not a JPEG, PNG or WebP image" in response.content.decode()
    assert not Image.objects.exists()


def test_an_oversize_file_is_refused_with_the_limit(admin_client, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024
    big = image_upload("huge.png", image_format="PNG")
    assert big.size > 1024

    response = upload(admin_client, upload=big)

    assert "the largest file accepted is 1.0\xa0KB" in errors(response)["upload"]
    assert not Image.objects.exists()


def test_the_upload_form_tells_staff_the_limits(admin_client):
    html = admin_client.get(ADD).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert "at most 10 MB and 40 megapixels" in html


def test_the_change_page_shows_a_preview_and_where_the_image_is_used(admin_client):
    image = make_image()
    article = make_article(hero_image=image)
    clinic = make_clinic(photo=image)

    html = admin_client.get(change_url(image)).content.decode()

    assert f'src="/media/images/{image.content_hash}/320.webp"' in html
    assert "1,200 × 800 px" in html
    assert f'<a href="{change_url(article)}">Article: {article.title}</a> (hero image)' in html
    assert f'<a href="{change_url(clinic)}">Clinic: {clinic.title}</a> (photo)' in html
    assert "Replace the image file" in html


def test_replacing_the_file_keeps_the_image_where_it_is_used(admin_client):
    image = make_image()
    article = make_article(hero_image=image)

    response = upload(
        admin_client,
        change_url(image),
        title=image.title,
        alt_text=image.alt_text,
        upload=image_upload(size=(800, 800)),
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.width, image.height) == (800, 800)
    assert Article.objects.get(pk=article.pk).hero_image == image


def test_editing_the_description_keeps_the_file(admin_client):
    image = make_image()
    content_hash = image.content_hash

    response = upload(
        admin_client, change_url(image), title="Renamed", alt_text="A better description"
    )

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.title, image.alt_text, image.content_hash) == (
        "Renamed",
        "A better description",
        content_hash,
    )


def test_the_image_list_shows_thumbnails_and_use_with_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    images = [make_image(f"Image {n}") for n in range(3)]
    make_article(hero_image=images[0])

    with django_assert_max_num_queries(12):
        html = admin_client.get(reverse("admin:pages_image_changelist")).content.decode()

    assert html.count(f'src="/media/images/{images[0].content_hash}/320.webp"') == 3
    assert "Article: Milia: tiny white bumps" in html
    assert html.count("Not used on any page yet.") == 2


def test_an_image_in_use_cannot_be_deleted_from_the_admin(admin_client):
    image = make_image()
    article = make_article(hero_image=image)

    response = admin_client.post(
        reverse("admin:pages_image_delete", args=[image.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert article.title in response.content.decode()
    assert Image.objects.filter(pk=image.pk).exists()


def test_an_unused_image_is_deleted_with_its_files(
    admin_client, django_capture_on_commit_callbacks
):
    image = make_image()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:pages_image_delete", args=[image.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert not any(default_storage.exists(name) for name in image.file_names())


@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("admin:pages_article_add", "hero_image"),
        ("admin:pages_treatment_add", "hero_image"),
        ("admin:pages_clinic_add", "photo"),
        ("admin:pages_teammember_add", "portrait"),
    ],
)
def test_pages_choose_their_image_from_the_library(admin_client, url_name, field):
    html = admin_client.get(reverse(url_name)).content.decode()

    assert f'name="{field}"' in html
    assert "admin-autocomplete" in html
