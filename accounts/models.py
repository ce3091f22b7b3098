"""The user model (a role drives every authorization decision), login sessions, and sent mails."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from audit.models import USER_AGENT_MAX_LENGTH

USERNAME_UNIQUE_CONSTRAINT = "accounts_user_username_ci_unique"
EMAIL_UNIQUE_CONSTRAINT = "accounts_user_email_ci_unique"
USERNAME_TAKEN = "A user with that username already exists."
EMAIL_TAKEN = "A user with that email already exists."
# Unique violations as the field errors a client gets (common.integrity.save_unique).
UNIQUE_FIELDS = {
    USERNAME_UNIQUE_CONSTRAINT: ("username", USERNAME_TAKEN),
    EMAIL_UNIQUE_CONSTRAINT: ("email", EMAIL_TAKEN),
}


class Role(models.TextChoices):
    USER = "user", "User"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Admin"


class UserManager(DjangoUserManager):
    """`createsuperuser` makes an `admin`; emails are stored lower-cased."""

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields["role"] = Role.ADMIN
        # The operator at the shell vouches for the address (API.md: such accounts count as verified).
        extra_fields.setdefault("email_verified", True)
        return super().create_superuser(username, email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """
    A user of the API.

    `role` is the single source of truth: `is_staff` and `is_superuser` are derived from it
    on every save (an `admin` is a superuser in the Django admin, nobody else is staff),
    and a check constraint keeps bulk updates from breaking that rule.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER, db_index=True)
    email = models.EmailField("email address")
    # Every token carries the version current when it was issued; bumping it (logout-all,
    # password change, deactivation, refresh reuse) rejects all earlier tokens at once, checked
    # against the row authentication loads anyway.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever sessions end without every token dying (one ended on the sessions page or by
    # staff, the others on a two-factor change). With `token_version` it is mixed into the Django
    # admin's cookie-session hash (`_get_session_auth_hash`), so those end with the API's sessions.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # True once the user proved they read mail at `email` (a verification link or a password reset).
    email_verified = models.BooleanField(default=False)
    # A new address asked for on `auth/me/`, not the email until its verification link is used:
    # it cannot log in or receive a reset, and another account may claim it first.
    # NULL, not "", for "nothing waiting": the API shows `pending_email: null`.
    pending_email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    # True while a confirmed TOTP authenticator (mfa.Authenticator) guards the login: kept on
    # the user row so the user object and the login read it without another query.
    mfa_enabled = models.BooleanField(default=False, editable=False)
    # Set by a later app that found the current password unsafe (`breaches`: it is in a known breach);
    # the login answer says `password_change_recommended`. Setting a new password clears it.
    password_change_recommended = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name=USERNAME_UNIQUE_CONSTRAINT),
            models.UniqueConstraint(Lower("email"), name=EMAIL_UNIQUE_CONSTRAINT),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"),
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.ADMIN, is_staff=True, is_superuser=True)
                    | (~models.Q(role=Role.ADMIN) & models.Q(is_staff=False, is_superuser=False))
                ),
                name="accounts_user_staff_matches_role",
            ),
        ]

    def save(self, *args, **kwargs):
        self.email = UserManager.normalize_email(self.email)
        self.pending_email = UserManager.normalize_email(self.pending_email) or None
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = update_fields = {*update_fields, "is_staff", "is_superuser"}
        if update_fields is not None and "password" in update_fields:
            kwargs["update_fields"] = {*update_fields, "password_change_recommended"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        # Whatever made the old password unsafe does not hold for the new one.
        super().set_password(raw_password)
        self.password_change_recommended = False

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password (AbstractBaseUser, also called with SECRET_KEY_FALLBACKS),
        # with the versions mixed in: a logout-all, a password change, an ended session or a
        # two-factor change ends the user's Django admin sessions too.
        value = f"{self.password}:{self.token_version}:{self.session_epoch}"
        return salted_hmac("accounts.User.get_session_auth_hash", value, secret=secret, algorithm="sha256").hexdigest()

    # Every role check in the project goes through these two.
    @property
    def is_admin(self) -> bool:
        """May manage users and products, edit any post, and use the Django admin."""
        return self.role == Role.ADMIN

    @property
    def can_moderate(self) -> bool:
        """May delete anyone's post: moderators and admins."""
        return self.role in (Role.MODERATOR, Role.ADMIN)


class LoginSession(models.Model):
    """
    A login session: one chain of rotated refresh tokens and the access tokens made from them.

    Every token carries its session id in the `sid` claim; authentication checks `ended_at` in
    the same query that loads the user, so ending a session (logout, the sessions page, a
    two-factor change, logout-all) rejects its tokens on every process at once. `ip`,
    `user_agent` and `last_used_at` are as of the last login or refresh; `expires_at` is when the
    session's newest refresh token expires, after which the purge command drops the row.
    `auth_time` and `amr` (OIDC's names) are when and how the user last proved who they are in this
    session: the login, or a later `auth/reauthenticate/`; its tokens carry both, and sensitive
    actions need a recent `auth_time` (accounts.permissions.RecentAuthentication).
    """

    sid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True, default="")
    expires_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Null for sessions opened before these were recorded: they count as never authenticated recently.
    auth_time = models.DateTimeField(null=True, blank=True)
    # A JSON list of RFC 8176 method names ("pwd", "otp", "mfa"); JSON rather than an array: SQLite runs too.
    amr = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_session_user_created")]

    def __str__(self) -> str:
        return f"session {self.sid} of user {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()


class SentMail(models.Model):
    """
    A mail a background job has handed to the mail server: a job that runs again (a retry after a
    lost acknowledgement, a worker killed mid-job) finds its key here and sends nothing.

    The row is written in the transaction that sends the mail (accounts.mail.mail_send_once), so a
    failed send leaves no row and a second run of the same job waits for the first to finish.
    """

    key = models.UUIDField(primary_key=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"mail {self.key} sent at {self.sent_at:%Y-%m-%d %H:%M:%S}"
