"""Routes of the posts app."""

urlpatterns = []
