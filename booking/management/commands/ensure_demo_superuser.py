import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Creates a demo superuser when no staff account exists yet, and prints its password "
        "once. Used by `make run` only, so a newcomer can open the admin."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_staff=True).exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username="demo-admin", email="", password=password)
        self.stdout.write(
            self.style.WARNING(
                "\nCreated a demo staff account for the admin (shown only this once):\n"
                f"  username: demo-admin\n  password: {password}\n"
            )
        )
