"""
The site's content: articles, treatments, clinics, simple pages and the home page's words.
Staff edit all of it in the admin; patients see only what is published.
"""

from pages.models.articles import Article, Expert
from pages.models.base import Content, MarkdownBody, PublishedQuerySet, ReviewedText
from pages.models.clinics import Clinic
from pages.models.simple_pages import HomePage, Page
from pages.models.treatments import Treatment

__all__ = [
    "Article",
    "Clinic",
    "Content",
    "Expert",
    "HomePage",
    "MarkdownBody",
    "Page",
    "PublishedQuerySet",
    "ReviewedText",
    "Treatment",
]
