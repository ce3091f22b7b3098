"""Settings refuse to start without a secret when debug is off."""

import subprocess

import pytest

from config.tests.new_process import run_python


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, **env)


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.local"])
def test_missing_secret_with_debug_off_refuses_to_start_with_one_line(module):
    result = run_manage("check", DJANGO_SETTINGS_MODULE=module, DJANGO_DEBUG="False", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


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
        DJANGO_SECRET_KEY="a-long-random-production-secret-key-for-the-check-0123456789",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
