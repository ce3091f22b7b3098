"""The product endpoints: signed-in users browse active products, admins manage the catalogue."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import IsAdmin, ReadOnly
from common.fastpaths import FastPathsMixin
from products.counts import product_count_kept
from products.filters import ProductFilter
from products.selectors import product_list
from products.serializers import ProductSerializer
from products.services import product_create, product_update


@extend_schema_view(
    list=extend_schema(
        summary="List products",
        description="Active products, newest first; admins also see inactive ones.",
        parameters=[
            OpenApiParameter(
                "search", str, description="Words that must each appear in the name, SKU or description (any case)."
            )
        ],
    ),
    retrieve=extend_schema(summary="Get a product", description="An inactive product is 404 except for admins."),
    create=extend_schema(summary="Create a product (admin)"),
    update=extend_schema(summary="Replace a product (admin)"),
    partial_update=extend_schema(summary="Change a product (admin)"),
    destroy=extend_schema(summary="Delete a product (admin)"),
)
@extend_validation_errors(["unique"], field_name="sku", actions=["create", "update", "partial_update"])
class ProductViewSet(FastPathsMixin, viewsets.ModelViewSet):
    """The catalogue: read by any signed-in user, written by admins only."""

    serializer_class = ProductSerializer
    permission_classes = [IsAuthenticated, IsAdmin | ReadOnly]
    filterset_class = ProductFilter
    search_fields = ["name", "sku", "description"]

    # A page of the unfiltered list as rows (common.fastpaths), counted by the count PostgreSQL keeps
    # (products.counts): 6.9 -> 4.9 ms a page in process (docs/performance.md, "What made it fast").
    fast_parameters = {"list": frozenset({"page", "page_size"})}
    fast_key = ("is_admin",)  # what of the caller `product_list` reads

    def fast_count(self) -> int | None:
        return product_count_kept(admin=self.request.user.is_admin)

    def queryset_for(self, user):
        # Scoping here (not in object permissions) makes an inactive product a 404 for
        # non-admins on every route, list and detail alike.
        return product_list(user=user)

    def perform_create(self, serializer):
        serializer.instance = product_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = product_update(product=serializer.instance, **serializer.validated_data)
