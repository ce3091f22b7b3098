from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import admin_site_events, schema  # noqa: F401  (schema registers the bearer scheme)

        admin_site_events.connect()
