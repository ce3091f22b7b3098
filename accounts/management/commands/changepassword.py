"""`python manage.py changepassword`: Django's command, and every earlier token of the user is rejected."""

import getpass

from django.contrib.auth.management.commands import changepassword
from django.db import transaction

from accounts.models import User
from accounts.sessions import user_tokens_revoke_all
from audit.models import Event
from audit.services import event_record


class Command(changepassword.Command):
    # Found before django.contrib.auth's command because `accounts` is listed first in INSTALLED_APPS.
    help = "Change a user's password; every token issued before it is rejected, as after the API's password change."

    def handle(self, *args, **options):
        message = super().handle(*args, **options)  # prompts, validates and saves, or raises CommandError
        username = options["username"] or getpass.getuser()
        user = User._default_manager.using(options["database"]).get(**{User.USERNAME_FIELD: username})
        # Django's command saved the password on its own (keeping a transaction open across its
        # prompts would be worse); the revocation and the event commit together right after.
        with transaction.atomic(using=options["database"]):
            user_tokens_revoke_all(user=user)
            # An operator at a shell, not a user of the app: no actor and no request.
            event_record(event=Event.PASSWORD_CHANGED, user=user, detail={"via": "changepassword"})
        return message
