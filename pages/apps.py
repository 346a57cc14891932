from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Site content"

    def ready(self):
        # Content changes make cached pages stale at once (pages/signals.py says why signals).
        from pages import signals

        signals.connect(self)
