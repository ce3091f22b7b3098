"""What staff see of users in the Django admin; changes go through the same services as the API."""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts import services, sessions
from accounts.models import RevokedSession, User

ACCESS_FIELDS = ("role", "is_active")


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
    """A password set by staff rejects every token issued before it, like the API's password change."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            sessions.user_tokens_revoke_all(user=user)
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
        if not change:
            return super().save_model(request, obj, form, change)
        # Profile fields are saved as they are; role and active flag through the API's service,
        # which re-checks the last-admin rule under lock and revokes tokens on deactivation.
        with transaction.atomic():
            profile = [name for name in form.changed_data if name not in ACCESS_FIELDS]
            if profile:
                obj.save(update_fields=profile)
            access = {name: form.cleaned_data[name] for name in ACCESS_FIELDS}
            try:
                services.user_admin_update(user=obj, **access)
            except ValidationError as exc:  # only when two staff race past the form's check
                raise PermissionDenied(services.LAST_ADMIN) from exc

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
