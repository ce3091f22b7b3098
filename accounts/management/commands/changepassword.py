"""`python manage.py changepassword`: Django's command, and every earlier token of the user is rejected."""

import getpass

from django.contrib.auth.management.commands import changepassword

from accounts.models import User
from accounts.sessions import user_tokens_revoke_all


class Command(changepassword.Command):
    # Found before django.contrib.auth's command because `accounts` is listed first in INSTALLED_APPS.
    help = "Change a user's password; every token issued before it is rejected, as after the API's password change."

    def handle(self, *args, **options):
        message = super().handle(*args, **options)  # prompts, validates and saves, or raises CommandError
        username = options["username"] or getpass.getuser()
        user = User._default_manager.using(options["database"]).get(**{User.USERNAME_FIELD: username})
        user_tokens_revoke_all(user=user)
        return message
