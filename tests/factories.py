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
    consultation_request = ConsultationRequest(**values)
    consultation_request.set_arrival_buckets()
    consultation_request.save(force_insert=True)
    return consultation_request


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


def make_team_member(title="Dr Ross Perry", **fields):
    """A published clinician's profile at /team/<slug>/ (pass is_published=False for a draft)."""
    from pages.models import TeamMember

    slug = fields.pop("slug", title.lower().replace(" ", "-"))
    fields.setdefault("role", "Founder and Medical Director")
    fields.setdefault("is_published", True)
    clinics = fields.pop("clinics", [])
    member = TeamMember.objects.create(title=title, slug=slug, **fields)
    member.clinics.set(clinics)
    return member


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


def image_upload(name="photo.jpg", *, size=(1200, 800), image_format="JPEG", mode="RGB", **save):
    """An image file as the admin receives it, drawn with Pillow (a soft gradient, so it
    compresses like a photo rather than a flat colour). `save` goes to Pillow's save()."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PillowImage

    picture = PillowImage.linear_gradient("L").resize(size).convert(mode)
    if mode == "RGBA":
        picture.putalpha(PillowImage.radial_gradient("L").resize(size))
    data = io.BytesIO()
    picture.save(data, image_format, **save)
    return SimpleUploadedFile(name, data.getvalue(), content_type=f"image/{image_format.lower()}")


def make_image(title="Clinic reception", *, upload=None, **fields):
    """A stored image and its renditions, in the test run's MEDIA_ROOT (tests/conftest.py)."""
    from pages import imaging
    from pages.image_services import image_save
    from pages.models import Image

    if not fields.get("is_decorative"):
        fields.setdefault("alt_text", "The clinic's reception desk")
    prepared = imaging.prepare(upload or image_upload())
    return image_save(image=Image(title=title, **fields), prepared=prepared)


def make_faq(question="Does it hurt?", **fields):
    """A published FAQ; general (on /faqs/) unless given a treatment. `body` is the answer."""
    from pages.models import FAQ

    fields.setdefault("is_published", True)
    fields.setdefault("body", "Most patients feel only a little discomfort.")
    return FAQ.objects.create(question=question, **fields)


def make_fees_and_terms(**fields):
    """The site's one fees-and-terms row."""
    from pages.models import FeesAndTerms

    return FeesAndTerms.objects.create(**fields)


def give_every_page_an_image():
    """Heroes for every article and treatment, photos for clinics, portraits for the team:
    the seeded site has no images, and their markup should be checked too."""
    from pages.models import Article, Clinic, TeamMember, Treatment

    hero = make_image("Hero", alt_text="A clinician examining a patient's skin")
    Article.objects.update(hero_image=hero)
    Treatment.objects.update(hero_image=hero)
    Clinic.objects.update(photo=make_image("Clinic", alt_text="The clinic's reception"))
    portrait = make_image(
        "Portrait", upload=image_upload(size=(600, 750)), alt_text="The clinician, smiling"
    )
    TeamMember.objects.update(portrait=portrait)
    return hero


def fill_in_clinic(clinic):
    """Every "where and when" detail of `clinic` filled in (the seed knows none of them):
    weekday and Saturday hours with a lunch break, closures to come, an address, directions,
    parking, access facts and the published treatments it offers. Made-up test data."""
    from datetime import time, timedelta

    from django.utils import timezone

    from pages.models import Treatment

    clinic.phone = "0117 496 0000"
    clinic.email = "clinic@example.com"
    clinic.address = "2 Example Road\nClifton"
    clinic.postcode = "BS8 1AA"
    clinic.directions = "Ten minutes' walk from the station.\nBuses 8 and 9 stop outside."
    clinic.parking = "Pay and display on the street, free after 18:00."
    clinic.step_free_access = True
    clinic.hearing_loop = True
    clinic.accessible_toilet = False
    clinic.accessibility_note = "A lift goes to every floor."
    clinic.save()
    for day in range(5):
        clinic.opening_hours.create(weekday=day, opens=time(9), closes=time(13))
        clinic.opening_hours.create(weekday=day, opens=time(14), closes=time(18))
    clinic.opening_hours.create(weekday=5, opens=time(10), closes=time(14))
    today = timezone.localdate()
    clinic.closures.create(starts_on=today + timedelta(days=20), reason="Bank holiday")
    clinic.closures.create(
        starts_on=today + timedelta(days=60), ends_on=today + timedelta(days=62), reason="Training"
    )
    clinic.treatments.set(Treatment.objects.published().filter(slug__in=["milia", "moles"]))
    return clinic
