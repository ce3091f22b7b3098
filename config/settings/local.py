"""Settings for a developer's machine: `make run`, `python manage.py …`."""

from .base import *  # noqa: F403
from .base import STORAGES

# runserver serves static files from the apps; no collectstatic needed for a first run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
