"""
What makes a page cheap to render and light to load: no include inside a loop, the cached
template loader, and static files as a deploy serves them (purged Bootstrap with every rule
the templates use, hashed, compressed, cached for ever, nothing from other sites).
"""

import re
from io import StringIO
from pathlib import Path

import crispy_bootstrap5
import crispy_forms
import django
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import engines
from django.template.defaulttags import ForNode
from django.template.loader_tags import IncludeNode
from django.test import Client
from django.test.utils import override_settings

from tests.pages.public_pages import ARTICLE

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
BOOTSTRAP = ROOT / "static/vendor/bootstrap-5.3.8"


@pytest.fixture
def seeded(db, settings):
    """The seeded site (as `make run` leaves it), rendered each time: the page cache off."""
    settings.PAGE_CACHE_SECONDS = 0
    call_command("seed_content", stdout=StringIO())


def project_templates():
    folder = ROOT / "templates"
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*.html"))


def test_no_include_inside_a_loop():
    """An {% include %} per loop item re-renders a template each time: use a partial or
    one loop instead (STYLE.md)."""
    engine = engines["django"].engine
    offenders = []
    for name in project_templates():
        template = engine.get_template(name)
        for loop in template.nodelist.get_nodes_by_type(ForNode):
            if loop.nodelist_loop.get_nodes_by_type(IncludeNode):
                offenders.append(name)
    assert offenders == []


def test_production_uses_the_cached_template_loader():
    """Django wraps the loaders in the cached loader when none are configured."""
    options = settings.TEMPLATES[0]
    loaders = engines["django"].engine.template_loaders

    assert "loaders" not in options.get("OPTIONS", {})
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


# --- Static files --------------------------------------------------------------------------


def test_pages_use_the_purged_bootstrap(seeded):
    html = Client().get(ARTICLE).content.decode()
    purged, full = BOOTSTRAP / "bootstrap.purged.min.css", BOOTSTRAP / "bootstrap.min.css"

    assert "bootstrap.purged.min.css" in html
    assert "bootstrap.min.css" not in html
    assert purged.stat().st_size < full.stat().st_size / 3


def _class_selectors(css):
    """Each rule's selectors, as the set of classes each one needs."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    selectors = []
    for prelude in re.findall(r"([^{}@;]+)\{", css):
        for selector in prelude.split(","):
            classes = set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", selector))
            if classes:
                selectors.append(classes)
    return selectors


def _content_words():
    """The words PurgeCSS sees (the same files as scripts/purge-css.mjs)."""
    folders = [
        (ROOT / "templates", "*.html"),
        (ROOT / "pages", "*.py"),
        (ROOT / "booking", "*.py"),
        (ROOT / "clinic_site", "*.py"),
        (ROOT / "pages/seed", "*.md"),
        (Path(crispy_bootstrap5.__file__).parent, "*.html"),
        (Path(crispy_bootstrap5.__file__).parent, "*.py"),
        (Path(crispy_forms.__file__).parent, "*.html"),
        (Path(crispy_forms.__file__).parent, "*.py"),
        (Path(django.__file__).parent / "forms/templates/django/forms", "*.html"),
    ]
    words = set()
    for folder, pattern in folders:
        for path in folder.rglob(pattern):
            words.update(re.findall(r"[\w-]+", path.read_text(errors="replace")))
    return words


def test_purged_bootstrap_has_every_rule_the_templates_need():
    """Fails when a template or form starts using a Bootstrap class: run `make css`."""
    words = _content_words()
    purged = {
        c
        for classes in _class_selectors((BOOTSTRAP / "bootstrap.purged.min.css").read_text())
        for c in classes
    }
    needed = {
        c
        for classes in _class_selectors((BOOTSTRAP / "bootstrap.min.css").read_text())
        if classes <= words
        for c in classes
    }

    assert needed - purged == set()
    assert {"btn", "btn-primary", "form-control", "is-invalid", "visually-hidden"} <= purged


def test_nothing_is_loaded_from_another_site(seeded):
    """No third-party fonts, scripts or styles: the CSP allows only 'self' anyway."""
    html = Client().get(ARTICLE).content.decode()
    loaded = re.findall(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"', html)
    external = [
        url
        for url in loaded
        if url.startswith(("http:", "https:", "//")) and 'rel="canonical"' not in url
    ]
    stylesheets = [*(ROOT / "static/css").glob("*.css"), BOOTSTRAP / "bootstrap.purged.min.css"]

    assert [u for u in external if "testserver" not in u] == []
    for stylesheet in stylesheets:
        css = stylesheet.read_text()
        assert "@font-face" not in css, stylesheet
        assert "@import" not in css, stylesheet
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), stylesheet


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory, django_db_blocker):
    """The static files as a deploy collects them: hashed names, gzip and brotli copies."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        # The admin's hundreds of files would only make this slower; public pages use none.
        call_command("collectstatic", "--noinput", "--ignore", "admin", verbosity=0)
        yield root


def test_static_files_are_hashed_compressed_and_cached_for_ever(collected_static, seeded):
    html = Client().get(ARTICLE).content.decode()
    css_url = re.search(
        r'href="(/static/vendor/[^"]+/bootstrap\.purged\.min\.[0-9a-f]{12}\.css)"', html
    )
    assert css_url, "pages link the hashed file name"

    brotli = Client().get(css_url[1], headers={"accept-encoding": "br, gzip"})
    gzipped = Client().get(css_url[1], headers={"accept-encoding": "gzip"})

    assert brotli.status_code == 200
    assert brotli["Content-Encoding"] == "br"
    assert gzipped["Content-Encoding"] == "gzip"
    assert brotli["Cache-Control"] == "max-age=315360000, public, immutable"
    size = int(brotli["Content-Length"])
    assert size < 12_000, f"purged Bootstrap is {size} bytes with brotli"
