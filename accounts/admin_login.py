"""
The Django admin site's login asks accounts with two-factor on for a code beside the password.

The site logs in through Django's own view in one step, so the code is a field of its form
(`accounts/templates/admin/login.html` shows it), checked through `accounts.second_factor` after
the password; an account without two-factor ignores it. Installed in `accounts/admin.py`.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts.second_factor import second_factor
from audit.context import request_context

TWO_FACTOR_CODE_WRONG = (
    "This account has two-factor authentication on: enter a current code from its authenticator app or "
    "an unused recovery code. After 5 wrong codes, wait 5 minutes."
)


class AdminLoginForm(AdminAuthenticationForm):
    otp_code = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=32,
        help_text="Only with two-factor authentication on: the authenticator app's code or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.mfa_enabled:
            return
        context = request_context(self.request) if self.request is not None else None
        if not second_factor().code_verify(user=user, code=self.cleaned_data.get("otp_code", ""), context=context):
            raise ValidationError(TWO_FACTOR_CODE_WRONG, code="two_factor")
