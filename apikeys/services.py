"""
Writes of API keys: make one (shown once), revoke one, and note a key's use.

Like every service, these raise Django's `ValidationError` for a rule the input breaks (400) and
`ObjectDoesNotExist` for a key that is not there (404), and record their security event in the
transaction of the change. Making a key mails its owner (after the commit, `apikeys.tasks`).
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from apikeys import tasks
from apikeys.keys import key_generate
from apikeys.models import PREFIX_UNIQUE_CONSTRAINT, SCOPE_SETS, ApiKey, Scope
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error, violated_constraint
from common.jobs import job_enqueue_on_commit

KEYS_PER_USER = 50
# `last_used_at` is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

EXPIRES_IN_THE_PAST = "Must be in the future."
SCOPES_INVALID = 'Must be ["read"], ["read", "write"] or ["read", "write", "admin"].'
ADMIN_SCOPE_FOR_ADMINS = "Only an admin's key can have the `admin` scope."
TOO_MANY_KEYS = f"An account can have at most {KEYS_PER_USER} API keys; revoke one first."


def scopes_stored(scopes: Sequence[str]) -> str:
    """The stored form of a scope list (`"read"`, `"read write"`); a 400 on `scopes` for any other set."""
    for stored, allowed in SCOPE_SETS.items():
        if len(scopes) == len(allowed) and set(scopes) == set(allowed):
            return stored
    raise field_error("scopes", SCOPES_INVALID, code="invalid_scopes")


@transaction.atomic
def api_key_create(
    *,
    owner: User,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
    context: RequestContext | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for `owner`; return it and the key itself, which is never available again."""
    stored_scopes = scopes_stored(scopes)
    if Scope.ADMIN in scopes and not owner.is_admin:
        raise field_error("scopes", ADMIN_SCOPE_FOR_ADMINS, code="admin_scope_requires_admin")
    if expires_at is not None and expires_at <= timezone.now():
        raise field_error("expires_at", EXPIRES_IN_THE_PAST, code="not_in_future")
    # The owner's row lock makes the count exact under concurrent creations.
    User.objects.select_for_update().filter(pk=owner.pk).values_list("pk").get()
    if ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).count() >= KEYS_PER_USER:
        raise ValidationError(TOO_MANY_KEYS, code="too_many_keys")
    api_key, key = _api_key_insert(owner=owner, name=name, scopes=stored_scopes, expires_at=expires_at)
    event_record(
        event=Event.API_KEY_CREATED,
        user=owner,
        actor=owner,
        context=context,
        detail={"prefix": api_key.prefix, "name": name, "scopes": api_key.scope_list},
    )
    # The owner hears of every new key: a stolen session that makes one does not go unnoticed.
    job_enqueue_on_commit(
        tasks.api_key_created_mail_send,
        api_key_id=api_key.pk,
        ip=context.ip if context else None,
        key=uuid.uuid4().hex,
    )
    return api_key, key


def _api_key_insert(*, owner: User, name: str, scopes: str, expires_at: datetime | None) -> tuple[ApiKey, str]:
    # Two keys share a prefix once in ~10^14 (8 letters or digits): draw again rather than fail.
    for attempt in range(3):
        new = key_generate()
        api_key = ApiKey(
            owner=owner, name=name, scopes=scopes, expires_at=expires_at, prefix=new.prefix, key_hash=new.key_hash
        )
        try:
            with transaction.atomic():
                api_key.save(force_insert=True)
        except IntegrityError as exc:
            if violated_constraint(exc) != PREFIX_UNIQUE_CONSTRAINT or attempt == 2:
                raise
            continue
        return api_key, new.key
    raise AssertionError("unreachable")


@transaction.atomic
def api_key_revoke(
    *, api_key_id: int, owner: User | None = None, actor: User | None = None, context: RequestContext | None = None
) -> ApiKey:
    """
    Revoke a key: it fails from the next request on, in every process (authentication reads the row).

    With `owner`, only that user's key (an owner revoking their own); a key that is not theirs,
    unknown or already revoked raises `ApiKey.DoesNotExist` (404). `actor` is who revoked it.
    """
    keys = ApiKey.objects.select_related("owner").select_for_update(of=("self",))
    keys = keys.filter(pk=api_key_id, revoked_at__isnull=True)
    if owner is not None:
        keys = keys.filter(owner=owner)
    api_key = keys.get()
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    event_record(
        event=Event.API_KEY_REVOKED,
        user=api_key.owner,
        actor=actor,
        context=context,
        detail={"prefix": api_key.prefix, "name": api_key.name},
    )
    return api_key


@transaction.atomic
def api_keys_revoke_all(*, user: User, actor: User | None, context: RequestContext | None, reason: str) -> int:
    """
    Revoke every live key of `user` (a password change or reset asked for it, `accounts.credentials`);
    one `api_key_revoked` per key, its `detail.reason` saying why. Returns how many.
    """
    keys = list(ApiKey.objects.select_for_update().filter(owner=user, revoked_at__isnull=True))
    now = timezone.now()
    ApiKey.objects.filter(pk__in=[api_key.pk for api_key in keys]).update(revoked_at=now)
    for api_key in keys:
        detail = {"prefix": api_key.prefix, "name": api_key.name, "reason": reason}
        event_record(event=Event.API_KEY_REVOKED, user=user, actor=actor, context=context, detail=detail)
    return len(keys)


def api_key_mark_used(*, api_key: ApiKey, now: datetime) -> None:
    """
    Note that `api_key` was used at `now`, at most once per `LAST_USED_RESOLUTION`.

    The caller skips this while the row it read is recent enough, so most requests write
    nothing; the condition is in the UPDATE itself, so workers racing past that check write once.
    """
    cutoff = now - LAST_USED_RESOLUTION
    ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff), pk=api_key.pk).update(
        last_used_at=now
    )
    api_key.last_used_at = now
