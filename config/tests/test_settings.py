"""Settings refuse to start without a secret when debug is off; production never runs with debug or a dev key."""

import subprocess
import sys

import pytest

from common.tests.new_process import BASE_DIR, run_python, run_snippet

PRODUCTION_SECRET = "a-long-random-production-secret-key-for-the-check-0123456789"
# What a production process needs beyond its secret: a shared cache, a real mail server, an https frontend.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
    "CACHE_URL": "redis://127.0.0.1:6379/0?key_prefix=test-settings",
    "EMAIL_URL": "smtp+tls://mailer:password@smtp.example.com:587",
    "FRONTEND_URL": "https://app.example.com",
    "JWT_SIGNING_KEY": None,
    "DJANGO_ALLOW_LOCAL_CACHE": None,
    "DJANGO_ALLOW_LOCAL_MAIL": None,
    "DJANGO_ALLOW_HTTP_FRONTEND": None,
}


def run_manage(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.local"])
def test_missing_secret_with_debug_off_refuses_to_start_with_one_line(module):
    result = run_manage("check", DJANGO_SETTINGS_MODULE=module, DJANGO_DEBUG="False", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def assert_refused_with_one_line(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("debug", ["True", "False"])
def test_production_refuses_to_start_without_a_secret_whatever_debug_says(debug):
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_DEBUG=debug, DJANGO_SECRET_KEY=""
    )
    assert_refused_with_one_line(result, "DJANGO_SECRET_KEY is not set")


def test_production_refuses_the_development_key():
    from config.settings.local import DEVELOPMENT_SECRET_KEY

    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY=DEVELOPMENT_SECRET_KEY
    )
    assert_refused_with_one_line(result, "DJANGO_SECRET_KEY is a development key")


def test_production_forces_debug_off_even_when_the_environment_turns_it_on():
    outcome, _ = run_snippet(
        "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.DEBUG))",
        **{**PRODUCTION_ENV, "DJANGO_DEBUG": "True"},
    )
    assert outcome is False


def test_local_settings_use_the_development_key_only_with_debug_on():
    outcome, _ = run_snippet(
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DEBUG, settings.SECRET_KEY]))",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="True",
        DJANGO_SECRET_KEY="",
    )
    assert outcome[0] is True
    assert outcome[1].startswith("django-insecure-")


def test_missing_secret_with_debug_on_starts():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="True", DJANGO_SECRET_KEY=""
    )
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_starts_with_a_shared_cache_real_mail_and_an_https_frontend():
    result = run_manage("check", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"CACHE_URL": None}, "CACHE_URL gives a per-process cache (django.core.cache.backends.locmem.LocMemCache)"),
        ({"CACHE_URL": "locmemcache://"}, "DJANGO_ALLOW_LOCAL_CACHE=true"),
        ({"CACHE_URL": "dummycache://"}, "CACHE_URL gives a per-process cache (django.core.cache.backends.dummy"),
        (
            {"EMAIL_URL": None},
            "delivers nothing (django.core.mail.backends.console.EmailBackend)",
        ),
        ({"EMAIL_URL": "consolemail://"}, "DJANGO_ALLOW_LOCAL_MAIL=true"),
        (
            {"EMAIL_URL": "memorymail://"},
            "delivers nothing (django.core.mail.backends.locmem.EmailBackend)",
        ),
        (
            {"EMAIL_URL": "filemail:///tmp/mails"},
            "delivers nothing (django.core.mail.backends.filebased.EmailBackend)",
        ),
        ({"EMAIL_URL": "dummymail://"}, "delivers nothing (django.core.mail.backends.dummy.EmailBackend)"),
        ({"FRONTEND_URL": None}, "FRONTEND_URL is not https (http://localhost:3000)"),
        ({"FRONTEND_URL": "http://app.example.com"}, "DJANGO_ALLOW_HTTP_FRONTEND=true"),
        ({"DJANGO_SECRET_KEY": "s" * 10 + "0123456789" * 3 + "abcdefghi"}, "DJANGO_SECRET_KEY is too weak"),
        ({"DJANGO_SECRET_KEY": "abcd" * 20}, "at least 50 characters, 5 of them different"),
        ({"JWT_SIGNING_KEY": "k" * 31}, "JWT_SIGNING_KEY is shorter than 32 bytes"),
        # Bytes, not characters: 16 characters of two bytes each pass, 15 do not.
        ({"JWT_SIGNING_KEY": "é" * 15}, "JWT_SIGNING_KEY is shorter than 32 bytes"),
    ],
)
def test_production_refuses_what_only_works_in_one_process_or_leaks_tokens(override, message):
    assert_refused_with_one_line(run_manage("check", **{**PRODUCTION_ENV, **override}), message)


@pytest.mark.parametrize(
    "override",
    [
        {"CACHE_URL": "locmemcache://", "DJANGO_ALLOW_LOCAL_CACHE": "true"},
        {"CACHE_URL": "dummycache://", "DJANGO_ALLOW_LOCAL_CACHE": "true"},
        {"EMAIL_URL": "consolemail://", "DJANGO_ALLOW_LOCAL_MAIL": "true"},
        {"EMAIL_URL": "memorymail://", "DJANGO_ALLOW_LOCAL_MAIL": "true"},
        {"EMAIL_URL": "dummymail://", "DJANGO_ALLOW_LOCAL_MAIL": "true"},
        {"FRONTEND_URL": "http://localhost:3000", "DJANGO_ALLOW_HTTP_FRONTEND": "true"},
        {"JWT_SIGNING_KEY": "k" * 32},
        {"JWT_SIGNING_KEY": "é" * 16},
        {"DJANGO_SECRET_KEY": "0123456789" * 5},
    ],
)
def test_production_starts_when_a_local_setup_is_allowed_by_name_or_a_key_is_long_enough(override):
    result = run_manage("check", **{**PRODUCTION_ENV, **override})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("given", "allowed"),
    [
        ({}, {"DJANGO_ALLOW_LOCAL_CACHE", "DJANGO_ALLOW_LOCAL_MAIL", "DJANGO_ALLOW_HTTP_FRONTEND"}),
        (
            {"CACHE_URL": "redis://127.0.0.1:6379/0?key_prefix=test-settings", "EMAIL_URL": "smtp://127.0.0.1:2525"},
            {"DJANGO_ALLOW_HTTP_FRONTEND"},
        ),
        (
            {"FRONTEND_URL": "https://app.example.com", "EMAIL_URL": "smtp://127.0.0.1:2525"},
            {"DJANGO_ALLOW_LOCAL_CACHE"},
        ),
    ],
)
def test_the_servers_of_the_benchmarks_and_e2e_tests_allow_only_the_local_setups_they_really_use(
    tmp_path, monkeypatch, given, allowed
):
    from bench.server import production_env

    names = ("DJANGO_ALLOW_LOCAL_CACHE", "DJANGO_ALLOW_LOCAL_MAIL", "DJANGO_ALLOW_HTTP_FRONTEND")
    for name in (*names, "CACHE_URL", "EMAIL_URL", "FRONTEND_URL"):
        monkeypatch.delenv(name, raising=False)
    env = production_env(f"sqlite:///{tmp_path / 'unused.sqlite3'}", **given)
    assert {name for name in names if env.get(name) == "true"} == allowed
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://range.example.com/", "range.example.com/range/"])
def test_a_breached_password_url_that_is_not_http_refuses_to_start(url):
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="True", PWNED_PASSWORDS_URL=url
    )
    assert_refused_with_one_line(result, "PWNED_PASSWORDS_URL must be an http(s) URL")
