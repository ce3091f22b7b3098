"""Routes of the products app."""

from rest_framework.routers import SimpleRouter

from products.views import ProductViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
