"""The public site's addresses (the booking form's are in booking/urls.py)."""

from django.urls import path

from pages import faq_views, team_views, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("skin-advice/", views.ArticleListView.as_view(), name="article_list"),
    path("skin-advice/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("treatments/", views.TreatmentListView.as_view(), name="treatment_list"),
    path("treatments/<slug:slug>/", views.TreatmentDetailView.as_view(), name="treatment_detail"),
    path("clinics/", views.ClinicListView.as_view(), name="clinic_list"),
    path("clinics/<slug:slug>/", views.ClinicDetailView.as_view(), name="clinic_detail"),
    path("team/", team_views.TeamListView.as_view(), name="team_list"),
    path(
        "team/<slug:slug>/",
        team_views.TeamMemberDetailView.as_view(),
        name="team_member_detail",
    ),
    path("faqs/", faq_views.FAQListView.as_view(), name="faq_list"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Simple pages (privacy notice, terms) at the top level. Last, so it never hides a
    # section; Page.clean() refuses a slug another URL already uses. A path that is no
    # page answers 404, which lets staff-made redirects (django.contrib.redirects) act.
    path("<slug:slug>/", views.PageDetailView.as_view(), name="page_detail"),
]
