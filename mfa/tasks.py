"""Background jobs of two-factor authentication."""

from celery import shared_task

from mfa.services import login_challenges_purge


@shared_task
def purge_login_challenges() -> int:
    """Daily (beat): delete login challenges that expired (their tokens are refused anyway)."""
    return login_challenges_purge()
