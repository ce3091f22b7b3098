"""Every route of the API's version 1, in one place."""

from django.urls import include, path

from common.health import HealthView
from common.index import ApiIndexView

urlpatterns = [
    path("", ApiIndexView.as_view(), name="api-index"),
    path("health/", HealthView.as_view(), name="health"),
    path("", include("accounts.urls")),
    path("", include("posts.urls")),
    path("", include("products.urls")),
    path("", include("audit.urls")),
    path("", include("apikeys.urls")),
    path("", include("mfa.urls")),
    path("", include("devices.urls")),
    path("", include("privacy.urls")),
    path("", include("passkeys.urls")),
    path("", include("social.urls")),
]
