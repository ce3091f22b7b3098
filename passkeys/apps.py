from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    name = "passkeys"
    verbose_name = "Passkeys"

    def ready(self) -> None:
        from accounts.reauthentication import factor_register
        from mfa.assertions import assertion_verifier_register
        from passkeys import reauthentication, uses

        factor_register(reauthentication.REAUTHENTICATION_FACTOR)
        assertion_verifier_register(uses.second_step_verify)
