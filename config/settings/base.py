"""
Settings shared by every environment.

Every value comes from the environment (or a `.env` file beside `manage.py`) through one
django-environ reader; `local`, `test` and `production` only change what differs.
"""

import ipaddress
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from common.failure_limits import failure_limit_parse

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Debug and the secret key are set by each settings module: production forces debug off and
# requires a secret from the environment; only local and test settings know a fixed key.
DEBUG = False
SECRET_KEY_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    # First, so its `changepassword` (which also revokes tokens) replaces django.contrib.auth's.
    "accounts",
    # Holds project-wide commands such as `load_demo`, which gathers every app's demo data.
    "config",
    # The shared library; an app so its templates (ReDoc without web fonts from a CDN) are found.
    "common",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "posts",
    "products",
    "audit",
    "apikeys",
    "mfa",
    "breaches",
    "devices",
    "passkeys",
    "social",
]

MIDDLEWARE = [
    "common.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default (zero setup); PostgreSQL through psycopg 3 in production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that needs no round trip (common/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "common.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
    )
    # Server-side binding, so the statements compiled once (common.statements: the feed, a post,
    # authentication's lookups) run as prepared statements, each asking for it per call
    # (common.postgresql, `execute_prepared`). No other query is ever prepared: psycopg would prepare
    # one after `prepare_threshold` runs (None turns per-call preparing off too), so the threshold is
    # out of reach. Off for PgBouncer < 1.21 in transaction pooling mode, which cannot carry prepared
    # statements between transactions: DB_PREPARED_STATEMENTS=false (docs/deployment.md).
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", sys.maxsize)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The fast paths of the hottest reads (common.fastpaths); off, every request takes DRF's generic path
# with the same answers (the parity tests compare both).
FAST_PATHS = True

# Cache: local memory per process by default; CACHE_URL=redis://… shares it between processes.
# `?key_prefix=` keeps deployments that share one Redis apart. django-environ lower-cases every
# query option for Django's RedisCache, Django's own KEY_PREFIX, TIMEOUT and VERSION included,
# and Django ignores them lower-cased: give them back their names.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
for _option in ("KEY_PREFIX", "TIMEOUT", "VERSION", "KEY_FUNCTION"):
    if _option.lower() in CACHES["default"]:
        CACHES["default"][_option] = CACHES["default"].pop(_option.lower())

AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # After the common-password list, which stays the floor that needs no network.
    {"NAME": "breaches.validators.BreachedPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# The same storage in every settings module: whatever collectstatic writes is what production serves.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "common.staticfiles.ManifestStaticFilesStorage"},
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After"]

# Security log: events older than this many days are deleted by `purge_audit_events`.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be a whole number of days, at least 1.")

# --- Mail and the flows that send it ------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:587, smtp+tls://…, smtp+ssl://…, consolemail:// (the log).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that stops answering fails the job (which is retried) instead of holding a worker.
EMAIL_TIMEOUT = 10
# Links in mails point at the client application.
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:3000").rstrip("/")

EMAIL_VERIFICATION = env.str("EMAIL_VERIFICATION", default="optional")
if EMAIL_VERIFICATION not in ("optional", "mandatory"):
    raise ImproperlyConfigured("EMAIL_VERIFICATION must be `optional` or `mandatory`.")
PASSWORD_RESET_TIMEOUT_MINUTES = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60)
if PASSWORD_RESET_TIMEOUT_MINUTES < 1:
    raise ImproperlyConfigured("PASSWORD_RESET_TIMEOUT_MINUTES must be a whole number of minutes, at least 1.")
# Django's own name for it, in seconds (read by the token generators in accounts.mail_tokens).
PASSWORD_RESET_TIMEOUT = PASSWORD_RESET_TIMEOUT_MINUTES * 60

# --- Step-up reauthentication ----------------------------------------------------------------
# How recent a login or auth/reauthenticate/ must be for a credential change (accounts.permissions).
REAUTH_SECONDS = env.int("REAUTH_SECONDS", default=300)

# --- Two-factor authentication (mfa) -------------------------------------------------------
# The name authenticator apps show next to the account.
MFA_ISSUER = env.str("MFA_ISSUER", default="Django API")
# Fernet keys (comma list) encrypting TOTP secrets at rest: the first encrypts, every one decrypts,
# so a new key goes first and old ones stay until `manage.py mfa_keys rotate` has re-encrypted
# every secret (docs/security.md, "Two-factor secrets at rest"). Unset: one key derived from SECRET_KEY
# (mfa.crypto), never a key written in the code; production's SECRET_KEY has no default either.
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
for _key in MFA_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except (ValueError, TypeError) as _exc:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes); "
            "make one with `python manage.py mfa_keys generate`."
        ) from _exc

# --- Breached-password check (breaches) ---------------------------------------------------------
# A Have I Been Pwned-style range API: only 5 hex characters of a password's SHA-1 leave the server.
# Empty turns the check off. Slow or down: passwords pass and it is logged, unless fail-closed.
PWNED_PASSWORDS_URL = env.str("PWNED_PASSWORDS_URL", default="https://api.pwnedpasswords.com/range/")
if PWNED_PASSWORDS_URL and urlsplit(PWNED_PASSWORDS_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("PWNED_PASSWORDS_URL must be an http(s) URL, or empty to turn the check off.")
PWNED_PASSWORDS_TIMEOUT = env.float("PWNED_PASSWORDS_TIMEOUT", default=1.0)
PWNED_PASSWORDS_FAIL_CLOSED = env.bool("PWNED_PASSWORDS_FAIL_CLOSED", default=False)
# How often a password must have been seen in breaches to be refused (1: once is enough).
PWNED_PASSWORDS_MIN_COUNT = env.int("PWNED_PASSWORDS_MIN_COUNT", default=1)
PWNED_PASSWORDS_CACHE_SECONDS = env.int("PWNED_PASSWORDS_CACHE_SECONDS", default=24 * 60 * 60)

# --- Background jobs: Celery ------------------------------------------------------------------
# With CELERY_BROKER_URL (redis://…) the worker (`celery -A config worker`) runs the jobs. Unset,
# they run in the web process right after the request's transaction commits (common.jobs), so a
# first run needs no worker and no Redis. Like CACHE_URL, `?key_prefix=` keeps deployments that
# share one Redis apart: it becomes kombu's `global_keyprefix` (the redis client refuses it).
_broker = urlsplit(env.str("CELERY_BROKER_URL", default=""))
_broker_query = dict(parse_qsl(_broker.query))
_broker_prefix = _broker_query.pop("key_prefix", "")
CELERY_BROKER_URL = urlunsplit(_broker._replace(query=urlencode(_broker_query)))
# Celery reads the CELERY_BROKER_URL environment variable itself, over this setting, prefix and all;
# its read and write URLs come from settings first, so they carry the URL without the prefix.
CELERY_BROKER_READ_URL = CELERY_BROKER_WRITE_URL = CELERY_BROKER_URL or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# An in-process job that fails is logged, never raised into the request that enqueued it.
CELERY_TASK_EAGER_PROPAGATES = False
# Acknowledge a job when it has finished, not when it starts: a worker that dies mid-job leaves it
# on the queue (the pool's parent requeues it at once; a lost host's jobs come back after the
# visibility timeout). Jobs are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest retry countdown (accounts.tasks.RETRY_BACKOFF_MAX) plus a send, or
    # Redis would hand a job that is waiting for its retry to a second worker.
    "visibility_timeout": 3600,
    "global_keyprefix": _broker_prefix,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No result backend: nobody reads jobs' return values.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "purge-expired-tokens": {"task": "accounts.tasks.purge_expired_tokens", "schedule": crontab(hour=3, minute=17)},
    "purge-audit-events": {"task": "audit.tasks.purge_audit_events", "schedule": crontab(hour=3, minute=23)},
    "purge-login-challenges": {"task": "mfa.tasks.purge_login_challenges", "schedule": crontab(hour=3, minute=29)},
}

# --- Django REST framework -----------------------------------------------------------------
THROTTLE_RATES = {
    "anon": env.str("THROTTLE_ANON", default="60/min"),
    "user": env.str("THROTTLE_USER", default="600/min"),
    "login": env.str("THROTTLE_LOGIN", default="10/min"),
    "register": env.str("THROTTLE_REGISTER", default="5/min"),
    "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="5/hour"),
    # Endpoints that check a password or a code of a signed-in user, per user and per address.
    "password_check": env.str("THROTTLE_PASSWORD_CHECK", default="5/min"),
}
# Failed attempts per account (whatever the address) before its sign-ins pause, as
# "<attempts>/<window>" with the window in s, m or h (accounts.lockout): the password, then the code.
LOGIN_FAILURES_PER_ACCOUNT = env.str("LOGIN_FAILURES_PER_ACCOUNT", default="5/5m")
MFA_FAILURES_PER_ACCOUNT = env.str("MFA_FAILURES_PER_ACCOUNT", default="10/15m")
# A malformed limit refuses to start, rather than turning every sign-in into a 500.
failure_limit_parse(LOGIN_FAILURES_PER_ACCOUNT, setting="LOGIN_FAILURES_PER_ACCOUNT")
failure_limit_parse(MFA_FAILURES_PER_ACCOUNT, setting="MFA_FAILURES_PER_ACCOUNT")

REST_FRAMEWORK = {
    # A 401 challenges with every scheme here (common.exceptions); API keys also enforce their scopes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.JWTAuthentication",
        "apikeys.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["common.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "common.filters.FilterBackend",
        "common.filters.SearchFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "common.throttling.AnonRateThrottle",
        "common.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Proxies in front of the app (load balancer, ingress) that append to X-Forwarded-For; the
    # header is read only from a peer in TRUSTED_PROXIES (below). Unset trusts none (common.client).
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=None),
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Peers (comma list of addresses or CIDR networks) whose X-Forwarded-For is believed, and only
# with NUM_PROXIES set (common.client). Empty, the default, trusts no peer: behind a proxy, name it.
TRUSTED_PROXIES = []
for _proxy in filter(None, (item.strip() for item in env.list("DJANGO_TRUSTED_PROXIES", default=[]))):
    try:
        TRUSTED_PROXIES.append(ipaddress.ip_network(_proxy, strict=False))
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES holds {_proxy!r}, which is not an IP address or network "
            "(a comma list such as 127.0.0.1,10.0.0.0/8,fd00::/8)."
        ) from _exc

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "common.exceptions.APIExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "415", "429", "500", "503"],
    # 503 while the database is unreachable (common.outage); the others are the package's own.
    "ERROR_SCHEMAS": {"503": "common.openapi.ErrorResponse503Serializer"},
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
    # Tokens carry the login session and the user's token version (accounts.tokens); rotation
    # and blacklisting are done under a row lock by accounts.sessions, not by SimpleJWT's views.
    "AUTH_TOKEN_CLASSES": ("accounts.tokens.SessionAccessToken",),
}
# Without JWT_SIGNING_KEY, SimpleJWT signs with SECRET_KEY (set by each settings module).
if env.str("JWT_SIGNING_KEY", default=""):
    SIMPLE_JWT["SIGNING_KEY"] = env.str("JWT_SIGNING_KEY")

SPECTACULAR_SETTINGS = {
    "TITLE": "Django API",
    "DESCRIPTION": (
        "Accounts with roles and JWT auth, posts with votes, and a product catalogue. "
        "Errors always have the shape `{type, errors: [{code, detail, attr}]}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "displayOperationId": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "HealthStatusEnum": ["ok", "error"],
        "VoteValueEnum": "posts.models.VoteValue.choices",
        "SecurityEventEnum": "audit.models.Event.choices",
        "ApiKeyScopeEnum": "apikeys.models.Scope.choices",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
        "ErrorCode503Enum": [("service_unavailable", "Service Unavailable")],
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

# --- New-device sign-in alerts and security notices (devices) ------------------------------
# A login from a device (browser and OS family, /24 or /48 network) not seen for the user within
# NEW_DEVICE_WINDOW_DAYS mails them; its "this wasn't me" link works for NEW_DEVICE_DISOWN_DAYS.
NEW_DEVICE_ALERTS = env.bool("NEW_DEVICE_ALERTS", default=True)
NEW_DEVICE_WINDOW_DAYS = env.int("NEW_DEVICE_WINDOW_DAYS", default=90)
NEW_DEVICE_DISOWN_DAYS = env.int("NEW_DEVICE_DISOWN_DAYS", default=7)
for _name in ("NEW_DEVICE_WINDOW_DAYS", "NEW_DEVICE_DISOWN_DAYS"):
    if vars()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be a whole number of days, at least 1.")
CELERY_BEAT_SCHEDULE["purge-devices"] = {"task": "devices.tasks.purge_devices", "schedule": crontab(hour=3, minute=35)}

# --- Passkeys (WebAuthn) ---------------------------------------------------------------------
# The relying party: its ID (a registrable domain, never an IP address: browsers refuse one), the
# name authenticators show, and the exact origins (scheme://host[:port]) whose ceremonies count.
# Unset, all three follow FRONTEND_URL. When the RP ID or the origins are set, every origin must be
# able to use the RP ID (fido2's rule: https, or http on localhost), or the settings refuse to load;
# an http FRONTEND_URL elsewhere (allowed by DJANGO_ALLOW_HTTP_FRONTEND) only leaves passkeys unusable.
from fido2.rpid import verify_rp_id  # noqa: E402  (this block's own import, kept with it)

_frontend = urlsplit(FRONTEND_URL)
_webauthn_rp_id = env.str("WEBAUTHN_RP_ID", default="")
_webauthn_origins = [origin.rstrip("/") for origin in env.list("WEBAUTHN_ORIGINS", default=[])]
WEBAUTHN_RP_ID = _webauthn_rp_id or _frontend.hostname or "localhost"
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", default=MFA_ISSUER)
WEBAUTHN_ORIGINS = _webauthn_origins or [f"{_frontend.scheme}://{_frontend.netloc}"]
for _origin in WEBAUTHN_ORIGINS if _webauthn_rp_id or _webauthn_origins else []:
    if not verify_rp_id(WEBAUTHN_RP_ID, _origin):
        raise ImproperlyConfigured(
            f"WEBAUTHN_ORIGINS: {_origin!r} cannot use the RP ID {WEBAUTHN_RP_ID!r} (WEBAUTHN_RP_ID): the origin "
            "must be https (or http://localhost) on that domain or below it, and the RP ID not an IP address."
        )
CELERY_BEAT_SCHEDULE["purge-passkey-ceremonies"] = {
    "task": "passkeys.tasks.purge_passkey_ceremonies",
    "schedule": crontab(hour=3, minute=31),
}

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain")  # "plain" or "json"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "filters": {"tracebacks_of_bugs_only": {"()": "common.outage.RequestLogFilter"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The request log (config.request) replaces Django's own per-request lines for 4xx/5xx;
        # Django's logger adds only the tracebacks of real bugs (not of a database outage).
        "django.request": {"level": "ERROR", "filters": ["tracebacks_of_bugs_only"]},
        "django.server": {"level": "ERROR"},
    },
}

# --- Account deletion and data export (privacy) --------------------------------------------------
INSTALLED_APPS += ["privacy"]
# Days between `DELETE auth/me/` (the account is deactivated at once) and its purge; the mailed link
# cancels the deletion until then.
ACCOUNT_DELETION_GRACE_DAYS = env.int("ACCOUNT_DELETION_GRACE_DAYS", default=7)
if ACCOUNT_DELETION_GRACE_DAYS < 1:
    raise ImproperlyConfigured("ACCOUNT_DELETION_GRACE_DAYS must be a whole number of days, at least 1.")
# What the purge does with the account's posts and votes: `delete` them (the default: erasure is what
# was asked for) or `anonymise` them (kept under a placeholder author; privacy.content).
ACCOUNT_DELETION_CONTENT = env.str("ACCOUNT_DELETION_CONTENT", default="delete")
if ACCOUNT_DELETION_CONTENT not in ("delete", "anonymise"):
    raise ImproperlyConfigured("ACCOUNT_DELETION_CONTENT must be `delete` or `anonymise`.")
# How often beat runs the privacy housekeeping: purge the accounts due, drop expired exports.
PRIVACY_HOUSEKEEPING_SECONDS = env.int("PRIVACY_HOUSEKEEPING_SECONDS", default=3600)
if PRIVACY_HOUSEKEEPING_SECONDS < 1:
    raise ImproperlyConfigured("PRIVACY_HOUSEKEEPING_SECONDS must be a whole number of seconds, at least 1.")
CELERY_BEAT_SCHEDULE["privacy-housekeeping"] = {
    "task": "privacy.tasks.privacy_housekeeping",
    "schedule": float(PRIVACY_HOUSEKEEPING_SECONDS),
}


# --- Social login by OpenID Connect (social) ---------------------------------------------------
# A provider is on when its client id is set. Secrets come from the environment only. `TRUSTED`:
# the provider's `email_verified: true` may link an existing account with that (verified) email
# without its password; otherwise a matching email must sign in first and link (docs/social-login.md).
def _social_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")):
        raise ImproperlyConfigured(f"{name} must be an https URL (plain http only on loopback).")
    return value.rstrip("/")


def _social_provider(client_id: str, client_secret: str, trusted: bool, **fields) -> dict | None:
    return {"client_id": client_id, "client_secret": client_secret, "trusted": trusted, **fields} if client_id else None


_SOCIAL_GITLAB_URL = _social_url("SOCIAL_GITLAB_URL", env.str("SOCIAL_GITLAB_URL", default="https://gitlab.com"))
_SOCIAL_OIDC_DISCOVERY_URL = env.str("SOCIAL_OIDC_DISCOVERY_URL", default="")
SOCIAL_PROVIDERS = {
    slug: provider
    for slug, provider in {
        "google": _social_provider(
            env.str("SOCIAL_GOOGLE_CLIENT_ID", default=""),
            env.str("SOCIAL_GOOGLE_CLIENT_SECRET", default=""),
            env.bool("SOCIAL_GOOGLE_TRUSTED", default=True),
            preset="google",
            name="Google",
            discovery_url="https://accounts.google.com/.well-known/openid-configuration",
        ),
        "microsoft": _social_provider(
            env.str("SOCIAL_MICROSOFT_CLIENT_ID", default=""),
            env.str("SOCIAL_MICROSOFT_CLIENT_SECRET", default=""),
            env.bool("SOCIAL_MICROSOFT_TRUSTED", default=False),
            preset="microsoft",
            name="Microsoft",
            tenant=env.str("SOCIAL_MICROSOFT_TENANT", default="common"),
        ),
        "gitlab": _social_provider(
            env.str("SOCIAL_GITLAB_CLIENT_ID", default=""),
            env.str("SOCIAL_GITLAB_CLIENT_SECRET", default=""),
            env.bool("SOCIAL_GITLAB_TRUSTED", default=False),
            preset="gitlab",
            name="GitLab",
            discovery_url=f"{_SOCIAL_GITLAB_URL}/.well-known/openid-configuration",
        ),
        "github": _social_provider(
            env.str("SOCIAL_GITHUB_CLIENT_ID", default=""),
            env.str("SOCIAL_GITHUB_CLIENT_SECRET", default=""),
            env.bool("SOCIAL_GITHUB_TRUSTED", default=True),
            preset="github",
            name="GitHub",
        ),
        "oidc": _social_provider(
            env.str("SOCIAL_OIDC_CLIENT_ID", default=""),
            env.str("SOCIAL_OIDC_CLIENT_SECRET", default=""),
            env.bool("SOCIAL_OIDC_TRUSTED", default=False),
            preset="oidc",
            name=env.str("SOCIAL_OIDC_NAME", default="OpenID Connect"),
            discovery_url=_social_url("SOCIAL_OIDC_DISCOVERY_URL", _SOCIAL_OIDC_DISCOVERY_URL)
            if _SOCIAL_OIDC_DISCOVERY_URL
            else "",
        ),
    }.items()
    if provider is not None
}
if "oidc" in SOCIAL_PROVIDERS and not SOCIAL_PROVIDERS["oidc"]["discovery_url"]:
    raise ImproperlyConfigured("SOCIAL_OIDC_CLIENT_ID is set: set SOCIAL_OIDC_DISCOVERY_URL too.")
# The API's public origin for the providers' redirect URI (…/api/v1/auth/social/<provider>/callback/);
# empty: the request's own origin.
SOCIAL_CALLBACK_ORIGIN = env.str("SOCIAL_CALLBACK_ORIGIN", default="").rstrip("/")
# Where the callback sends the browser in the client application, with `?ticket=` or `?error=`.
SOCIAL_FRONTEND_PATH = env.str("SOCIAL_FRONTEND_PATH", default="/social/callback")
# Seconds to wait for a provider (discovery, keys, token, user info) before answering 503.
SOCIAL_HTTP_TIMEOUT = env.float("SOCIAL_HTTP_TIMEOUT", default=5.0)
# Authorization requests (10 minutes) and tickets (60 seconds) left behind by unfinished sign-ins.
CELERY_BEAT_SCHEDULE["purge-social-requests"] = {
    "task": "social.tasks.purge_social_requests",
    "schedule": crontab(hour=3, minute=41),
}
