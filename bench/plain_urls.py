"""The app's routes plus a plain Django JSON view, the baseline in-process benchmarks compare with."""

from django.http import JsonResponse
from django.urls import include, path


def plain_view(request):
    """A plain Django view returning a small JSON dict."""
    return JsonResponse({"status": "ok", "items": [1, 2, 3]})


urlpatterns = [path("bench/plain/", plain_view), path("", include("config.urls"))]
