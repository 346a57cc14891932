"""
The key a page is stored under: only the query parameters its view declared, as its key
functions write them, and the host in lower case. Made-up values, unknown parameters, odd
encodings and other spellings of the host create no new entries, and each still gets the
page its view renders for it.
"""

import re

import pytest

from tests.clinic_site.page_cache_helpers import renders, stored_pages, visitor
from tests.factories import make_article, make_clinic, make_treatment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_memory_cache", "page_cache_on")]
with_test_views = pytest.mark.urls("tests.clinic_site.page_cache_urls")

JUNK_QUERIES = [
    *(f"clinic=junk{number}" for number in range(10)),
    "clinic=",
    "clinic=%ZZ",  # not percent-encoding
    "clinic=%C0%AF",  # not UTF-8
    "clinic=lon%00don",
    "clinic=<script>",
    "clinic=junk&clinic=",  # the last value counts, as in the view
    "utm_source=newsletter&gclid=abc123",
    "junk=1&another=2",
]


def without_tokens(response):
    """The page with its per-visitor values blanked, to compare two visitors' pages."""
    html = response.content.decode()
    return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"', r'name="\1"', html)


# --- The mechanism, with the test views ---------------------------------------------------


@with_test_views
def test_each_value_of_a_declared_parameter_has_its_own_entry():
    make_clinic("London")
    make_clinic("Bristol")
    visitor().get("/query/?clinic=london")
    other = visitor().get("/query/?clinic=bristol")
    same = visitor().get("/query/?clinic=london")

    assert other["X-Page-Cache"] == "miss"
    assert same["X-Page-Cache"] == "hit"
    assert "Clinic: London;" in same.content.decode()


@with_test_views
def test_a_value_is_keyed_as_its_key_function_writes_it():
    make_clinic("London")
    visitor().get("/query/?clinic=london")

    for query in ("clinic=LONDON", "clinic=%4Condon", "clinic=london&utm_source=x"):
        response = visitor().get(f"/query/?{query}")
        assert response["X-Page-Cache"] == "hit", query
        assert "Clinic: London;" in response.content.decode()


@with_test_views
@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_made_up_query_strings_make_no_new_entry_and_get_the_plain_page(query):
    visitor().get("/query/")
    entries = stored_pages()

    response = visitor().get(f"/query/?{query}")

    assert response.status_code == 200
    assert "Clinic: any; page 1" in response.content.decode()
    assert stored_pages() == entries


@with_test_views
def test_other_query_strings_share_one_entry_so_junk_cannot_flood_the_cache():
    visitor().get("/page/")
    tracked = visitor().get("/page/?utm_source=glamour")
    junk = [visitor().get(f"/page/?junk={number}") for number in range(20)]

    assert tracked["X-Page-Cache"] == "hit"
    assert {response["X-Page-Cache"] for response in junk} == {"hit"}
    assert renders() == 1


@with_test_views
def test_page_numbers_are_keyed_as_django_reads_them():
    visitor().get("/query/")
    visitor().get("/query/?page=2")

    visitor().get("/query/?page=last")

    assert visitor().get("/query/?page=1")["X-Page-Cache"] == "hit"  # the plain page
    assert visitor().get("/query/?page=02")["X-Page-Cache"] == "hit"
    assert "page 2" in visitor().get("/query/?page=+2").content.decode()
    assert visitor().get("/query/?page=last")["X-Page-Cache"] == "hit"
    assert len(stored_pages()) == 3


@with_test_views
@pytest.mark.parametrize("page", ["abc", "1.5", "9" * 5000])
def test_a_page_number_that_cant_be_keyed_is_rendered_and_never_stored(page):
    visitor().get("/query/")
    entries = stored_pages()

    first = visitor().get(f"/query/?page={page}")
    second = visitor().get(f"/query/?page={page}")

    assert first.status_code == second.status_code == 404
    assert second["X-Page-Cache"] == "bypass"
    assert stored_pages() == entries


@with_test_views
@pytest.mark.parametrize("host", ["TESTSERVER", "testserver.", "testserver:8000"])
def test_other_spellings_of_the_host_are_served_its_page_but_never_stored(settings, host):
    settings.ALLOWED_HOSTS = ["testserver"]
    visitor().get("/page/")
    entries = stored_pages()

    served = visitor().get("/page/", headers={"host": host})
    visitor().get("/page/", headers={"host": host})

    assert stored_pages() == entries
    if host == "testserver:8000":  # a port makes another address, with its own pages
        assert served["X-Page-Cache"] == "bypass"
    else:
        assert served["X-Page-Cache"] == "hit"
    assert renders() == (3 if host == "testserver:8000" else 1)


@with_test_views
def test_a_host_with_the_servers_own_port_has_its_pages_stored(settings):
    """As `make run` is visited: http://127.0.0.1:8000/ (the test client's port is 80)."""
    settings.ALLOWED_HOSTS = ["testserver"]
    visitor().get("/page/", headers={"host": "testserver:80"})

    assert visitor().get("/page/", headers={"host": "testserver:80"})["X-Page-Cache"] == "hit"


# --- The real pages ----------------------------------------------------------------------


def test_book_page_with_a_made_up_preselection_is_the_plain_form_and_no_new_entry():
    make_treatment("Milia")
    make_clinic("London")
    plain = visitor().get("/book/")
    entries = stored_pages()

    pages = [
        visitor().get(f"/book/?{query.replace('clinic', 'treatment')}") for query in JUNK_QUERIES
    ]
    pages += [visitor().get(f"/book/?{query}") for query in JUNK_QUERIES]

    assert stored_pages() == entries
    assert {without_tokens(page) for page in pages} == {without_tokens(plain)}


def test_book_page_preselection_has_its_own_entry():
    make_treatment("Milia")
    make_clinic("London")
    visitor().get("/book/?treatment=milia&clinic=london")

    hit = visitor().get("/book/?clinic=london&treatment=milia&utm_source=x")
    plain = visitor().get("/book/")

    assert hit["X-Page-Cache"] == "hit"
    assert re.search(r'<option value="milia" selected>', hit.content.decode())
    assert plain["X-Page-Cache"] == "miss"
    assert not re.search(r'<option value="[^"]+" selected>', plain.content.decode())


def test_article_list_pages_are_keyed_by_number_and_junk_numbers_are_404_as_ever():
    for number in range(21):  # two pages of 20
        make_article(f"Advice {number}", slug=f"advice-{number}")
    visitor().get("/skin-advice/")
    visitor().get("/skin-advice/?page=2")
    entries = stored_pages()

    second = visitor().get("/skin-advice/?page=02")
    junk = [visitor().get(f"/skin-advice/?page={page}") for page in ("abc", "0", "3", "2.0")]

    assert second["X-Page-Cache"] == "hit"
    assert "Skin advice (page 2)" in second.content.decode()
    assert [response.status_code for response in junk] == [404] * 4
    assert stored_pages() == entries
