"""
/faqs/: the general questions and answers (those not about one treatment; a treatment's own
are on its page). Built like the other sections (pages/views.py): cached whole, a fixed
number of queries, and FAQPage structured data once there is a question to give.
"""

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from clinic_site.page_cache.decorators import cache_public_page
from pages import structured_data
from pages.models import FAQ
from pages.views import Section, SectionListMixin

FAQS = Section("Frequently asked questions", "pages:faq_list")


@method_decorator(cache_public_page, name="dispatch")
class FAQListView(SectionListMixin, ListView):
    model = FAQ
    template_name = "pages/faq_list.html"
    context_object_name = "faqs"
    section = FAQS
    title = "Frequently asked questions"

    def get_queryset(self):
        return super().get_queryset().general()

    def get_description(self, items):
        return f"Answers to questions patients often ask {settings.CLINIC_NAME}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        faqs = list(context["faqs"])
        if faqs:
            context["structured_data"] = [
                structured_data.faq_page(
                    self.request,
                    faqs,
                    name=self.title,
                    description=context["meta_description"],
                )
            ]
        else:
            context["structured_data"] = [
                structured_data.web_page(
                    self.request, name=self.title, description=context["meta_description"]
                )
            ]
        context["faqs"] = faqs
        return context
