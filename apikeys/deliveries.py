"""What the API key mail jobs send, built from the rows as they are when the job runs (accounts.mail)."""

from accounts.mail import mail_send_once
from apikeys.models import ApiKey


def api_key_created_mail_deliver(*, api_key_id: int, ip: str | None, key: str) -> bool:
    """Tell the owner a key was made: its name, prefix, scopes, expiry; never the key. True when this run sent it."""
    api_key = ApiKey.objects.select_related("owner").filter(pk=api_key_id).first()
    if api_key is None or not api_key.owner.is_active:
        return False
    context = {
        "username": api_key.owner.username,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "scopes": ", ".join(api_key.scope_list),
        "expires_at": f"{api_key.expires_at:%Y-%m-%d %H:%M} (UTC)" if api_key.expires_at else None,
        "created_at": f"{api_key.created_at:%Y-%m-%d %H:%M}",
        "ip": ip,
    }
    return mail_send_once(key=key, to=api_key.owner.email, template="api_key_created", context=context, app="apikeys")
