"""What the identity-linked mail job sends, from the rows as they are when the job runs (accounts.mail)."""

from django.conf import settings

from accounts.mail import mail_send_once
from social.models import Identity


def identity_linked_mail_deliver(*, user_id: int, identity_id: int, key: str) -> bool:
    """Tell the owner a provider account can now sign in to theirs, while it still can; True when sent."""
    identity = Identity.objects.select_related("user").filter(pk=identity_id, user_id=user_id).first()
    if identity is None or not identity.user.is_active or not identity.user.email:
        return False
    name = settings.SOCIAL_PROVIDERS.get(identity.provider, {}).get("name", identity.provider)
    context = {"username": identity.user.username, "provider": name, "provider_email": identity.email}
    return mail_send_once(key=key, to=identity.user.email, template="identity_linked", context=context, app="social")
