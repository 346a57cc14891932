"""sitemap.xml: the home page, the section lists and every published item, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.urls import reverse

from pages.models import Article, Clinic, Page, Treatment


class RequestSitemap(Sitemap):
    """Addresses on the host the sitemap was requested from, not a stored Site domain."""

    def __init__(self, request):
        self.request = request

    def get_urls(self, page=1, site=None, protocol=None):
        return super().get_urls(page=page, site=RequestSite(self.request), protocol=protocol)


class SectionSitemap(RequestSitemap):
    priority = 0.8

    def items(self):
        return ["pages:home", "pages:article_list", "pages:treatment_list", "pages:clinic_list"]

    def location(self, item):
        return reverse(item)


class ContentSitemap(RequestSitemap):
    model = None

    def items(self):
        return self.model.objects.published().order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class ArticleSitemap(ContentSitemap):
    model = Article


class TreatmentSitemap(ContentSitemap):
    model = Treatment


class ClinicSitemap(ContentSitemap):
    model = Clinic


class PageSitemap(ContentSitemap):
    model = Page
    priority = 0.3


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "treatments": TreatmentSitemap,
    "clinics": ClinicSitemap,
    "pages": PageSitemap,
}
