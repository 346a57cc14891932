"""Django's error reports (the debug page, admin error emails) without patients' answers."""

from django.template.defaultfilters import pprint
from django.views.debug import SafeExceptionReporterFilter

from clinic_site.logging_filters import redact


class _Shown(str):
    """A string the error report prints as it is, not as a quoted repr."""

    def __repr__(self):
        return str(self)


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """
    Active even with DEBUG on: a developer's copy of the database holds real requests too.
    Every POST value is hidden (the booking form is nearly all personal data), and email
    addresses and phone numbers in local variables are masked (docs/privacy.md).
    """

    def is_active(self, request):
        return True

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self._cleanse_multivaluedict(request.POST, "__ALL__")

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, _Shown(redact(pprint(value))))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]
