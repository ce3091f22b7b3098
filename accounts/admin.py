"""What staff see of users in the Django admin; changes go through the same services as the API."""

import copy
import functools

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts import password_reset, services, sessions
from accounts.admin_login import AdminLoginForm
from accounts.models import LoginSession, User
from audit.context import RequestContext, request_context
from common.admin import ReadOnlyModelAdmin

ACCESS_FIELDS = ("role", "is_active")

# Accounts with two-factor on type a code beside the password (accounts.admin_login).
admin.site.login_form = AdminLoginForm


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "role")


class UserChangeForm(auth_forms.UserChangeForm):
    """Shows the last-admin rule as a form error (`UserAdmin.save_model` enforces it under lock)."""

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        stored = User.objects.get(pk=self.instance.pk)
        services.last_admin_check(user=stored, role=cleaned.get("role"), is_active=cleaned.get("is_active"))
        return cleaned


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """
    A password set by staff goes through the API's service: earlier tokens are rejected and the
    change is recorded as done by `actor` (built per request by `UserAdmin.user_change_password`).
    """

    def __init__(self, *args, actor: User | None = None, context: RequestContext | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.context = actor, context

    def save(self, commit=True):
        if not commit:
            return super().save(commit=False)
        usable = self.cleaned_data["set_usable_password"]
        services.user_password_change(
            user=self.user,
            new_password=self.cleaned_data["password1"] if usable else None,
            actor=self.actor,
            context=self.context,
        )
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = [
        "username",
        "email",
        "email_verified",
        "role",
        "is_active",
        "mfa_enabled",
        "date_joined",
        "last_login",
    ]
    list_filter = ["role", "is_active", "email_verified", "mfa_enabled", "password_change_recommended"]
    search_fields = ["username", "email", "pending_email"]
    ordering = ["-date_joined"]
    # Only the user proves an address (a verification link or a reset): staff see these, never set them.
    # Two-factor is turned on by the user only; staff turn it off with the action below.
    readonly_fields = [
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
        "email_verified",
        "pending_email",
        "mfa_enabled",
        "password_change_recommended",
    ]
    actions = ["send_password_reset", "turn_off_two_factor"]
    fieldsets = [
        (None, {"fields": ["username", "password", "password_change_recommended"]}),
        ("Profile", {"fields": ["first_name", "last_name", "email", "email_verified", "pending_email"]}),
        ("Access", {"fields": ["role", "is_active", "is_staff", "is_superuser", "mfa_enabled"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "role", "password1", "password2"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Profile fields are saved as they are; role and active flag through the API's service,
        # which re-checks the last-admin rule under lock and revokes tokens on deactivation.
        with transaction.atomic():
            profile = [name for name in form.changed_data if name not in ACCESS_FIELDS]
            if "email" in profile:
                # An address typed by staff is not one the user proved they read.
                obj.email_verified = False
                profile.append("email_verified")
            if profile:
                obj.save(update_fields=profile)
            access = {name: form.cleaned_data[name] for name in ACCESS_FIELDS}
            try:
                services.user_admin_update(user=obj, **access, actor=request.user, context=request_context(request))
            except ValidationError as exc:  # only when two staff race past the form's check
                raise PermissionDenied(services.LAST_ADMIN) from exc

    @admin.action(description="Send a password reset mail")
    def send_password_reset(self, request, queryset):
        """The user's reset mail, as if they had asked (the same limit of 3 per address and hour applies)."""
        queued = 0
        for user in queryset:
            queued += password_reset.password_reset_request(
                email=user.email, actor=request.user, context=request_context(request)
            )
        skipped = len(queryset) - queued
        self.message_user(request, f"Reset mail queued for {queued} user(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"No mail for {skipped} user(s): inactive, password login turned off, or 3 reset mails this hour.",
                messages.WARNING,
            )

    @admin.action(description="Turn off two-factor authentication (ends every session of the user)")
    def turn_off_two_factor(self, request, queryset):
        """For a user who lost their authenticator and recovery codes; the same service as the API's PATCH."""
        turned_off = 0
        for user in queryset.filter(mfa_enabled=True):
            services.user_admin_update(
                user=user, mfa_enabled=False, actor=request.user, context=request_context(request)
            )
            turned_off += 1
        self.message_user(request, f"Two-factor authentication turned off for {turned_off} user(s).", messages.SUCCESS)

    def user_change_password(self, request, id, form_url=""):
        # Django's view builds its form as `self.change_password_form(user, data)`, without the
        # request; this request's copy of the admin builds one that knows who acts and from where.
        # (A copy, not an attribute set on `self`: one ModelAdmin serves every thread.)
        view = copy.copy(self)
        view.change_password_form = functools.partial(
            self.change_password_form, actor=request.user, context=request_context(request)
        )
        return super(UserAdmin, view).user_change_password(request, id, form_url)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self._deletable(obj):
            return False  # no delete button, and the delete pages refuse the last active admin
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        self._delete(obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for user in queryset:
            self._delete(user)

    @staticmethod
    def _deletable(user: User) -> bool:
        try:
            services.last_admin_check(user=user)
        except ValidationError:
            return False
        return True

    @staticmethod
    def _delete(user: User) -> None:
        try:
            services.user_delete(user=user)
        except ValidationError as exc:  # only when two staff race past the delete page's check
            raise PermissionDenied(services.LAST_ADMIN) from exc


@admin.register(LoginSession)
class LoginSessionAdmin(ReadOnlyModelAdmin):
    """
    Login sessions, read-only: where each was last used and whether it ended; the purge removes expired ones.

    Never deleted here: a token whose row is gone is refused, but ending is what staff mean, and it
    is recorded. "End selected sessions" does it, as the user's sessions page would.
    """

    list_display = ["sid", "user", "created_at", "last_used_at", "ip", "ended_at", "expires_at"]
    list_filter = [("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "ip"]
    date_hierarchy = "created_at"

    actions = ["end_sessions"]

    def has_end_permission(self, request):
        return request.user.is_active and request.user.is_admin

    @admin.action(description="End selected sessions", permissions=["end"])
    def end_sessions(self, request, queryset):
        ended = sessions.sessions_end_by_staff(
            sids=list(queryset.values_list("sid", flat=True)), actor=request.user, context=request_context(request)
        )
        self.message_user(request, f"Ended {ended} session(s); their tokens are refused from now on.", messages.SUCCESS)


class ReadOnlyBlacklistedTokenAdmin(BlacklistedTokenAdmin):
    """SimpleJWT's blacklist, never edited or deleted here: deleting a row would revive its refresh token."""

    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# SimpleJWT's outstanding-token admin is read-only and undeletable already; its blacklist admin is not.
admin.site.unregister(BlacklistedToken)
admin.site.register(BlacklistedToken, ReadOnlyBlacklistedTokenAdmin)
