#!/bin/sh
# Container entry point; CI's serve smoke runs this same script.
set -eu
if [ "${DJANGO_MIGRATE_ON_START:-false}" = "true" ]; then
    python manage.py migrate --noinput
fi
exec gunicorn -c gunicorn.conf.py config.wsgi
