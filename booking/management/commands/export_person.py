import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from booking.privacy import person_export


def staff_user(username):
    """The member of staff the audit trail names; they must hold the rights permission."""
    try:
        user = get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user called {username!r}.") from None
    if not (user.is_active and user.has_perm("booking.handle_rights_requests")):
        raise CommandError(
            f"{username!r} may not handle rights requests: they need the "
            "'Can find, export and erase one person's data' permission."
        )
    return user


class Command(BaseCommand):
    help = (
        "Subject access request: writes everything held about one email address as JSON "
        "(to stdout, or --output FILE). Records on each request who exported it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The person's email address.")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME", help="The member of staff doing it."
        )
        parser.add_argument("--output", metavar="FILE", help="Write to this file.")

    def handle(self, *args, email, by, output=None, **options):
        data = person_export(email=email, actor=staff_user(by))
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Wrote {len(data['consultation_requests'])} request(s) to {output}.")
        else:
            self.stdout.write(text)
