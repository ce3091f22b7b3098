"""
One static-files storage for every settings module, so whatever `collectstatic` writes is what
production serves.

Names come from whitenoise's manifest (content-hashed, compressed, cached for a year). A name
the manifest lacks — collectstatic never ran, or ran before a file was added — is served under
its plain name with one warning per name, so a static-file problem never turns the admin or
the documentation into a 500.
"""

import logging

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

_reported: set[str] = set()


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage that falls back to the unhashed URL instead of raising."""

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError as exc:  # "Missing staticfiles manifest entry", or the file is missing too
            if name not in _reported:
                _reported.add(name)
                logger.warning("static file served unhashed (run collectstatic): %s", exc)
            return StaticFilesStorage.url(self, name)
