"""
The booking form's clinic choice for a treatment only some clinics offer: the note under
"Preferred clinic" naming where it is offered, and the message for a clinic that doesn't
offer it. Which clinics may be chosen is decided by pages.models.clinics_offering; "No
preference" is always allowed.
"""

from collections.abc import Iterable

from pages.models import Clinic, Treatment, clinics_offering


def where_offered_note(treatment: Treatment, clinics: list[Clinic]) -> str:
    """ "We treat moles at: London clinic."; "" when any of `clinics` may be chosen for it."""
    available = clinics_offering(treatment, clinics)
    if len(available) == len(clinics):
        return ""
    if not available:
        return (
            f"None of our clinics lists {treatment.title.lower()} yet: choose No preference "
            "and we will advise you."
        )
    return f"We {_verb(treatment)} {treatment.title.lower()} at: {_names(available, 'and')}."


def not_offered_message(clinic: Clinic, treatment: Treatment, clinics: Iterable[Clinic]) -> str:
    """
    What to say when `clinic` doesn't offer `treatment` ("" when it does): one query, and
    `clinics` (the ones to suggest instead) are read only if it doesn't.
    """
    if clinics_offering(treatment, [clinic]):
        return ""
    available = clinics_offering(treatment, clinics)
    message = f"{clinic.title} doesn't {_verb(treatment)} {treatment.title.lower()}. Choose "
    if available:
        message += f"{_names(available, 'or')}, or "
    return message + "No preference"


def _verb(treatment: Treatment) -> str:
    return "treat" if treatment.is_condition else "offer"


def _names(clinics: list[Clinic], conjunction: str) -> str:
    titles = [clinic.title for clinic in clinics]
    if len(titles) == 1:
        return titles[0]
    return f"{', '.join(titles[:-1])} {conjunction} {titles[-1]}"
