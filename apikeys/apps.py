from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        from accounts.credentials import credentials_revoker_register
        from apikeys import schema  # noqa: F401  (registers the API key security scheme)
        from apikeys.services import api_keys_revoke_all

        credentials_revoker_register(api_keys_revoke_all)
