"""Routes of social login."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from social import views

router = SimpleRouter()
router.register("auth/identities", views.IdentityViewSet, basename="identity")

urlpatterns = [
    path("auth/social/providers/", views.ProviderListView.as_view(), name="social-providers"),
    path("auth/social/exchange/", views.ExchangeView.as_view(), name="social-exchange"),
    path("auth/social/<slug:provider>/start/", views.StartView.as_view(), name="social-start"),
    path("auth/social/<slug:provider>/callback/", views.CallbackView.as_view(), name="social-callback"),
    path("auth/social/<slug:provider>/token/", views.IdTokenLoginView.as_view(), name="social-token"),
    path("auth/social/<slug:provider>/link/", views.LinkStartView.as_view(), name="social-link"),
    *router.urls,
]
