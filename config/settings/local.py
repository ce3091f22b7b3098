"""
Settings for a developer's machine: `make run`, `python manage.py …` (manage.py's default).

`make run` copies `.env.example` to `.env`, which turns debug on; with debug on and no
DJANGO_SECRET_KEY, a fixed development key is used. With debug off a real secret is required.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY_HINT, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Django's marker for development keys: `check --deploy` warns about it, production refuses it.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off: set DJANGO_SECRET_KEY ({SECRET_KEY_HINT}) "
            "or DJANGO_DEBUG=True."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
