"""Routes of the accounts app."""

urlpatterns = []
