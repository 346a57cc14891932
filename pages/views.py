"""
The public content pages. Each one renders with a small, fixed number of queries, whatever
the number of treatments or articles; staff (is_staff) can preview unpublished items.

Every public page is wrapped in `cache_public_page` (pages/cache.py): visitors without a
session get it from the page cache, with their own CSRF and booking-form tokens.
"""

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from pages import structured_data
from pages.cache import cache_public_page
from pages.models import Article, Clinic, HomePage, Page, Treatment
from pages.per_request import remember_published_treatments
from pages.sitemaps import SITEMAPS


@cache_public_page
@require_safe
def home(request):
    home_page = HomePage.load()
    context = {
        "home_page": home_page,
        "page_title": home_page.seo_title,
        "meta_description": home_page.meta_description,
        "featured_treatments": Treatment.objects.published().filter(is_featured=True),
        "latest_articles": Article.objects.published().select_related("expert")[:3],
        "structured_data": [
            structured_data.organization(request),
            structured_data.website(request),
        ],
    }
    return render(request, "pages/home.html", context)


@method_decorator(cache_public_page, name="dispatch")
class ContentDetailView(DetailView):
    """A published item by its slug; staff also see drafts, marked as a preview."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_breadcrumbs(self):
        return [{"name": self.object.title, "url": self.object.get_absolute_url()}]

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


@method_decorator(cache_public_page, name="dispatch")
class ArticleListView(ListView):
    template_name = "pages/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().select_related("expert")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_obj = context["page_obj"]
        description = (
            "Expert skin advice from the doctors at "
            f"{settings.CLINIC_NAME}, including press features."
        )
        context.update(
            page_title="Skin advice"
            + (f" (page {page_obj.number})" if page_obj.number > 1 else ""),
            meta_description=description,
            canonical_url=self.request.build_absolute_uri(
                self.request.path + (f"?page={page_obj.number}" if page_obj.number > 1 else "")
            ),
            breadcrumbs=[{"name": "Skin advice", "url": reverse("pages:article_list")}],
            structured_data=[
                structured_data.web_page(
                    self.request,
                    name="Skin advice",
                    description=description,
                    page_type="CollectionPage",
                )
            ],
        )
        return context


class ArticleDetailView(ContentDetailView):
    model = Article
    template_name = "pages/article_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("expert")
            .prefetch_related(
                Prefetch(
                    "related_treatments",
                    queryset=Treatment.objects.published(),
                    to_attr="published_treatments",
                )
            )
        )

    def get_breadcrumbs(self):
        return [
            {"name": "Skin advice", "url": reverse("pages:article_list")},
            *super().get_breadcrumbs(),
        ]

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
class TreatmentListView(ListView):
    template_name = "pages/treatment_list.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return Treatment.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        treatments = list(context["treatments"])
        description = (
            f"The skin conditions {settings.CLINIC_NAME} treat, and the procedures we use."
        )
        context.update(
            conditions=[t for t in treatments if t.is_condition],
            procedures=[t for t in treatments if not t.is_condition],
            page_title="Treatments",
            meta_description=description,
            breadcrumbs=[{"name": "Treatments", "url": reverse("pages:treatment_list")}],
            structured_data=[
                structured_data.web_page(
                    self.request,
                    name="Treatments",
                    description=description,
                    page_type="CollectionPage",
                )
            ],
        )
        return context


class TreatmentDetailView(ContentDetailView):
    model = Treatment
    template_name = "pages/treatment_detail.html"

    def get_breadcrumbs(self):
        return [
            {"name": "Treatments", "url": reverse("pages:treatment_list")},
            *super().get_breadcrumbs(),
        ]

    def get_structured_data(self):
        return [structured_data.treatment_page(self.request, self.object)]

    def get_context_data(self, **kwargs):
        treatment = self.object
        # One query for every published treatment, each marked if it is a cross-link (a
        # condition's procedures, or a procedure's conditions); the booking form's choices
        # reuse the same list (pages/per_request.py). One more for the articles.
        treatments = list(
            Treatment.objects.published().annotate(is_related=treatment.is_related_expression())
        )
        remember_published_treatments(self.request, treatments)
        return super().get_context_data(
            related_treatments=[t for t in treatments if t.is_related],
            related_articles=list(treatment.articles.published().select_related("expert")[:6]),
            **kwargs,
        )


@method_decorator(cache_public_page, name="dispatch")
class ClinicListView(ListView):
    template_name = "pages/clinic_list.html"
    context_object_name = "clinics"

    def get_queryset(self):
        return Clinic.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cities = " and ".join(clinic.city for clinic in context["clinics"])
        description = f"{settings.CLINIC_NAME} clinics" + (f" in {cities}." if cities else ".")
        context.update(
            page_title="Our clinics",
            meta_description=description,
            breadcrumbs=[{"name": "Clinics", "url": reverse("pages:clinic_list")}],
            structured_data=[
                structured_data.web_page(
                    self.request,
                    name="Our clinics",
                    description=description,
                    page_type="CollectionPage",
                )
            ],
        )
        return context


class ClinicDetailView(ContentDetailView):
    model = Clinic
    template_name = "pages/clinic_detail.html"

    def get_breadcrumbs(self):
        return [
            {"name": "Clinics", "url": reverse("pages:clinic_list")},
            *super().get_breadcrumbs(),
        ]

    def get_structured_data(self):
        return [structured_data.clinic(self.request, self.object)]


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
