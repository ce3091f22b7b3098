"""
Step-up reauthentication ("sudo mode"): the signed-in user proves again who they are, with any
factor they have, and their login session is stamped as recently authenticated.

One check, whatever the factor: each factor registers here (`factor_register`) with the request
field that carries it, whether a user has it, how to check it and the RFC 8176 `amr` names it
proves. The password registers itself below; the second-factor app (`mfa`) registers TOTP and
recovery codes from its `AppConfig.ready` (accounts never imports it), and later ones (passkeys,
identity providers) plug in the same way. A success sets the session's `auth_time` to now and its
`amr` to the factor's, records `reauthenticated`, and answers with a new access token carrying
both; a refusal records `reauthentication_failed` and is a 400 on the factor's field. A fresh
login counts as a reauthentication too (`accounts.sessions.session_start`).
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from accounts.models import LoginSession, User
from accounts.tokens import SessionAccessToken, token_pair_build
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.integrity import field_error
from common.serializers import StrictCharField

WRONG_FACTOR = "This is not correct."
FACTOR_UNAVAILABLE = "This account has no such factor; use another one."
NO_FACTOR = "Send one factor: {fields}."
ONE_FACTOR = "Send only one factor at a time."
NO_SESSION = "Reauthentication needs a login session: sign in with a bearer token."
WRONG_PASSWORD = "The password is not correct."


class FactorVerify(Protocol):
    """`(user, value, context) -> bool`: whether `value` proves the factor, spending a one-time value if so."""

    def __call__(self, *, user: User, value: str, context: RequestContext | None) -> bool: ...


@dataclass(frozen=True)
class ReauthenticationFactor:
    # The request field that carries it ("password", "code"): one factor per field.
    field: str
    # RFC 8176 method names a success proves ("pwd"; "otp"), which become the session's `amr`.
    amr: tuple[str, ...]
    # Whether `user` has this factor at all (a password login, a confirmed authenticator).
    available: Callable[[User], bool]
    verify: FactorVerify
    # The serializer field of the request (its length limit, its help text for the schema).
    serializer_field: Callable[[], serializers.Field]
    # The error message and code of a wrong value (a 400 on `field`).
    wrong_message: str = WRONG_FACTOR
    wrong_code: str = "wrong"


_factors: dict[str, ReauthenticationFactor] = {}


def factor_register(factor: ReauthenticationFactor) -> None:
    """Make `factor` a way to reauthenticate (idempotent: registering a field again replaces it)."""
    _factors[factor.field] = factor


def factors() -> list[ReauthenticationFactor]:
    return list(_factors.values())


@dataclass(frozen=True)
class Reauthenticated:
    access: SessionAccessToken
    amr: tuple[str, ...]
    auth_time: int

    @property
    def expires_in(self) -> int:
        return int(SessionAccessToken.lifetime.total_seconds())


def _factor_of(credentials: dict[str, str]) -> tuple[ReauthenticationFactor, str]:
    sent = [(_factors[name], value) for name, value in credentials.items() if name in _factors and value]
    if not sent:
        raise ValidationError(NO_FACTOR.format(fields=", ".join(_factors)), code="no_factor")
    if len(sent) > 1:
        raise ValidationError(ONE_FACTOR, code="one_factor")
    return sent[0]


def _refused(*, user: User, factor: ReauthenticationFactor, reason: str, context: RequestContext | None) -> None:
    # Recorded on its own (no transaction to join), so the event outlives the 400.
    detail = {"factor": factor.field, "reason": reason}
    event_record(event=Event.REAUTHENTICATION_FAILED, user=user, context=context, detail=detail)


def user_reauthenticate(
    *, user: User, sid: uuid.UUID | None, credentials: dict[str, str], context: RequestContext | None = None
) -> Reauthenticated:
    """
    Check one factor of `user` (`credentials`: field -> value) and stamp login session `sid` as
    authenticated now. 400 on the factor's field when it is wrong or the user has no such factor.
    """
    if sid is None:
        raise ValidationError(NO_SESSION, code="no_session")
    factor, value = _factor_of(credentials)
    if not factor.available(user):
        _refused(user=user, factor=factor, reason="unavailable", context=context)
        raise field_error(factor.field, FACTOR_UNAVAILABLE, code="unavailable")
    if not factor.verify(user=user, value=value, context=context):
        _refused(user=user, factor=factor, reason="wrong", context=context)
        raise field_error(factor.field, factor.wrong_message, code=factor.wrong_code)
    return _session_stamp(user=user, sid=sid, amr=factor.amr, factor=factor.field, context=context)


@transaction.atomic
def _session_stamp(
    *, user: User, sid: uuid.UUID, amr: Sequence[str], factor: str, context: RequestContext | None
) -> Reauthenticated:
    now = timezone.now()
    LoginSession.objects.filter(sid=sid, user=user).update(auth_time=now, amr=list(amr))
    access = token_pair_build(user=user, sid=sid, auth_time=now, amr=amr).access
    detail = {"session": sid.hex, "factor": factor, "amr": list(amr)}
    event_record(event=Event.REAUTHENTICATED, user=user, actor=user, context=context, detail=detail)
    return Reauthenticated(access=access, amr=tuple(amr), auth_time=int(now.timestamp()))


def _password_verify(*, user: User, value: str, context: RequestContext | None) -> bool:
    return user.check_password(value)


factor_register(
    ReauthenticationFactor(
        field="password",
        amr=("pwd",),
        available=lambda user: user.has_usable_password(),
        verify=_password_verify,
        serializer_field=lambda: StrictCharField(
            max_length=128,
            required=False,
            trim_whitespace=False,
            write_only=True,
            style={"input_type": "password"},
            help_text="The account's password.",
        ),
        wrong_message=WRONG_PASSWORD,
        wrong_code="wrong_password",
    )
)
