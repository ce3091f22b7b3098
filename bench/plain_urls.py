"""The app's routes plus the baselines in-process benchmarks compare with: a plain JSON view and the floor views."""

from django.http import JsonResponse
from django.urls import include, path

from bench import floor_views


def plain_view(request):
    """A plain Django view returning a small JSON dict."""
    return JsonResponse({"status": "ok", "items": [1, 2, 3]})


# Under /api/ like the endpoints they stand for, so the same middleware treats them alike.
FLOORS = {"posts": floor_views.feed_floor, "users": floor_views.users_floor, "products": floor_views.products_floor}
urlpatterns = [
    path("bench/plain/", plain_view),
    *(path(f"api/bench-floor/plain/{name}/", view) for name, view in FLOORS.items()),
    *(path(f"api/bench-floor/prepared/{name}/", view, {"prepared": True}) for name, view in FLOORS.items()),
    path("", include("config.urls")),
]
