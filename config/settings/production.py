"""
Settings for production: debug off, a secret from the environment, HTTPS everywhere, JSON logs.

The app is expected behind a TLS-terminating proxy that sets X-Forwarded-Proto; every
security switch can be turned off from the environment for a plain-HTTP setup.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY_HINT, env

# Never on here, whatever the environment or a `.env` left behind by `make run` says.
DEBUG = False

# No default: a production process without a secret of its own refuses to start. Keys with
# Django's development marker (`django-insecure-`, as in the local and test settings) are refused too.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY is not set: production needs a secret ({SECRET_KEY_HINT}).")
if SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is a development key (django-insecure-…): production needs a secret ({SECRET_KEY_HINT})."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers and container health checks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    **LOGGING,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("DJANGO_LOG_FORMAT", default="json"),
        }
    },
}
