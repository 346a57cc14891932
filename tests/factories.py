"""Small plain helpers that make test data (djangoproject.com style)."""


def make_clinic(title="London", **fields):
    from pages.models import Clinic

    slug = fields.pop("slug", title.lower().replace(" ", "-"))
    fields.setdefault("is_published", True)
    return Clinic.objects.create(title=title, slug=slug, city=fields.pop("city", title), **fields)


def make_treatment(title="Mole removal", **fields):
    from pages.models import Treatment

    slug = fields.pop("slug", title.lower().replace(" ", "-"))
    kind = fields.pop("kind", Treatment.Kind.CONDITION)
    fields.setdefault("is_published", True)
    return Treatment.objects.create(title=title, slug=slug, kind=kind, **fields)


_request_counter = iter(range(1, 10**6))


def make_consent_text(kind="consent_wording", version="test-wording", **fields):
    """A stored consent wording or privacy notice (the same row again for the same version)."""
    from booking.models import ConsentText

    fields.setdefault("text", f"The {kind.replace('_', ' ')} a patient agreed to ({version}).")
    return ConsentText.objects.get_or_create(kind=kind, version=version, defaults=fields)[0]


def make_request(**fields):
    """A stored consultation request, as the booking service would leave it (no emails)."""
    from datetime import timedelta

    from django.utils import timezone

    from booking.models import ConsultationRequest

    number = next(_request_counter)
    now = timezone.now()
    values = {
        "reference": f"CSC-T{number:05d}",
        "full_name": "Zoë O'Connor-Ng",
        "email": f"patient{number}@example.com",
        "phone": "+447700900123",
        "contact_method": ConsultationRequest.ContactMethod.PHONE,
        "confirmed_adult": True,
        "consent_given_at": now,
        "created_at": now,
        "respond_by": now + timedelta(days=1),
    }
    values.update(fields)
    if "consent_wording" not in values:
        values["consent_wording"] = make_consent_text()
    if "privacy_notice" not in values:
        values["privacy_notice"] = make_consent_text("privacy_notice", "1")
    return ConsultationRequest.objects.create(**values)


def make_staff(username="reception", *, permissions=(), superuser=False, **fields):
    """A staff user with the given "app_label.codename" permissions."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(
            username=username, password="pw-not-secret-123", **fields
        )
    user = User.objects.create_user(
        username=username, password="pw-not-secret-123", is_staff=True, **fields
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_clinic_staff(username="bristol-reception", *, group="Reception", clinics=(), **fields):
    """A staff user in a role group ("Reception", "Clinic manager"), linked to `clinics`."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from booking.models import StaffProfile

    fields.setdefault("is_staff", True)
    user = get_user_model().objects.create_user(
        username=username, password="pw-not-secret-123", **fields
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    profile = StaffProfile.objects.create(user=user)
    profile.clinics.set(clinics)
    return user


# The CSRF secret in the booking tests' `client` cookie (tests/booking/conftest.py): the form
# token booking_form_data() makes is bound to it, as the site binds a token to a browser's.
TEST_CSRF_SECRET = "TestCsrfSecret0123456789abcdefgh"


def form_token(*, seconds_ago=60.0, csrf_secret=TEST_CSRF_SECRET):
    """A booking form token as the site issues it: for a form shown `seconds_ago` to the
    visitor with `csrf_secret` (by default the booking tests' client)."""
    import time

    from booking.tokens import new_form_token

    return new_form_token(csrf_secret=csrf_secret, issued_at=time.time() - seconds_ago)


def booking_form_data(**fields):
    """POST data for a good consultation request (the booking form, as a patient fills it).

    Its form token was issued a minute ago to the visitor with TEST_CSRF_SECRET, so the
    time-trap passes; pass `form_token=...` for another one. Values of None are left out (an
    unticked box, an unanswered question).
    """
    data = {
        "full_name": "Zoë O'Connor-Ng",
        "email": "zoe@example.com",
        "phone": "07912 345678",
        "clinic": "",
        "treatment": "",
        "contact_method": "phone",
        "best_time_to_call": "Weekday mornings",
        "recent_change": "",
        "message": "I have a mole on my back I would like looked at.",
        "consent": "on",
        "confirmed_adult": "on",
        "website": "",
        "form_token": form_token(),
        "source_path": "/book/",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def make_expert(name="Dr Ross Perry", **fields):
    from pages.models import Expert

    fields.setdefault("job_title", "Founder and Medical Director, Cosmedics Skin Clinics")
    return Expert.objects.create(name=name, **fields)


def make_article(title="Milia: tiny white bumps", **fields):
    """A published article (pass is_published=False for a draft); body is Markdown."""
    from pages.models import Article

    slug = fields.pop("slug", title.lower().replace(" ", "-").replace(":", ""))
    fields.setdefault("is_published", True)
    fields.setdefault("standfirst", "Expert skin advice.")
    fields.setdefault("body", "Milia are also commonly known as milk spots.")
    related_treatments = fields.pop("related_treatments", [])
    article = Article.objects.create(title=title, slug=slug, **fields)
    article.related_treatments.set(related_treatments)
    return article


def make_page(title="Privacy notice", **fields):
    """A published simple page at /<slug>/ (privacy, terms)."""
    from pages.models import Page

    slug = fields.pop("slug", "privacy" if title == "Privacy notice" else title.lower())
    fields.setdefault("is_published", True)
    fields.setdefault("body", "How we use your information.")
    return Page.objects.create(title=title, slug=slug, **fields)
