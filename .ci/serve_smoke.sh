#!/usr/bin/env bash
# Runs what the Dockerfile runs (collectstatic, then docker/entrypoint.sh with migrate-on-start)
# and checks that health, docs, the admin login and a static file answer 200.
# Arguments: extra VAR=value pairs for the production-like environment.
# Port: a free one (SMOKE_PORT to choose; then it must be free too), so the smoke never talks
# to some other server that happens to hold a fixed port.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
PORT=${SMOKE_PORT:-$(python -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:${PORT}/"; then
    echo "serve smoke: port ${PORT} is already taken by another server; set SMOKE_PORT to a free port" >&2
    exit 1
fi
LOG=$(mktemp)
export "$@"
export DJANGO_SECURE_SSL_REDIRECT=False GUNICORN_BIND="127.0.0.1:${PORT}" DJANGO_MIGRATE_ON_START=true

python manage.py collectstatic --noinput -v0
sh docker/entrypoint.sh >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT

for _ in $(seq 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/api/v1/health/" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { cat "$LOG"; echo "gunicorn died"; exit 1; }
    sleep 0.5
done
# The server answering must be ours: gunicorn (a child of the entry point's shell, or that shell
# itself after exec) listens on the port.
listener=$(ss -Htlnp "sport = :${PORT}" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
if [ -n "$listener" ] && [ "$listener" != "$PID" ] && [ "$(ps -o ppid= -p "$listener" | tr -d ' ')" != "$PID" ]; then
    echo "serve smoke: port ${PORT} is held by process ${listener}, not by the server started here" >&2
    exit 1
fi

static=$(python -c "from django.conf import settings; import django; django.setup(); from django.templatetags.static import static; print(static('admin/css/base.css'))")
fail=0
for path in /api/v1/health/ /api/v1/ /api/docs/ /api/redoc/ /api/schema/ /admin/login/ "$static"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT}${path}")
    echo "GET ${path} -> ${code}"
    [ "$code" = 200 ] || fail=1
done
python docker/healthcheck.py && echo "docker/healthcheck.py -> healthy" || fail=1

kill "$PID"
wait "$PID" || true
trap - EXIT
echo "--- server log (last lines)"
tail -n 5 "$LOG"
exit $fail
