"""Routes of the security log."""

from django.urls import path

from audit import views

urlpatterns = [
    path("auth/events/", views.OwnSecurityEventList.as_view(), name="auth-events"),
    path("audit-events/", views.SecurityEventList.as_view(), name="audit-events"),
]
