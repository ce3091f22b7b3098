"""
Two app instances (gunicorn, production settings) behind a real nginx, one PostgreSQL, one Redis and
one SMTP server: revocation, throttling, the per-account code limit and the reset-mail cap hold across
instances, and a rolling restart under load fails nothing.
"""

import base64
import json
import os
import time
import uuid
from http import HTTPStatus

import pytest

from accounts.demo import DEMO_PASSWORD
from bench.server import Gunicorn, manage
from e2e.live_server import LiveServer, free_port, fresh_database_url, redis_reachable
from e2e.load import Call, running_load
from e2e.nginx import nginx_balancer, nginx_binary
from e2e.smtp import smtp_server
from mfa import totp

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(nginx_binary() is None, reason="needs nginx (apt-get install nginx-light)"),
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]

LOAD_SECONDS = 20
CALLS = [
    Call("GET", "/api/v1/posts/"),
    Call("POST", "/api/v1/posts/", {"title": "Rolling", "body": "Written while the instances restart."}),
    Call("GET", "/api/v1/products/"),
    Call("GET", "/api/v1/auth/me/"),
]
EXPECTED = {HTTPStatus.OK, HTTPStatus.CREATED}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Instances `a` and `b` and the balancer in front of them, sharing one database and one Redis prefix."""
    tmp = tmp_path_factory.mktemp("scale-out")
    database_url = fresh_database_url(DATABASE_URL, "scaleout", tmp)
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "load_demo")
    with smtp_server() as (controller, smtp):
        shared = {
            "CACHE_URL": f"redis://127.0.0.1:6379/0?key_prefix=e2e-scale-out-{uuid.uuid4().hex}",
            # Mail is sent by the instances themselves (no CELERY_BROKER_URL), to the SMTP server above.
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "THROTTLE_REGISTER": "2/min",
            # The per-address limits must not be what stops the per-account and per-address-mail tests.
            "THROTTLE_LOGIN": "1000/min",
            "THROTTLE_PASSWORD_RESET": "1000/min",
            "DJANGO_NUM_PROXIES": "1",
            "GUNICORN_ACCESSLOG": "",
        }
        instances = {
            name: Gunicorn(database_url, free_port(), tmp / f"gunicorn-{name}.log", **shared).start() for name in "ab"
        }
        try:
            upstreams = [f"127.0.0.1:{instance.port}" for instance in instances.values()]
            with nginx_balancer(free_port(), upstreams) as balancer:
                yield {"instances": instances, "balancer": balancer, "database_url": database_url, "smtp": smtp}
        finally:
            for instance in instances.values():
                instance.stop()


def client(url: str, database_url: str) -> LiveServer:
    return LiveServer(url=url, database_url=database_url)


def test_a_logout_through_one_instance_is_rejected_by_the_other_at_once(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    balancer = client(cluster["balancer"].url, cluster["database_url"])
    status, tokens = balancer.request("POST", "/api/v1/auth/login/", {"username": "user", "password": DEMO_PASSWORD})
    assert status == HTTPStatus.OK
    for server in (a, b, balancer):
        assert server.request("GET", "/api/v1/auth/me/", token=tokens["access"])[0] == HTTPStatus.OK

    status, _ = a.request("POST", "/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, token=tokens["access"])
    assert status == HTTPStatus.NO_CONTENT

    assert b.request("GET", "/api/v1/auth/me/", token=tokens["access"])[0] == HTTPStatus.UNAUTHORIZED
    assert b.request("POST", "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})[0] in (
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.UNAUTHORIZED,
    )
    for _ in range(4):  # round robin: both instances, through the balancer
        assert balancer.request("GET", "/api/v1/auth/me/", token=tokens["access"])[0] == HTTPStatus.UNAUTHORIZED


def test_a_session_ended_on_the_sessions_page_of_one_instance_is_rejected_by_the_other(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    login = {"username": "user", "password": DEMO_PASSWORD}
    keeper, lost = (a.request("POST", "/api/v1/auth/login/", login)[1] for _ in range(2))
    status, page = b.request("GET", "/api/v1/auth/sessions/?page_size=100", token=keeper["access"])
    assert status == HTTPStatus.OK
    lost_id = next(s["id"] for s in page["results"] if s["id"].replace("-", "") == _sid(lost["access"]))

    status, _ = a.request("DELETE", f"/api/v1/auth/sessions/{lost_id}/", token=keeper["access"])
    assert status == HTTPStatus.NO_CONTENT

    assert b.request("GET", "/api/v1/auth/me/", token=lost["access"])[0] == HTTPStatus.UNAUTHORIZED
    assert b.request("POST", "/api/v1/auth/token/refresh/", {"refresh": lost["refresh"]})[0] == HTTPStatus.UNAUTHORIZED
    assert b.request("GET", "/api/v1/auth/me/", token=keeper["access"])[0] == HTTPStatus.OK


def _sid(token: str) -> str:
    """The `sid` claim of a JWT, read without checking it (the server checks it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sid"]


def test_a_key_revoked_or_whose_owner_is_deactivated_through_one_instance_fails_on_the_other(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    tokens = {name: a.login(name, DEMO_PASSWORD) for name in ("moderator", "admin")}
    keys = []
    for name in ("first", "second"):
        status, made = a.request(
            "POST", "/api/v1/auth/api-keys/", {"name": name, "scopes": ["read"]}, tokens["moderator"]
        )
        assert status == HTTPStatus.CREATED
        keys.append(made)
    for _ in range(8):  # every worker of both instances has seen the keys work
        for server in (a, b):
            assert {server.request("GET", "/api/v1/posts/", api_key=k["key"])[0] for k in keys} == {HTTPStatus.OK}

    status, _ = a.request("DELETE", f"/api/v1/auth/api-keys/{keys[0]['id']}/", token=tokens["moderator"])
    assert status == HTTPStatus.NO_CONTENT
    assert {b.request("GET", "/api/v1/posts/", api_key=keys[0]["key"])[0] for _ in range(8)} == {
        HTTPStatus.UNAUTHORIZED
    }
    assert b.request("GET", "/api/v1/posts/", api_key=keys[1]["key"])[0] == HTTPStatus.OK

    status, me = a.request("GET", "/api/v1/auth/me/", token=tokens["moderator"])
    assert (
        a.request("PATCH", f"/api/v1/users/{me['id']}/", {"is_active": False}, token=tokens["admin"])[0]
        == HTTPStatus.OK
    )
    try:
        assert {b.request("GET", "/api/v1/posts/", api_key=keys[1]["key"])[0] for _ in range(8)} == {
            HTTPStatus.UNAUTHORIZED
        }
    finally:  # leave the demo account as it was
        a.request("PATCH", f"/api/v1/users/{me['id']}/", {"is_active": True}, token=tokens["admin"])


def test_throttle_counters_are_shared_by_both_instances(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    # THROTTLE_REGISTER is 2/min per client address: two attempts in all, whichever instance counts them.
    statuses = [server.request("POST", "/api/v1/auth/register/", {})[0] for server in (a, b, a, b)]
    assert statuses == [HTTPStatus.BAD_REQUEST, HTTPStatus.BAD_REQUEST] + [HTTPStatus.TOO_MANY_REQUESTS] * 2


CREATE_ACCOUNT = """
from accounts.models import User
User.objects.create_user(username={username!r}, email={email!r}, password={password!r}, email_verified=True)
"""
MFA_LIMIT = 10  # MFA_FAILURES_PER_ACCOUNT's default, 10/15m
RESET_MAILS_PER_HOUR = 3


def account_create(cluster, name: str) -> tuple[str, str]:
    """A new verified account, made with `manage.py shell`; returns its username and email."""
    username, email = f"{name}-{uuid.uuid4().hex[:8]}", f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    script = CREATE_ACCOUNT.format(username=username, email=email, password=DEMO_PASSWORD)
    manage(cluster["database_url"], "shell", "-c", script)
    return username, email


def code_now(secret: str, offset_steps: int = 0) -> str:
    return totp.code_at_step(secret, totp.step_at(time.time()) + offset_steps)


def wrong_code(secret: str) -> str:
    rights = {code_now(secret, offset) for offset in (-1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in rights)


def mfa_enrol(server: LiveServer, username: str) -> str:
    """Turn two-factor on through the API (enrol, confirm with a code computed from the secret); return the secret."""
    access = server.login(username, DEMO_PASSWORD)
    status, enrolled = server.request("POST", "/api/v1/auth/mfa/totp/", {"password": DEMO_PASSWORD}, token=access)
    assert status == HTTPStatus.CREATED, enrolled
    secret = enrolled["secret"]
    status, body = server.request("POST", "/api/v1/auth/mfa/totp/confirm/", {"code": code_now(secret)}, token=access)
    assert status == HTTPStatus.OK, body
    return secret


def test_the_per_account_code_limit_holds_across_both_instances(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    username, email = account_create(cluster, "mfa")
    secret = mfa_enrol(a, username)
    login = {"username": username, "password": DEMO_PASSWORD}
    statuses = []
    for n in range(MFA_LIMIT + 2):
        server = (a, b)[n % 2]
        if n % 4 == 0:  # a new challenge now and then (a token dies after 5 wrong codes), from either instance
            status, challenge = server.request("POST", "/api/v1/auth/login/", login)
            assert status == HTTPStatus.ACCEPTED, challenge
        code = wrong_code(secret) if n < MFA_LIMIT else code_now(secret, 1)
        body = {"mfa_token": challenge["mfa_token"], "code": code}
        statuses.append(server.request("POST", "/api/v1/auth/login/mfa/", body)[0])
    # 10 wrong codes in all, alternately through a and b; then even a right code waits, on either.
    assert statuses == [HTTPStatus.BAD_REQUEST] * MFA_LIMIT + [HTTPStatus.TOO_MANY_REQUESTS] * 2
    # Two mails: the notice that two-factor was turned on (devices.security_notices), then the lock's.
    mails = cluster["smtp"].wait_for_mail(email, 2, timeout=20)
    assert sorted("wrong two-factor codes" in notice["Subject"] for notice in mails) == [False, True]


def test_the_reset_mail_cap_holds_across_both_instances(cluster):
    a, b = (client(cluster["instances"][n].url, cluster["database_url"]) for n in "ab")
    _, email = account_create(cluster, "reset")
    for n in range(10):
        status, _ = (a, b)[n % 2].request("POST", "/api/v1/auth/password/reset/", {"email": email})
        assert status == HTTPStatus.ACCEPTED
    smtp = cluster["smtp"]
    smtp.wait_for_mail(email, RESET_MAILS_PER_HOUR, timeout=20)
    time.sleep(2)  # any mail past the cap would have arrived by now
    assert len(smtp.mails_to(email)) == RESET_MAILS_PER_HOUR, smtp.attempts


def test_links_through_the_balancer_point_back_to_the_balancer(cluster):
    balancer = client(cluster["balancer"].url, cluster["database_url"])
    status, index = balancer.request("GET", "/api/v1/")
    assert status == HTTPStatus.OK
    assert index["posts"] == f"{balancer.url}/api/v1/posts/"


def wait_until_balanced_to(load, instance, since: float, timeout: float = 15) -> None:
    """Until the balancer sends the load to `instance` again (X-Upstream of requests after `since`)."""
    address = f"127.0.0.1:{instance.port}"
    deadline = time.monotonic() + timeout
    while not any(o.started > since and o.served_by == address for o in list(load.outcomes)):
        assert time.monotonic() < deadline, f"the balancer never came back to {address}"
        time.sleep(0.1)


def test_rolling_restart_under_load_fails_no_request(cluster, artifacts_dir):
    instances, balancer = cluster["instances"], cluster["balancer"]
    token = client(balancer.url, cluster["database_url"]).login("admin", DEMO_PASSWORD)
    steps = []
    with running_load(balancer.url, CALLS, token, connections=16, max_seconds=LOAD_SECONDS + 30) as load:
        t0 = time.monotonic()
        time.sleep(2)
        for name in "ab":
            instance = instances[name]
            stopping = time.monotonic()
            old_pid, exit_code = instance.pid, instance.stop()
            stopped = time.monotonic()
            instance.start()
            started = time.monotonic()
            wait_until_balanced_to(load, instance, started)
            steps.append(
                f"{name}: SIGTERM to {old_pid} at {stopping - t0:.1f} s, exited ({exit_code}) in "
                f"{stopped - stopping:.2f} s; {instance.pid} healthy at {started - t0:.1f} s, "
                f"balanced to again at {time.monotonic() - t0:.1f} s"
            )
        time.sleep(max(0.0, LOAD_SECONDS - (time.monotonic() - t0)))
    outcomes = load.stop()

    failed = [o for o in outcomes if o.status not in EXPECTED]
    by_instance = {}
    for outcome in outcomes:
        by_instance[outcome.served_by or "-"] = by_instance.get(outcome.served_by or "-", 0) + 1
    writes = sum(o.call.method == "POST" for o in outcomes)
    slowest = max(o.ended - o.started for o in outcomes)
    report = "\n".join(
        [
            f"rolling restart: {len(outcomes)} requests sent ({writes} POSTs) over {LOAD_SECONDS} s, "
            f"16 connections, {len(failed)} failed; slowest answer {slowest:.2f} s",
            *steps,
            "served by: " + ", ".join(f"{k}: {v}" for k, v in sorted(by_instance.items())),
            *[f"failed: {o.call.method} {o.call.path} -> {o.status} {o.error}" for o in failed[:20]],
        ]
    )
    (artifacts_dir / "rolling-restart.txt").write_text(report + "\n")
    print(report)
    assert failed == [], report + "\n" + balancer.error_log()[-3000:]
