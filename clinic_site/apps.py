"""
The project's own app config, which registers the deployment checks (clinic_site/checks.py),
and plain-English admin names for two third-party apps, so a manager can find them: "Staff
two-factor devices" (to reset a lost phone) and "Staff sign-in attempts" (lockouts). Their
labels, tables and migrations are unchanged.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.core import checks
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig

from clinic_site.checks import TAG, check_email_addresses, check_site_url


class ClinicSiteConfig(AppConfig):
    name = "clinic_site"
    verbose_name = "Clinic site"

    def ready(self):
        checks.register(check_site_url, TAG, deploy=True)
        checks.register(check_email_addresses, TAG, deploy=True)


class StaffSignInAttemptsConfig(AxesAppConfig):
    verbose_name = "Staff sign-in attempts"


class StaffTwoFactorDevicesConfig(TOTPAppConfig):
    verbose_name = "Staff two-factor devices"
