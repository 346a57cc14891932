"""
Plain-English admin names for two third-party apps, so a manager can find them: "Staff
two-factor devices" (to reset a lost phone) and "Staff sign-in attempts" (lockouts).
Labels, tables and migrations are unchanged.
"""

from axes.apps import AppConfig as AxesAppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class StaffSignInAttemptsConfig(AxesAppConfig):
    verbose_name = "Staff sign-in attempts"


class StaffTwoFactorDevicesConfig(TOTPAppConfig):
    verbose_name = "Staff two-factor devices"
