"""sitemap.xml: the home page, the section lists and every published item, nothing else."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sites.requests import RequestSite
from django.db.models import Max
from django.urls import reverse

from pages.models import FAQ, Article, Clinic, Page, TeamMember, Treatment


class RequestSitemap(Sitemap):
    """Addresses on the host the sitemap was requested from, not a stored Site domain."""

    def __init__(self, request):
        self.request = request

    def get_urls(self, page=1, site=None, protocol=None):
        return super().get_urls(page=page, site=RequestSite(self.request), protocol=protocol)


class SectionSitemap(RequestSitemap):
    priority = 0.8

    def items(self):
        return [
            "pages:home",
            "pages:article_list",
            "pages:treatment_list",
            "pages:clinic_list",
            "pages:team_list",
        ]

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


class TeamMemberSitemap(ContentSitemap):
    model = TeamMember


class FAQSitemap(RequestSitemap):
    """/faqs/, once it has a published question (until then it asks not to be indexed)."""

    def items(self):
        latest = FAQ.objects.general().published().aggregate(Max("updated_at"))
        changed = latest["updated_at__max"]
        return [("pages:faq_list", changed)] if changed else []

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


class PageSitemap(ContentSitemap):
    model = Page
    priority = 0.3


SITEMAPS = {
    "sections": SectionSitemap,
    "articles": ArticleSitemap,
    "treatments": TreatmentSitemap,
    "clinics": ClinicSitemap,
    "team": TeamMemberSitemap,
    "faqs": FAQSitemap,
    "pages": PageSitemap,
}
