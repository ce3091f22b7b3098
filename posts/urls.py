"""Routes of the posts app: `posts/`, `posts/{id}/` and `posts/{id}/vote/`."""

from rest_framework.routers import SimpleRouter

from posts.views import PostViewSet

router = SimpleRouter()
router.register("posts", PostViewSet, basename="post")

urlpatterns = router.urls
