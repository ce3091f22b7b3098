"""
A real `celery -A config beat` (production settings) for the e2e tests, started and stopped by PID,
its schedule file and output in the test's temporary directory.
"""

import subprocess
import time
from pathlib import Path

from bench.server import BASE_DIR, VENV_BIN, production_env


class CeleryBeat:
    """The scheduler: it only sends due jobs to the broker; a `CeleryWorker` runs them."""

    def __init__(self, database_url: str, tmp_dir: Path, **extra: str):
        self.log_path = tmp_dir / "beat.log"
        self.schedule_path = tmp_dir / "beat-schedule"
        self.env = production_env(database_url, **extra)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "CeleryBeat":
        command = [
            str(VENV_BIN / "celery"),
            *("-A", "config", "beat", "--loglevel", "INFO", "--schedule", str(self.schedule_path)),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while "beat: Starting..." not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"beat did not start: {self.log()[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process and self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
