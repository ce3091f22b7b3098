from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Sign-in devices and security notices"

    def ready(self) -> None:
        from accounts.login_hooks import login_completed_register
        from devices.services import login_device_check

        login_completed_register(login_device_check)
