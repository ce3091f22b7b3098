"""Routes of the accounts app."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import email_views, reauthentication_views, session_views, views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("auth/sessions", session_views.SessionViewSet, basename="auth-session")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/me/", views.MeView.as_view(), name="auth-me"),
    path("auth/reauthenticate/", reauthentication_views.ReauthenticateView.as_view(), name="auth-reauthenticate"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/password/reset/", email_views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        email_views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/email/verify/", email_views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/change/cancel/", email_views.EmailChangeCancelView.as_view(), name="auth-email-change-cancel"),
    path("auth/email/verify/resend/", email_views.EmailVerifyResendView.as_view(), name="auth-email-verify-resend"),
    *router.urls,
]
