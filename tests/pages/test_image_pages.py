"""
Uploaded images on the pages: one <picture> markup (WebP with a JPEG or PNG fallback, srcset,
sizes, width and height), heroes fetched at once and preloaded from the <head>, other images
lazy, JSON-LD `image` only when there is one, and pages without images as they were.
"""

import json
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from pages.templatetags.image_tags import SIZES
from tests.factories import image_upload, make_article, make_clinic, make_image, make_treatment

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load image_tags %}" + source).render(Context(context))


def head_and_body(html):
    head, _, body = html.partition("</head>")
    return head, body


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def img_tag(html):
    tags = re.findall(r"<img\b[^>]*>", html)
    assert len(tags) == 1, tags
    return tags[0]


# --- The tags ----------------------------------------------------------------------------------


def test_responsive_image_is_a_picture_with_webp_and_a_jpeg_fallback():
    image = make_image(upload=image_upload(size=(1200, 800)))
    base = f"/media/images/{image.content_hash}"

    html = render('{% responsive_image image sizes="content" %}', image=image)

    webp = ", ".join(f"{base}/{w}.webp {w}w" for w in (320, 640, 960, 1200))
    jpeg = ", ".join(f"{base}/{w}.jpg {w}w" for w in (320, 640, 960, 1200))
    assert html == (
        '<picture class="responsive-image">'
        f'<source type="image/webp" srcset="{webp}" sizes="{SIZES["content"]}">'
        f'<img src="{base}/960.jpg" srcset="{jpeg}" sizes="{SIZES["content"]}" '
        'width="1200" height="800" alt="The clinic&#x27;s reception desk" '
        'loading="lazy" decoding="async"></picture>'
    )


def test_a_hero_is_fetched_at_once_with_high_priority():
    image = make_image()

    tag = img_tag(render("{% responsive_image image hero=True %}", image=image))

    assert 'loading="eager"' in tag
    assert 'fetchpriority="high"' in tag
    assert "lazy" not in tag


def test_a_transparent_image_falls_back_to_png():
    image = make_image(upload=image_upload("logo.png", image_format="PNG", mode="RGBA"))

    html = render("{% responsive_image image %}", image=image)

    assert 'type="image/webp"' in html
    assert re.search(r'<img src="[^"]+/960\.png" srcset="[^"]+/320\.png 320w', html)


def test_a_decorative_image_has_an_empty_alt():
    image = make_image(is_decorative=True)

    assert 'alt=""' in img_tag(render("{% responsive_image image %}", image=image))


def test_a_sizes_value_may_be_given_as_it_is_and_css_classes_added():
    image = make_image()

    html = render(
        '{% responsive_image image sizes="(min-width: 600px) 50vw, 100vw" css_class="x" %}',
        image=image,
    )

    assert html.startswith('<picture class="responsive-image x">')
    assert html.count('sizes="(min-width: 600px) 50vw, 100vw"') == 2


def test_an_empty_image_field_renders_nothing():
    assert render("{% responsive_image None %}{% image_preload None %}") == ""


def test_preload_names_the_same_webp_candidates_and_sizes_as_the_image():
    image = make_image()

    link = render('{% image_preload image sizes="content" %}', image=image)
    picture = render('{% responsive_image image sizes="content" hero=True %}', image=image)

    source = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)"', picture)
    assert link == (
        f'<link rel="preload" as="image" type="image/webp" imagesrcset="{source[1]}" '
        f'imagesizes="{source[2]}" fetchpriority="high">'
    )


# --- On the pages ---------------------------------------------------------------------------


def test_an_article_with_a_hero_shows_it_first_and_preloads_it(client):
    image = make_image(alt_text="A close-up of milia on a cheek")
    article = make_article(hero_image=image)

    html = client.get(article.get_absolute_url()).content.decode()
    head, body = head_and_body(html)

    assert head.count('<link rel="preload" as="image"') == 1
    assert f"/media/images/{image.content_hash}/320.webp 320w" in head
    tag = img_tag(body)
    assert 'alt="A close-up of milia on a cheek"' in tag
    assert 'loading="eager" fetchpriority="high"' in tag
    assert 'width="1200" height="800"' in tag
    # Under the title, before the article's text.
    assert body.index("<h1>") < body.index('<picture class="responsive-image hero-image">')
    assert body.index("<picture") < body.index('<div class="prose">')


def test_an_article_with_a_hero_gives_it_to_search_engines(client):
    article = make_article(hero_image=make_image())

    html = client.get(article.get_absolute_url()).content.decode()
    page = next(item for item in json_ld(html) if item.get("@type") == "MedicalWebPage")

    image = article.hero_image
    assert page["mainEntity"]["image"] == (
        f"http://testserver/media/images/{image.content_hash}/1200.jpg"
    )


def test_a_page_without_images_has_no_picture_preload_or_image_data(client):
    article = make_article()
    treatment = make_treatment()
    clinic = make_clinic()

    for item in (article, treatment, clinic):
        html = client.get(item.get_absolute_url()).content.decode()
        assert "<picture" not in html
        assert "<img" not in html
        assert 'rel="preload"' not in html
        assert "/media/" not in html
        data = json.dumps(json_ld(html))
        assert '"image"' not in data


def test_a_treatment_with_a_hero_shows_preloads_and_describes_it(client):
    treatment = make_treatment(hero_image=make_image(alt_text="Cryotherapy being applied"))

    html = client.get(treatment.get_absolute_url()).content.decode()
    head, body = head_and_body(html)

    assert 'rel="preload"' in head
    assert 'alt="Cryotherapy being applied"' in img_tag(body)
    page = next(item for item in json_ld(html) if item.get("@type") == "MedicalWebPage")
    assert page["image"].startswith("http://testserver/media/images/")


def test_a_clinic_with_a_photo_shows_it_and_describes_it(client):
    clinic = make_clinic(photo=make_image(alt_text="The front door of the London clinic"))

    html = client.get(clinic.get_absolute_url()).content.decode()
    head, body = head_and_body(html)

    assert 'alt="The front door of the London clinic"' in img_tag(body)
    assert 'rel="preload"' in head
    data = next(item for item in json_ld(html) if item.get("@type") == "MedicalClinic")
    assert data["image"].endswith(f"/media/images/{clinic.photo.content_hash}/1200.jpg")


@pytest.mark.parametrize("kind", ["article", "treatment", "clinic"])
def test_an_image_costs_the_page_no_extra_query(client, settings, kind):
    settings.PAGE_CACHE_SECONDS = 0
    make = {"article": make_article, "treatment": make_treatment, "clinic": make_clinic}[kind]
    field = "photo" if kind == "clinic" else "hero_image"
    without, with_image = make(slug="plain"), make(slug="pictured", **{field: make_image()})

    counts = []
    for item in (without, with_image):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(item.get_absolute_url()).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
