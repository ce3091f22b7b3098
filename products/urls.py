"""Routes of the products app."""

urlpatterns = []
