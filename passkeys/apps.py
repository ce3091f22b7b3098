from django.apps import AppConfig


class PasskeysConfig(AppConfig):
    name = "passkeys"
    verbose_name = "Passkeys"

    def ready(self) -> None:
        from accounts.personal_data import personal_data_section_register
        from accounts.reauthentication import factor_register
        from mfa.assertions import assertion_verifier_register
        from passkeys import reauthentication, uses
        from passkeys.selectors import passkeys_of

        factor_register(reauthentication.REAUTHENTICATION_FACTOR)
        assertion_verifier_register(uses.second_step_verify)
        personal_data_section_register("passkeys", passkeys_of)
