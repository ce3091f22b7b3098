from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Account deletion and data export"

    def ready(self) -> None:
        from accounts.account_deletion import account_deletion_register
        from privacy import sections
        from privacy.deletion import account_deletion_request

        account_deletion_register(account_deletion_request)
        sections.builtin_sections_register()
