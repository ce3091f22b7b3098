"""The second factor as a way to reauthenticate (accounts.reauthentication): a TOTP or recovery code."""

from accounts.models import User
from accounts.reauthentication import ReauthenticationFactor
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.serializers import StrictCharField
from mfa.code_format import code_normalize, code_well_formed
from mfa.models import RecoveryCode
from mfa.serializers import CODE_MAX_LENGTH
from mfa.services import CODE_AMR, WRONG_CODE, code_accept


def code_reauthenticate(*, user: User, value: str, context: RequestContext | None) -> bool:
    """Whether `value` is a current TOTP code or an unused recovery code of `user` (spent if so)."""
    code = code_normalize(value)
    method = code_accept(user=user, code=code) if code_well_formed(code) else None
    if method == "recovery_code":
        remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        detail = {"remaining": remaining, "via": "reauthenticate"}
        event_record(event=Event.RECOVERY_CODE_USED, user=user, actor=user, context=context, detail=detail)
    return method is not None


REAUTHENTICATION_FACTOR = ReauthenticationFactor(
    field="code",
    amr=CODE_AMR,
    available=lambda user: user.mfa_enabled,
    verify=code_reauthenticate,
    serializer_field=lambda: StrictCharField(
        max_length=CODE_MAX_LENGTH,
        required=False,
        write_only=True,
        help_text='With two-factor on: a current TOTP code ("123456") or an unused recovery code ("abcde-fghij").',
    ),
    wrong_message=WRONG_CODE,
    wrong_code="wrong_code",
)
