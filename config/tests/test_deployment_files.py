"""docker-compose.yml and docker/nginx.conf agree with each other and with what the scale-out test proves."""

import re

import yaml

from common.tests.new_process import BASE_DIR
from e2e.nginx import PROXY_CONF, SERVER_PARAMETERS

COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
NGINX_CONF = (BASE_DIR / "docker" / "nginx.conf").read_text()
UPSTREAM_SERVER = re.compile(r"^\s*server\s+([\w.-]+):(\d+)\s+(.*);$", re.MULTILINE)


def test_nginx_balances_over_the_app_replicas_of_compose_with_the_tested_parameters():
    servers = UPSTREAM_SERVER.findall(NGINX_CONF)
    assert {host for host, _, _ in servers} == {name for name in COMPOSE["services"] if name.startswith("app-")}
    assert len(servers) >= 2
    assert {(port, parameters) for _, port, parameters in servers} == {("8000", SERVER_PARAMETERS)}


def test_nginx_container_gets_the_tested_proxy_settings():
    mounts = dict(volume.rsplit(":", 1)[0].split(":", 1) for volume in COMPOSE["services"]["nginx"]["volumes"])
    assert mounts["./docker/nginx.conf"] == "/etc/nginx/conf.d/default.conf"
    assert f"include {mounts['./' + str(PROXY_CONF.relative_to(BASE_DIR))]};" in NGINX_CONF


def test_app_replicas_share_redis_under_a_prefix_and_need_a_secret():
    for name in ("app-1", "app-2"):
        environment = COMPOSE["services"][name]["environment"]
        assert re.match(r"^redis://[^?]+\?key_prefix=\S+$", environment["CACHE_URL"])
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?"), "no default secret"
        assert "DJANGO_MIGRATE_ON_START" not in environment, "replicas must not race to migrate"


def test_a_worker_and_one_beat_run_from_the_app_image_with_the_apps_broker():
    app = COMPOSE["services"]["app-1"]
    assert re.match(r"^redis://[^?]+\?key_prefix=\S+$", app["environment"]["CELERY_BROKER_URL"])
    for name, command in (("worker", "worker"), ("beat", "beat")):
        service = COMPOSE["services"][name]
        assert (service["image"], service["environment"]) == (app["image"], app["environment"])
        assert service["entrypoint"][:4] == ["celery", "-A", "config", command]
        assert service["healthcheck"] == {"disable": True}
    assert [name for name, s in COMPOSE["services"].items() if "beat" in s.get("entrypoint", [])] == ["beat"]
