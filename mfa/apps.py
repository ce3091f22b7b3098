from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "mfa"
    verbose_name = "Two-factor authentication"

    def ready(self) -> None:
        from accounts.reauthentication import factor_register
        from accounts.second_factor import SecondFactorHooks, second_factor_register
        from mfa import reauthentication, services

        second_factor_register(
            SecondFactorHooks(
                login_challenge=services.login_challenge_create,
                disable=services.mfa_disable,
                code_verify=services.code_verify,
            )
        )
        factor_register(reauthentication.REAUTHENTICATION_FACTOR)
