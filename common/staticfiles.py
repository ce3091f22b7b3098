"""
One static-files storage for every settings module, so whatever `collectstatic` writes is what
production serves.

Names come from whitenoise's manifest (content-hashed, compressed, cached for a year). A name
the manifest lacks is served under its plain name instead of raising, so a static-file problem
never turns the admin or the documentation into a 500; when there is no manifest at all
(collectstatic never ran), the process says so once.
"""

import logging
import threading

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

_manifest_missing_reported = threading.Event()


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage that falls back to the unhashed URL instead of raising."""

    def url(self, name: str | None, force: bool = False) -> str:
        try:
            return super().url(name, force)
        except ValueError:
            # Not in the manifest. Whitenoise also asks for names that were never collected (it
            # guesses hashes in file names at startup), so a miss alone is not worth a log line.
            if not self.hashed_files and not _manifest_missing_reported.is_set():
                _manifest_missing_reported.set()
                logger.warning(
                    "no static files manifest in %s: serving static files unhashed; run collectstatic", self.location
                )
            return StaticFilesStorage.url(self, name)
