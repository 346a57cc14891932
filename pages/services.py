"""Operations on content that touch more than one model."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db import transaction


@transaction.atomic
def redirect_moved_page(*, old_path: str, new_path: str) -> None:
    """
    Keep an old address working after a page moves (its slug changed): the old path
    answers 301 to the new one, and redirects that led to the old path now lead straight
    to the new one, so no visitor or search engine follows a chain or a dead end.
    """
    if old_path == new_path:
        return
    site_id = settings.SITE_ID
    Redirect.objects.filter(site_id=site_id, new_path=old_path).update(new_path=new_path)
    # The new address is a live page again: a redirect away from it would only confuse staff.
    Redirect.objects.filter(site_id=site_id, old_path=new_path).delete()
    Redirect.objects.update_or_create(
        site_id=site_id, old_path=old_path, defaults={"new_path": new_path}
    )
