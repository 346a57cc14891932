"""
The public content pages. Each one renders with a small, fixed number of queries, whatever
the number of treatments or articles; staff (is_staff) can preview unpublished items.

Every page gives base.html the same few things: `page_title`, `meta_description`,
`breadcrumbs` and `structured_data` (and `canonical_url` where it is not simply the page's
own address). Detail pages get them from ContentDetailView, section lists from
SectionListMixin; both name their `section`, the first step of the breadcrumb trail.

Every public page is wrapped in `cache_public_page` (clinic_site/page_cache, explained in
docs/architecture.md): visitors without a session get it from the page cache, with their own
CSRF and booking-form tokens.
"""

from typing import NamedTuple

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from clinic_site.page_cache.decorators import cache_public_page
from clinic_site.page_cache.expiry import expire_at
from clinic_site.page_cache.keys import list_page_number
from pages import opening_hours, structured_data
from pages.models import FAQ, Article, Clinic, HomePage, Page, TeamMember, Treatment
from pages.per_request import published_clinics_offering, remember_published_treatments
from pages.site_urls import absolute_url
from pages.sitemaps import SITEMAPS


class Section(NamedTuple):
    """A part of the site with a list page: its name in breadcrumbs, and that page's URL name."""

    name: str
    url_name: str

    def breadcrumb(self):
        return {"name": self.name, "url": reverse(self.url_name)}


SKIN_ADVICE = Section("Skin advice", "pages:article_list")
TREATMENTS = Section("Treatments", "pages:treatment_list")
CLINICS = Section("Clinics", "pages:clinic_list")


@cache_public_page
@require_safe
def home(request):
    home_page = HomePage.load()
    context = {
        "home_page": home_page,
        "page_title": home_page.seo_title,
        "meta_description": home_page.meta_description,
        "featured_treatments": Treatment.objects.published().filter(is_featured=True),
        "latest_articles": Article.objects.published().select_related("author")[:3],
        "structured_data": [
            structured_data.organization(request),
            structured_data.website(request),
        ],
    }
    return render(request, "pages/home.html", context)


@method_decorator(cache_public_page, name="dispatch")
class ContentDetailView(DetailView):
    """A published item by its slug; staff also see drafts, marked as a preview."""

    # The section the item is listed in, if any (simple pages are in none).
    section = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_breadcrumbs(self):
        item = {"name": self.object.title, "url": self.object.get_absolute_url()}
        return [self.section.breadcrumb(), item] if self.section else [item]

    def get_structured_data(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=self.object.page_title,
            meta_description=self.object.meta_description,
            canonical_url=self.request.build_absolute_uri(self.object.get_absolute_url()),
            breadcrumbs=self.get_breadcrumbs(),
            structured_data=self.get_structured_data(),
            is_preview=not self.object.is_published,
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A draft must never be kept by a shared cache or indexed.
            patch_cache_control(response, private=True, no_store=True)
            response["X-Robots-Tag"] = "noindex"
        return response


class SectionListMixin:
    """
    For a ListView of one section (skin advice, treatments, clinics): its published items
    (lists show no drafts, even to staff), and the page's title, description, breadcrumb and
    CollectionPage structured data. A paginated list's later pages get a title and
    canonical address of their own.
    """

    section: Section
    title = ""

    def get_queryset(self):
        return self.model.objects.published()

    def get_description(self, items):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        description = self.get_description(context["object_list"])
        page_title = self.title
        page_obj = context.get("page_obj")
        if page_obj is not None and page_obj.number > 1:
            page_title += f" (page {page_obj.number})"
            context["canonical_url"] = absolute_url(
                self.request, f"{self.request.path}?page={page_obj.number}"
            )
        context.update(
            page_title=page_title,
            meta_description=description,
            breadcrumbs=[self.section.breadcrumb()],
            structured_data=[
                structured_data.web_page(
                    self.request,
                    name=self.title,
                    description=description,
                    page_type="CollectionPage",
                )
            ],
        )
        return context


@method_decorator(cache_public_page(query={"page": list_page_number}), name="dispatch")
class ArticleListView(SectionListMixin, ListView):
    model = Article
    template_name = "pages/article_list.html"
    context_object_name = "articles"
    paginate_by = 20
    section = SKIN_ADVICE
    title = "Skin advice"

    def get_queryset(self):
        return super().get_queryset().select_related("author")

    def get_description(self, items):
        return (
            f"Expert skin advice from the doctors at {settings.CLINIC_NAME}, "
            "including press features."
        )


class ArticleDetailView(ContentDetailView):
    model = Article
    template_name = "pages/article_detail.html"
    section = SKIN_ADVICE

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("author", "reviewer", "hero_image")
            .prefetch_related(
                Prefetch(
                    "related_treatments",
                    queryset=Treatment.objects.published(),
                    to_attr="published_treatments",
                )
            )
        )

    def get_structured_data(self):
        return [
            structured_data.article_page(
                self.request, self.object, self.object.published_treatments
            )
        ]

    def get_context_data(self, **kwargs):
        # An article about one condition (milia) opens the booking form with it chosen.
        conditions = [t for t in self.object.published_treatments if t.is_condition]
        return super().get_context_data(
            og_type="article",
            article_condition=conditions[0] if len(conditions) == 1 else None,
            **kwargs,
        )


@method_decorator(cache_public_page, name="dispatch")
class TreatmentListView(SectionListMixin, ListView):
    model = Treatment
    template_name = "pages/treatment_list.html"
    context_object_name = "treatments"
    section = TREATMENTS
    title = "Treatments"

    def get_description(self, items):
        return f"The skin conditions {settings.CLINIC_NAME} treat, and the procedures we use."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        treatments = list(context["treatments"])
        context.update(
            conditions=[t for t in treatments if t.is_condition],
            procedures=[t for t in treatments if not t.is_condition],
        )
        return context


class TreatmentDetailView(ContentDetailView):
    model = Treatment
    template_name = "pages/treatment_detail.html"
    section = TREATMENTS

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("hero_image")
            .prefetch_related(
                Prefetch(
                    "performed_by",
                    queryset=TeamMember.objects.published(),
                    to_attr="published_performers",
                ),
                Prefetch("faqs", queryset=FAQ.objects.published(), to_attr="published_faqs"),
            )
        )

    def get_structured_data(self):
        treatment = self.object
        data = [structured_data.treatment_page(self.request, treatment)]
        if treatment.published_faqs:
            data.append(
                structured_data.faq_page(
                    self.request,
                    treatment.published_faqs,
                    name=f"{treatment.title}: frequently asked questions",
                    description=treatment.meta_description,
                )
            )
        return data

    def get_context_data(self, **kwargs):
        treatment = self.object
        # One query for every published treatment, each marked if it is a cross-link (a
        # condition's procedures, or a procedure's conditions); the booking form's choices
        # reuse the same list (pages/per_request.py). One more for the articles.
        treatments = list(
            Treatment.objects.published().annotate(is_related=treatment.is_related_expression())
        )
        remember_published_treatments(self.request, treatments)
        # The published clinics, each marked if it offers this treatment (the footer's list).
        clinics = published_clinics_offering(self.request, treatment)
        return super().get_context_data(
            available_at=[c for c in clinics if c.lists_treatment],
            related_treatments=[t for t in treatments if t.is_related],
            related_articles=list(treatment.articles.published().select_related("author")[:6]),
            **kwargs,
        )


@method_decorator(cache_public_page, name="dispatch")
class ClinicListView(SectionListMixin, ListView):
    model = Clinic
    template_name = "pages/clinic_list.html"
    context_object_name = "clinics"
    section = CLINICS
    title = "Our clinics"

    def get_description(self, items):
        cities = " and ".join(clinic.city for clinic in items)
        return f"{settings.CLINIC_NAME} clinics" + (f" in {cities}." if cities else ".")


class ClinicDetailView(ContentDetailView):
    model = Clinic
    template_name = "pages/clinic_detail.html"
    section = CLINICS

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("photo")
            .prefetch_related(
                Prefetch(
                    "team_members",
                    queryset=TeamMember.objects.published(),
                    to_attr="published_team_members",
                ),
                "opening_hours",
                "closures",
            )
        )

    def get_structured_data(self):
        return [
            structured_data.clinic(
                self.request,
                self.object,
                treatments=self.treatments_offered,
                closures=self.hours.closures,
            )
        ]

    def get_context_data(self, **kwargs):
        clinic = self.object
        # Every published treatment (the form's choices), each marked if it is offered here.
        treatments = list(
            Treatment.objects.published().annotate(offered_here=clinic.offers_expression())
        )
        remember_published_treatments(self.request, treatments)
        self.treatments_offered = [t for t in treatments if t.offered_here]
        self.hours = opening_hours.summarise(
            clinic.opening_hours.all(), clinic.closures.all(), now=timezone.now()
        )
        if self.hours.valid_until is not None:
            # "Open now" must not outlive the next opening or closing in the page cache.
            expire_at(self.request, self.hours.valid_until)
        return super().get_context_data(
            hours=self.hours, treatments_offered=self.treatments_offered, **kwargs
        )


class PageDetailView(ContentDetailView):
    model = Page
    template_name = "pages/page_detail.html"

    def get_structured_data(self):
        return [
            structured_data.web_page(
                self.request, name=self.object.title, description=self.object.meta_description
            )
        ]


@require_safe
def sitemap(request):
    # Built per request so every address in it uses the host the sitemap was asked for,
    # just as the pages' canonical links do.
    return django_sitemap(request, sitemaps={name: cls(request) for name, cls in SITEMAPS.items()})


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('pages:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
