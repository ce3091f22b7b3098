"""Routes of two-factor authentication."""

from django.urls import path

from mfa import views

urlpatterns = [
    path("auth/login/mfa/", views.MfaLoginView.as_view(), name="auth-login-mfa"),
    path("auth/mfa/totp/", views.TotpEnrollView.as_view(), name="auth-mfa-totp"),
    path("auth/mfa/totp/confirm/", views.TotpConfirmView.as_view(), name="auth-mfa-totp-confirm"),
    path("auth/mfa/disable/", views.MfaDisableView.as_view(), name="auth-mfa-disable"),
    path("auth/mfa/recovery-codes/", views.RecoveryCodesView.as_view(), name="auth-mfa-recovery-codes"),
]
