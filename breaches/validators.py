"""A password validator (register, change, reset) that refuses passwords found in known data breaches."""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError

from breaches.pwned import RangeUnavailable, breach_count, check_enabled

logger = logging.getLogger(__name__)

BREACHED = "This password has appeared in a known data breach; choose another one."
CHECK_UNAVAILABLE = "This password cannot be checked against known data breaches right now; try again shortly."


class BreachedPasswordValidator:
    """
    Refuses a password seen at least `PWNED_PASSWORDS_MIN_COUNT` times in the range API's breaches.

    When the API is slow or down the password passes and the outage is logged (`PWNED_PASSWORDS_FAIL_CLOSED`
    false, the default: an outage elsewhere never blocks a signup); fail-closed refuses it instead, with
    its own code. Django's common-password list stays before it as the floor that needs no network.
    """

    def validate(self, password: str, user=None) -> None:
        if not check_enabled():
            return
        try:
            count = breach_count(password)
        except RangeUnavailable as exc:
            if settings.PWNED_PASSWORDS_FAIL_CLOSED:
                logger.warning("breached-password check unavailable, password refused: %s", exc)
                raise ValidationError(CHECK_UNAVAILABLE, code="password_check_unavailable") from exc
            logger.warning("breached-password check unavailable, password accepted: %s", exc)
            return
        if count >= settings.PWNED_PASSWORDS_MIN_COUNT:
            raise ValidationError(BREACHED, code="password_breached")

    def get_help_text(self) -> str:
        return "Your password must not appear in known data breaches."
