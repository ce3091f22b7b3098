"""Demo accounts for a first run; safe to load again and again."""

from accounts.models import Role, User

DEMO_PASSWORD = "demo-pass-2024"
DEMO_USERS = [
    ("admin", "admin@example.com", Role.ADMIN),
    ("moderator", "moderator@example.com", Role.MODERATOR),
    ("user", "user@example.com", Role.USER),
]


def demo_users_load() -> list[tuple[str, str, str]]:
    """Create the demo accounts (or reset their role and password); return (username, password, role)."""
    loaded = []
    for username, email, role in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": email})
        user.email, user.role, user.is_active, user.email_verified = email, role, True, True
        user.set_password(DEMO_PASSWORD)
        user.save()
        loaded.append((username, DEMO_PASSWORD, role))
    return loaded
