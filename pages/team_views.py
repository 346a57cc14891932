"""
The clinical team's pages: /team/ lists the published profiles, /team/<slug>/ shows one.
Built like the other sections (pages/views.py): cached whole, a fixed number of queries.
"""

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from clinic_site.page_cache.decorators import cache_public_page
from pages import structured_data
from pages.models import Article, Clinic, TeamMember, Treatment
from pages.per_request import remember_published_clinics, remember_published_treatments
from pages.views import ContentDetailView, Section, SectionListMixin

TEAM = Section("Our team", "pages:team_list")


@method_decorator(cache_public_page, name="dispatch")
class TeamListView(SectionListMixin, ListView):
    model = TeamMember
    template_name = "pages/team_list.html"
    context_object_name = "team_members"
    section = TEAM
    title = "Our clinical team"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("portrait")
            .prefetch_related(
                Prefetch(
                    "clinics", queryset=Clinic.objects.published(), to_attr="published_clinics"
                )
            )
        )

    def get_description(self, items):
        return (
            f"The doctors and clinicians at {settings.CLINIC_NAME}: their roles, "
            "qualifications, professional registration and where they work."
        )


class TeamMemberDetailView(ContentDetailView):
    model = TeamMember
    template_name = "pages/team_member_detail.html"
    context_object_name = "member"
    section = TEAM

    def get_queryset(self):
        return super().get_queryset().select_related("portrait")

    def get_context_data(self, **kwargs):
        member = self.object
        # Every published clinic and treatment, each marked if it is this clinician's: the
        # footer and the booking form reuse the same lists (pages/per_request.py), so the
        # profile costs one query for each, plus one for their articles.
        clinics = list(Clinic.objects.published().annotate(is_theirs=member.works_at_expression()))
        treatments = list(
            Treatment.objects.published().annotate(is_theirs=member.performs_expression())
        )
        remember_published_clinics(self.request, clinics)
        remember_published_treatments(self.request, treatments)
        self.member_clinics = [clinic for clinic in clinics if clinic.is_theirs]
        articles = Article.objects.published().filter(Q(author=member) | Q(reviewer=member))
        return super().get_context_data(
            member_clinics=self.member_clinics,
            member_treatments=[t for t in treatments if t.is_theirs],
            member_articles=list(articles[:6]),
            # A clinician at one clinic opens the booking form with it chosen.
            booking_clinic=self.member_clinics[0] if len(self.member_clinics) == 1 else None,
            og_type="profile",
            **kwargs,
        )

    def get_structured_data(self):
        return [structured_data.team_member_page(self.request, self.object, self.member_clinics)]
