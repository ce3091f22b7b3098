"""Routes of the privacy app (`DELETE auth/me/` itself is accounts' route, through `accounts.account_deletion`)."""

from django.urls import path

from privacy import views

urlpatterns = [
    path("auth/me/export/", views.DataExportView.as_view(), name="auth-data-export"),
    path("auth/account/export/download/", views.DataExportDownloadView.as_view(), name="auth-data-export-download"),
    path("auth/account/deletion/cancel/", views.DeletionCancelView.as_view(), name="auth-deletion-cancel"),
]
