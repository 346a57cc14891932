"""
Form fields for text people type, for choices from the published clinics and treatments, and
for the days and times of day a patient can usually come.
"""

import unicodedata

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.models import ModelChoiceIterator

from booking.preferred_times import ANY_TIME, Day, TimeOfDay, WeeklyTimes
from pages.models import Treatment

# Invisible bidirectional formatting characters (marks, embeddings, overrides, isolates). They
# never change the letters of a name, but can make it display as something else in the admin.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Control characters that are really line or word breaks (pasted from word processors).
LINE_BREAKS = dict.fromkeys(map(ord, "\x0b\x0c\x85\u2028\u2029"), "\n")
WORD_BREAKS = dict.fromkeys(map(ord, "\x1c\x1d\x1e\x1f"), " ")

TREATMENT_GROUPS = {
    Treatment.Kind.CONDITION: "Skin concerns",
    Treatment.Kind.PROCEDURE: "Treatment options",
}


def has_control_characters(value: str, *, allowed: str = "") -> bool:
    """True if `value` holds a control character (NUL included) or a lone surrogate."""
    return any(unicodedata.category(char) in {"Cc", "Cs"} and char not in allowed for char in value)


class PlainTextField(forms.CharField):
    """
    Text a person types. Unicode-normalised (NFC), with bidirectional controls removed and
    whitespace tidied: one line collapses runs of spaces; many lines keep their line breaks.
    Control characters (NUL included) are refused with the field's "control_characters"
    message, which replaces Django's "Null characters are not allowed."
    """

    default_error_messages = {
        "control_characters": "Remove the hidden control characters (these can come from "
        "pasted text) and try again",
    }

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value):
        value = super().to_python(value)
        value = unicodedata.normalize("NFC", value).translate(BIDI_CONTROLS)
        if self.multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            return value.translate(LINE_BREAKS).translate(WORD_BREAKS).strip()
        return " ".join(value.split())

    def validate(self, value):
        super().validate(value)
        if has_control_characters(value, allowed="\n\t" if self.multiline else ""):
            raise forms.ValidationError(
                self.error_messages["control_characters"], code="control_characters"
            )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if self.multiline:
            # No maxlength on the message box: browsers silently cut pasted text at the limit.
            # The hint states the limit and the server explains if it is passed.
            attrs.pop("maxlength", None)
        return attrs


class UncheckedField(forms.CharField):
    """A hidden field the patient never sees: it never shows an error, whatever it holds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators = []


class TelInput(forms.TextInput):
    input_type = "tel"


class ListedChoiceIterator(ModelChoiceIterator):
    """
    The options from the objects the page being rendered has already fetched, when the form
    was given them (`clinics=`, `treatments=`: pages/per_request.py, so the footer and the
    form share one query); from the field's queryset otherwise.
    """

    def objects(self):
        listed = getattr(self.field, "listed_objects", None)
        return self.queryset if listed is None else listed

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.objects():
            yield self.choice(obj)

    def __len__(self):
        listed = getattr(self.field, "listed_objects", None)
        if listed is None:
            return super().__len__()
        return len(listed) + (1 if self.field.empty_label is not None else 0)


class TreatmentChoiceIterator(ListedChoiceIterator):
    """Treatment options grouped as skin concerns, then treatments (<optgroup>s)."""

    def objects(self):
        # The queryset's order (kind, then listed order); a shared list comes in listed
        # order, and a stable sort by kind gives the same.
        return sorted(super().objects(), key=lambda treatment: treatment.kind)

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for treatment in self.objects():
            label = TREATMENT_GROUPS.get(treatment.kind, "Other")
            groups.setdefault(label, []).append(self.choice(treatment))
        yield from groups.items()


class ChoiceBySlugField(forms.ModelChoiceField):
    """
    A published clinic or treatment, chosen by slug; anything else is "not in the list". When
    the form was given the listed objects, the choice is one of them (no query of its own,
    and with whatever was prefetched on them).
    """

    iterator = ListedChoiceIterator

    def to_python(self, value):
        listed = getattr(self, "listed_objects", None)
        if listed is None or value in self.empty_values:
            return super().to_python(value)
        for obj in listed:
            if getattr(obj, self.to_field_name) == value:
                return obj
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def validate_no_null_characters(self, value):
        # Django's check says "Null characters are not allowed."; to the patient, a value
        # with a NUL in it is simply not one of the choices.
        if "\x00" in str(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )


class TreatmentChoiceField(ChoiceBySlugField):
    iterator = TreatmentChoiceIterator


class PreferredTimesField(forms.MultipleChoiceField):
    """
    Checkboxes for days or times of day (booking.preferred_times), optional: none ticked means
    any. `offer()` limits the boxes to what the clinics' hours allow; a code that isn't offered
    (a forged post, or a page older than a change of hours) gets the "invalid_choice" message.
    The cleaned value is the codes in their fixed order.
    """

    codes: type = Day

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.CheckboxSelectMultiple(attrs={"class": "form-check-input border-secondary"}),
        )
        super().__init__(**kwargs)
        self.offer(ANY_TIME)

    def offer(self, allowed: WeeklyTimes) -> None:
        raise NotImplementedError

    def clean(self, value) -> list[str]:
        chosen = set(super().clean(value))
        return [code for code in self.codes.values if code in chosen]


class PreferredDaysField(PreferredTimesField):
    codes = Day
    default_error_messages = {
        "invalid_choice": "Choose days from the list, or leave them all empty if any day suits you"
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Which days can you usually come? (optional)")
        kwargs.setdefault("help_text", "Leave blank if any day suits you.")
        super().__init__(**kwargs)

    def offer(self, allowed: WeeklyTimes) -> None:
        self.choices = allowed.day_choices()


class PreferredTimesOfDayField(PreferredTimesField):
    codes = TimeOfDay
    default_error_messages = {
        "invalid_choice": "Choose times of day from the list, or leave them all empty if any "
        "time suits you"
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "What times of day? (optional)")
        kwargs.setdefault("help_text", "Leave blank if any time of day suits you.")
        super().__init__(**kwargs)

    def offer(self, allowed: WeeklyTimes) -> None:
        self.choices = allowed.time_of_day_choices()
