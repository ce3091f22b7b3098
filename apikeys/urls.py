"""Routes of the API keys app."""

from rest_framework.routers import SimpleRouter

from apikeys import views

router = SimpleRouter()
router.register("auth/api-keys", views.ApiKeyViewSet, basename="api-key")

urlpatterns = router.urls
