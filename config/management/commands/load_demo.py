"""`python manage.py load_demo`: demo accounts and data for a first run (idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import demo_users_load
from accounts.models import User
from posts.demo import demo_posts_load
from products.demo import demo_products_load


class Command(BaseCommand):
    help = "Create demo accounts and sample data; running it again resets them."

    @transaction.atomic
    def handle(self, *args, **options):
        users = demo_users_load()
        self.stdout.write(self.style.SUCCESS("Demo accounts (username / password / role):"))
        for username, password, role in users:
            self.stdout.write(f"  {username:<10} {password:<16} {role}")
        demo_users = list(User.objects.filter(username__in=[username for username, _, _ in users]).order_by("id"))
        posts = demo_posts_load(users=demo_users)
        self.stdout.write(self.style.SUCCESS(f"Demo posts: {posts}, with votes by the demo users."))
        products = demo_products_load()
        self.stdout.write(self.style.SUCCESS(f"Demo products: {products}"))
