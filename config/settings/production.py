"""
Settings for production: debug off, a secret from the environment, HTTPS everywhere, JSON logs.

The app is expected behind a TLS-terminating proxy that sets X-Forwarded-Proto; every
security switch can be turned off from the environment for a plain-HTTP setup.
"""

from django.core.checks.security.base import SECRET_KEY_MIN_LENGTH, SECRET_KEY_MIN_UNIQUE_CHARACTERS
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, EMAIL_BACKEND, FRONTEND_URL, LOGGING, SECRET_KEY_HINT, SIMPLE_JWT, env

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
# Django's own bar for a secret (check --deploy's security.W009), made a refusal here.
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is too weak: production needs at least {SECRET_KEY_MIN_LENGTH} characters, "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different ({SECRET_KEY_HINT})."
    )
# Unset, SimpleJWT signs with SECRET_KEY (checked above); a key of its own must be as strong as HS256's
# output (RFC 7518 3.2: at least 256 bits).
JWT_SIGNING_KEY_MIN_BYTES = 32
if "SIGNING_KEY" in SIMPLE_JWT and len(SIMPLE_JWT["SIGNING_KEY"].encode()) < JWT_SIGNING_KEY_MIN_BYTES:
    raise ImproperlyConfigured(
        f"JWT_SIGNING_KEY is shorter than {JWT_SIGNING_KEY_MIN_BYTES} bytes: set a longer one ({SECRET_KEY_HINT}) "
        "or unset it to sign with DJANGO_SECRET_KEY."
    )

# What only works in one process, or only on a developer's machine, is refused unless allowed by name:
# a per-process cache splits throttle and mail-limit counters per worker, and the console, memory,
# file and dummy mail backends would put reset and verification tokens in the log, in files on the
# server or nowhere.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
LOCAL_MAIL_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
)
if CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES and not env.bool("DJANGO_ALLOW_LOCAL_CACHE", default=False):
    raise ImproperlyConfigured(
        f"CACHE_URL gives a per-process cache ({CACHES['default']['BACKEND']}): throttles and mail limits would "
        "count per worker. Set CACHE_URL=redis://host:6379/0?key_prefix=… (or DJANGO_ALLOW_LOCAL_CACHE=true "
        "for a single process)."
    )
if EMAIL_BACKEND in LOCAL_MAIL_BACKENDS and not env.bool("DJANGO_ALLOW_LOCAL_MAIL", default=False):
    raise ImproperlyConfigured(
        f"EMAIL_URL gives a mail backend that delivers nothing ({EMAIL_BACKEND}): reset and verification links "
        "would end up in the log, in files or nowhere. Set EMAIL_URL=smtp+tls://user:pass@host:587 "
        "(or DJANGO_ALLOW_LOCAL_MAIL=true)."
    )
if not FRONTEND_URL.startswith("https://") and not env.bool("DJANGO_ALLOW_HTTP_FRONTEND", default=False):
    raise ImproperlyConfigured(
        f"FRONTEND_URL is not https ({FRONTEND_URL}): reset and verification links would travel in clear. "
        "Set FRONTEND_URL=https://… (or DJANGO_ALLOW_HTTP_FRONTEND=true)."
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
