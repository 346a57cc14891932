"""Staff accounts: Django's user admin plus the clinics each person works for."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from booking.models import StaffProfile

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    verbose_name = "clinics"
    verbose_name_plural = "clinics (which consultation requests this person sees)"
    formfield_overrides = {
        StaffProfile._meta.get_field("clinics").__class__: {"widget": forms.CheckboxSelectMultiple},
    }


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StaffProfileInline]
    list_display = [*UserAdmin.list_display, "clinic_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff_profile__clinics")

    @admin.display(description="clinics")
    def clinic_list(self, user):
        if user.is_superuser:
            return "All (superuser)"
        profile = getattr(user, "staff_profile", None)
        clinics = list(profile.clinics.all()) if profile else []
        return ", ".join(str(clinic) for clinic in clinics) or "None"
