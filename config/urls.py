"""Top-level routes: the API, its documentation and the Django admin; `/` leads to the documentation."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask every site for /favicon.ico (the admin links none): answer with an icon, not a 404."""
    # Not permanent: the icon's content-hashed name changes with the files a deploy collects.
    return redirect(static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png"))


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="swagger-ui"), name="root"),
    path("favicon.ico", favicon),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

handler404 = "common.errors.page_not_found"
handler500 = "common.errors.server_error"
