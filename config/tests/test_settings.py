"""Settings refuse to start without a secret when debug is off; production never runs with debug or a dev key."""

import subprocess

import pytest

from common.tests.new_process import run_python, run_snippet

PRODUCTION_SECRET = "a-long-random-production-secret-key-for-the-check-0123456789"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
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
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_DEBUG="True",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET,
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
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_DEBUG="False",
        DJANGO_SECRET_KEY=PRODUCTION_SECRET,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
