from django.core.management.base import BaseCommand

from booking.management.commands.export_person import staff_user
from booking.privacy import person_erase, requests_for_email


class Command(BaseCommand):
    help = (
        "Erasure request: anonymises every request sent with one email address, keeping an "
        "'erased' event naming the member of staff. Asks for confirmation unless --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The person's email address.")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME", help="The member of staff doing it."
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, email, by, interactive=True, **options):
        actor = staff_user(by)
        references = list(requests_for_email(email).values_list("reference", flat=True))
        if not references:
            self.stdout.write("No requests use that address: nothing to erase.")
            return
        self.stdout.write(
            f"This will anonymise {len(references)} request(s): {', '.join(references)}."
        )
        if interactive and input("Type 'erase' to continue: ").strip() != "erase":
            self.stdout.write("Cancelled: nothing was erased.")
            return
        erased = person_erase(email=email, actor=actor)
        self.stdout.write(f"Erased {len(erased)} request(s): {', '.join(erased)}.")
