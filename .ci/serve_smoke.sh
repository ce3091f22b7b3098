#!/usr/bin/env bash
# Runs what the Dockerfile runs (collectstatic, then docker/entrypoint.sh with migrate-on-start)
# and checks that health, docs, the admin login and a static file answer 200.
# Arguments: extra VAR=value pairs for the production-like environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SMOKE_PORT:-8765}
LOG=$(mktemp)
export PATH="$PWD/.venv/bin:$PATH"
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

static=$(python -c "from django.conf import settings; import django; django.setup(); from django.templatetags.static import static; print(static('admin/css/base.css'))")
fail=0
for path in /api/v1/health/ /api/docs/ /api/redoc/ /api/schema/ /admin/login/ "$static"; do
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
