"""
A real `celery -A config beat` (production settings) for the e2e tests, started and stopped by PID,
its schedule file and output in the test's temporary directory.
"""

from pathlib import Path

from e2e.celery_worker import CeleryProcess


class CeleryBeat(CeleryProcess):
    """The scheduler: it only sends due jobs to the broker; a `CeleryWorker` runs them."""

    ready_line = "beat: Starting..."
    name = "beat"

    def __init__(self, database_url: str, tmp_dir: Path, **extra: str):
        super().__init__(database_url, tmp_dir / "beat.log", **extra)
        self.schedule_path = tmp_dir / "beat-schedule"

    def arguments(self) -> list[str]:
        return ["beat", "--loglevel", "INFO", "--schedule", str(self.schedule_path)]
