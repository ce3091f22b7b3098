"""Routes of passkeys."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from passkeys import views

router = SimpleRouter()
router.register("auth/passkeys", views.PasskeyViewSet, basename="passkey")

urlpatterns = [
    path(
        "auth/passkeys/registration/options/",
        views.RegistrationOptionsView.as_view(),
        name="auth-passkeys-registration-options",
    ),
    path("auth/passkeys/registration/", views.RegistrationView.as_view(), name="auth-passkeys-registration"),
    path("auth/login/passkey/options/", views.PasskeyLoginOptionsView.as_view(), name="auth-login-passkey-options"),
    path("auth/login/passkey/", views.PasskeyLoginView.as_view(), name="auth-login-passkey"),
    path(
        "auth/login/mfa/passkey/options/", views.SecondStepOptionsView.as_view(), name="auth-login-mfa-passkey-options"
    ),
    path(
        "auth/reauthenticate/passkey/options/",
        views.ReauthenticationOptionsView.as_view(),
        name="auth-reauthenticate-passkey-options",
    ),
    *router.urls,
]
