"""gunicorn.conf.py listens on loopback unless told otherwise; the image tells it to listen on every interface."""

import os
import re

from common.tests.new_process import BASE_DIR, run_snippet

READ_BIND = "import json, runpy; print(json.dumps(runpy.run_path('gunicorn.conf.py')['bind']))"


def clean_gunicorn_environment() -> dict[str, None]:
    """Every GUNICORN_* variable of this environment, removed."""
    return {name: None for name in os.environ if name.startswith("GUNICORN_")}


def test_outside_docker_gunicorn_binds_loopback_only():
    bind, _ = run_snippet(READ_BIND, **clean_gunicorn_environment())
    assert bind == "127.0.0.1:8000"


def test_gunicorn_bind_from_the_environment_wins():
    bind, _ = run_snippet(READ_BIND, **{**clean_gunicorn_environment(), "GUNICORN_BIND": "0.0.0.0:9000"})
    assert bind == "0.0.0.0:9000"


def test_the_image_listens_on_every_interface_on_the_port_its_health_check_asks():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    env_block = re.search(r"^ENV ((?:.*\\\n)*.*)$", dockerfile, re.MULTILINE).group(1)
    assert re.search(r"\bGUNICORN_BIND=0\.0\.0\.0:8000\b", env_block)
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.MULTILINE)
