"""
The tokens of the mailed links: cancel a deletion, download an export.

A token is Django's signed, timestamped value (`django.core.signing`, keyed by SECRET_KEY, with
SECRET_KEY_FALLBACKS honoured) of `[row id, user id]` under a salt of its own; nothing is stored. It
works while its row allows it: a cancelled or purged deletion, a downloaded or expired export refuse
it, which is what makes a link single-use. The signing alphabet (`A-Z a-z 0-9 - _ : .`) needs no
escaping in a link (API.md).
"""

from django.core import signing

DELETION_CANCEL_SALT = "privacy.deletion_cancel"
EXPORT_DOWNLOAD_SALT = "privacy.export_download"
TOKEN_MAX_LENGTH = 512


def link_token_make(*, salt: str, row_id: int, user_id: int) -> str:
    return signing.dumps([row_id, user_id], salt=salt)


def link_token_read(token: str, *, salt: str, max_age: float) -> tuple[int, int] | None:
    """(row id, user id) of a genuine token younger than `max_age` seconds, else None."""
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(item) is int for item in value)):
        return None
    return value[0], value[1]
