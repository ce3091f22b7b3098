"""What staff see of posts and votes; scores and votes are read-only here, they change only through voting."""

from django.contrib import admin

from posts import services
from posts.models import Post, Vote


class VoteInline(admin.TabularInline):
    """A post's votes, read-only: adding or changing one here would bypass the score."""

    model = Vote
    fields = ["user", "value", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "score", "created_at"]
    list_select_related = ["author"]
    search_fields = ["title", "body", "author__username"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author"]
    readonly_fields = ["score", "created_at", "updated_at"]
    fields = ["author", "title", "body", "score", "created_at", "updated_at"]
    inlines = [VoteInline]
    ordering = ["-created_at", "-id"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Write only what the form changed: a plain save() would put back a score read
        # before votes that were cast meanwhile.
        changed = [name for name in form.changed_data if name in ("author", "title", "body")]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    def delete_model(self, request, obj):
        services.post_delete(post=obj)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            services.post_delete(post=post)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    """Who voted what. Votes are cast only through the API; deleting one here goes through `vote_remove`."""

    list_display = ["post", "user", "value", "created_at"]
    list_select_related = ["post", "user"]
    list_filter = ["value"]
    search_fields = ["post__title", "user__username"]
    raw_id_fields = ["post", "user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj):
        services.vote_remove(post_id=obj.post_id, user=obj.user)

    def delete_queryset(self, request, queryset):
        for vote in queryset.select_related("user"):
            services.vote_remove(post_id=vote.post_id, user=vote.user)
