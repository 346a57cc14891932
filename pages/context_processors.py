from django.conf import settings


def clinic_contact(request):
    """The clinic's name and phone number, shown in every header, footer and sidebar."""
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_href": "tel:+44" + settings.CLINIC_PHONE.replace(" ", "")[1:],
    }
