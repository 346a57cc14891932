"""
The site's content: articles, treatments, clinics, the clinical team, simple pages and the
home page's words.
Staff edit all of it in the admin; patients see only what is published.
"""

from pages.models.articles import Article
from pages.models.base import Content, MarkdownBody, PublishedQuerySet, ReviewedText
from pages.models.clinics import Clinic, clinics_offering
from pages.models.faqs import FAQ
from pages.models.fees import FeesAndTerms
from pages.models.hours import Closure, OpeningHours, Weekday
from pages.models.images import Image
from pages.models.simple_pages import HomePage, Page
from pages.models.team import Regulator, TeamMember
from pages.models.treatments import Treatment

__all__ = [
    "Article",
    "Clinic",
    "Closure",
    "Content",
    "FAQ",
    "FeesAndTerms",
    "HomePage",
    "Image",
    "MarkdownBody",
    "OpeningHours",
    "Page",
    "PublishedQuerySet",
    "Regulator",
    "ReviewedText",
    "TeamMember",
    "Treatment",
    "Weekday",
    "clinics_offering",
]
