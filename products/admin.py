"""What staff see of the catalogue in the Django admin."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils import timezone

from products.models import Product


class InStockFilter(admin.SimpleListFilter):
    """Products with stock left, or sold out."""

    title = "in stock"
    parameter_name = "in_stock"

    def lookups(self, request, model_admin):
        return [("yes", "In stock"), ("no", "Sold out")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stock__gt=0)
        if self.value() == "no":
            return queryset.filter(stock=0)
        return queryset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "price", "stock", "is_active", "updated_at"]
    list_display_links = ["name"]
    list_editable = ["price", "stock", "is_active"]
    list_filter = ["is_active", InStockFilter]
    search_fields = ["name", "sku", "description"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["name", "id"]
    list_per_page = 50
    actions = ["activate", "deactivate"]

    def _set_active(self, request, queryset: QuerySet[Product], active: bool) -> None:
        # update() skips auto_now, so the timestamp is set here.
        changed = queryset.exclude(is_active=active).update(is_active=active, updated_at=timezone.now())
        state = "activated" if active else "deactivated"
        self.message_user(request, f"{changed} product(s) {state}.", messages.SUCCESS)

    @admin.action(description="Activate selected products")
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Deactivate selected products")
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)
