"""Which clinics' requests a member of staff handles, and how staff are named."""

from django.conf import settings
from django.db import models


def staff_name(user, *, nobody: str = "nobody") -> str:
    """How staff are named on screen and in history: full name, else username."""
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()


class StaffProfile(models.Model):
    """Links a staff member to the clinics whose requests they handle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    clinics = models.ManyToManyField(
        "pages.Clinic",
        blank=True,
        help_text="This person sees only these clinics' consultation requests (and those with "
        "no clinic preference). With no clinic ticked they see none. Superusers see all.",
    )

    def __str__(self):
        return str(self.user)

    @staticmethod
    def clinic_ids_for(user) -> frozenset[int]:
        """The ids of the clinics `user` is linked to, read once per user object (request)."""
        cached = getattr(user, "_booking_clinic_ids", None)
        if cached is None:
            cached = frozenset(
                StaffProfile.clinics.through.objects.filter(staffprofile__user=user).values_list(
                    "clinic_id", flat=True
                )
            )
            user._booking_clinic_ids = cached
        return cached
