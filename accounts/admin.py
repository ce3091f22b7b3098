"""What staff see of users in the Django admin."""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import RevokedSession, User
from accounts.selectors import active_admin_count
from accounts.services import LAST_ADMIN, demotes_last_active_admin, user_tokens_revoke_all


class UserCreationForm(auth_forms.UserCreationForm):
    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "role")


class UserChangeForm(auth_forms.UserChangeForm):
    """Refuses to demote or deactivate the last active admin."""

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User

    def clean(self):
        cleaned = super().clean()
        stored = User.objects.get(pk=self.instance.pk)
        if demotes_last_active_admin(user=stored, role=cleaned.get("role"), is_active=cleaned.get("is_active")):
            raise ValidationError(LAST_ADMIN, code="last_admin")
        return cleaned


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """A password set by staff rejects every token issued before it, like the API's password change."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            user_tokens_revoke_all(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "email", "role", "is_active", "date_joined", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "email"]
    ordering = ["-date_joined"]
    readonly_fields = ["is_staff", "is_superuser", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "email"]}),
        ("Access", {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "role", "password1", "password2"]}),
    ]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if change:
                active_admin_count(lock=True)  # the form's last-admin check, re-run under lock
                stored = User.objects.get(pk=obj.pk)
                if demotes_last_active_admin(user=stored, role=obj.role, is_active=obj.is_active):
                    raise PermissionDenied(LAST_ADMIN)  # only reached when two staff race
            super().save_model(request, obj, form, change)
            if change and "is_active" in form.changed_data and not obj.is_active:
                user_tokens_revoke_all(user=obj)


@admin.register(RevokedSession)
class RevokedSessionAdmin(admin.ModelAdmin):
    """Ended login sessions, read-only; `purge_expired_tokens` removes them once useless."""

    list_display = ["sid", "user", "revoked_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
