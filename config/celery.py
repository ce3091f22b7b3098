"""
The Celery app: `celery -A config worker` runs background jobs, `celery -A config beat` schedules housekeeping.

Configured from Django's settings (the `CELERY_` ones, `config.settings.base`); every app's
`tasks.py` is found by autodiscovery. Like gunicorn, the worker and the scheduler default to
production settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
