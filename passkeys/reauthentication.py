"""A passkey as a way to reauthenticate (accounts.reauthentication): the answer to its options."""

from accounts.reauthentication import ReauthenticationFactor
from passkeys import uses
from passkeys.selectors import passkey_count
from passkeys.serializers import CredentialField

WRONG_PASSKEY = "The passkey's answer is not correct; ask for new options and try again."


REAUTHENTICATION_FACTOR = ReauthenticationFactor(
    field="passkey",
    amr=uses.REAUTHENTICATION_AMR,
    available=lambda user: passkey_count(user) > 0,
    verify=uses.reauthentication_verify,
    # The raw answer: its check (uses.reauthentication_verify) parses it.
    serializer_field=lambda: CredentialField(
        required=False,
        write_only=True,
        help_text="With a passkey: the browser's answer (`PublicKeyCredential.toJSON()`) to the options of "
        "`auth/reauthenticate/passkey/options/`.",
    ),
    wrong_message=WRONG_PASSKEY,
    wrong_code="wrong_passkey",
)
