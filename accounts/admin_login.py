"""
The Django admin site's login: a two-factor code beside the password, the API login's limits, and
one generic error until every factor passes.

The site logs in through Django's own view in one step, so the code is a field of its form
(`accounts/templates/admin/login.html` shows it), checked through `accounts.second_factor` after
the password; an account without two-factor ignores it. Installed in `accounts/admin.py`.

The limits are the API login's own counters: the per-address `THROTTLE_LOGIN` (`LoginRateThrottle`)
and the per-account failed attempts (`accounts.lockout`), so attempts here and at `auth/login/` add
up. Over the address or password limit the form shows `TOO_MANY_ATTEMPTS` (a 200 re-render, as any
form error), the same for every name typed. A wrong password, a wrong or missing code and a code
refused because of the second-factor limit all show the one invalid-login error: the page never
tells a right password from a wrong one, nor whether the account exists or has two-factor on.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from accounts import lockout
from accounts.second_factor import second_factor
from accounts.selectors import user_by_login
from accounts.throttles import LoginRateThrottle
from audit.context import RequestContext, request_context

INVALID_LOGIN = (
    "Please enter the correct %(username)s and password for a staff account and, if it has two-factor "
    "authentication on, a current code from its authenticator app or an unused recovery code. Note that the "
    "fields may be case-sensitive."
)
TOO_MANY_ATTEMPTS = "Too many sign-in attempts. Please try again later."


class AdminLoginForm(AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    otp_code = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=32,
        help_text="Only with two-factor authentication on: the authenticator app's code or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def _context(self) -> RequestContext | None:
        return request_context(self.request) if self.request is not None else None

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data  # the fields' own errors say what is missing
        if self.request is not None and not LoginRateThrottle().allow_request(self.request, None):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="throttled")
        account = user_by_login(identifier=username)
        try:
            attempt = lockout.attempt_start(
                factor=lockout.Factor.PASSWORD, ident=lockout.account_ident(user=account, name=username)
            )
        except lockout.AccountLocked:
            raise ValidationError(TOO_MANY_ATTEMPTS, code="throttled") from None
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            attempt.failed(user=account, step="admin", context=self._context())
            raise self.get_invalid_login_error()
        attempt.succeeded()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not user.mfa_enabled:
            return
        code = self.cleaned_data.get("otp_code", "")
        try:
            passed = second_factor().code_verify(user=user, code=code, context=self._context())
        except lockout.AccountLocked:
            passed = False  # told apart from a wrong code only by mail to the owner
        if not passed:
            raise self.get_invalid_login_error()
