from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = "Breached-password check"

    def ready(self) -> None:
        from accounts.login_hooks import password_accepted_register
        from breaches import login_check

        password_accepted_register(login_check.password_accepted)
