from django import template

from booking.views import booking_form

register = template.Library()


@register.inclusion_tag("booking/includes/form.html", takes_context=True)
def consultation_form(context, treatment=None, clinic=None):
    """
    The booking form for a content page, with the page's treatment or clinic selected:
    ``{% consultation_form treatment=treatment clinic=None %}``.
    """
    request = context["request"]
    # A variable missing from the page's context arrives as "": treat it as no preselection.
    return {
        "form": booking_form(request, treatment=treatment or None, clinic=clinic or None),
        "request": request,
    }
