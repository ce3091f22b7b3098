"""
What the security log keeps of a deleted account: its rows, with the account replaced by a pseudonym.

The pseudonym is an HMAC of the user id keyed with SECRET_KEY (Django's `salted_hmac`): the same
account always gets the same one, so an investigation can still follow one account's events after its
deletion, and nobody without the secret key can tell which account it was. The rows' `user`/`actor`
become null, `detail` gains `user_pseudonym`/`actor_pseudonym`, and the events about the account lose
the addresses they held (`email`, `old_email`, ...). The client address and user agent are kept: they
describe the client, not the account, they are what a security log is for, and the retention purge
(`AUDIT_RETENTION_DAYS`) removes them with the row.
"""

from django.utils.crypto import salted_hmac

from audit.models import SecurityEvent

PSEUDONYM_LENGTH = 24
ERASED = "erased"
# Detail keys whose values name the person rather than what happened.
PERSONAL_DETAIL_FRAGMENTS = ("email", "username")
BATCH_SIZE = 1_000


def user_pseudonym(user_id: int) -> str:
    return salted_hmac("privacy.pseudonym", str(user_id), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def _detail_scrubbed(detail: dict) -> dict:
    return {
        key: ERASED if any(fragment in str(key).lower() for fragment in PERSONAL_DETAIL_FRAGMENTS) else value
        for key, value in detail.items()
    }


def security_events_pseudonymise(*, user_id: int) -> int:
    """
    Replace account `user_id` by its pseudonym in every event about it or done by it; how many rows.

    Events are append-only for everyone else (audit.models): this rewrites them through the model's
    base manager, the only writer besides the retention purge. Call it inside the purge's transaction.
    """
    pseudonym = user_pseudonym(user_id)
    rows = SecurityEvent._base_manager.filter(user_id=user_id) | SecurityEvent._base_manager.filter(actor_id=user_id)
    changed = 0
    batch: list[SecurityEvent] = []
    for event in rows.order_by("pk").only("pk", "user_id", "actor_id", "detail").iterator(chunk_size=BATCH_SIZE):
        detail = dict(event.detail) if isinstance(event.detail, dict) else {}
        if event.user_id == user_id:
            detail = _detail_scrubbed(detail)  # the account's own addresses; not those of whom an admin acted on
            event.user_id, detail["user_pseudonym"] = None, pseudonym
        if event.actor_id == user_id:
            event.actor_id, detail["actor_pseudonym"] = None, pseudonym
        event.detail = detail
        batch.append(event)
        if len(batch) >= BATCH_SIZE:
            changed += _write(batch)
    return changed + _write(batch)


def _write(batch: list[SecurityEvent]) -> int:
    if not batch:
        return 0
    written = SecurityEvent._base_manager.bulk_update(batch, ["user", "actor", "detail"])
    batch.clear()
    return written
