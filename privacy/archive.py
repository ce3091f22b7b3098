"""
Building a data export's archive: one JSON document with a key per registered section
(`accounts.personal_data`), written as text once so the bytes downloaded are the bytes built.
"""

import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.personal_data import personal_data_sections
from privacy.models import DataExport

ARCHIVE_FORMAT = "account-data-export/1"
LINK_VALID = timedelta(hours=24)
# Exports whose link expired, or whose build never finished after this long, are dropped.
UNFINISHED_KEPT = timedelta(days=1)


def archive_document(*, user: User) -> dict:
    """Everything the project holds about `user`, section by section."""
    sections = {name: section(user) for name, section in personal_data_sections().items()}
    return {"format": ARCHIVE_FORMAT, "generated_at": timezone.now(), "user_id": user.pk, **sections}


@transaction.atomic
def data_export_build(*, data_export_id: int) -> DataExport | None:
    """Build the archive of a requested export (once: a second run finds it built); None when it is gone."""
    export = DataExport.objects.select_for_update().select_related("user").filter(pk=data_export_id).first()
    if export is None or export.downloaded_at is not None:
        return None
    if export.archive is None:
        export.archive = json.dumps(archive_document(user=export.user), cls=DjangoJSONEncoder, indent=2)
        export.ready_at = timezone.now()
        export.expires_at = export.ready_at + LINK_VALID
        export.save(update_fields=["archive", "ready_at", "expires_at"])
    return export


def data_exports_purge() -> int:
    """Drop exports whose link expired and builds that never finished; how many."""
    now = timezone.now()
    expired = DataExport.objects.filter(expires_at__lt=now)
    unfinished = DataExport.objects.filter(ready_at__isnull=True, requested_at__lt=now - UNFINISHED_KEPT)
    deleted, _ = (expired | unfinished).delete()
    return deleted
