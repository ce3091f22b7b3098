"""
A real Celery worker (`celery -A config worker`, production settings) for the e2e tests, started
and stopped by PID, its output in a log file; and a look at its queue in Redis.
"""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import redis

from bench.server import BASE_DIR, VENV_BIN, production_env


class CeleryProcess:
    """A `celery -A config …` process with production settings, in a session of its own, its output in `log_path`."""

    # What the process prints once it is ready, and its name in the error when it never does.
    ready_line = ""
    name = ""

    def __init__(self, database_url: str, log_path: Path, **extra: str):
        self.log_path = log_path
        self.env = production_env(database_url, **extra)
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def arguments(self) -> list[str]:
        """What follows `celery -A config`."""
        raise NotImplementedError

    def start(self, timeout: float = 60):
        command = [str(VENV_BIN / "celery"), "-A", "config", *self.arguments()]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while self.ready_line not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start: {self.log()[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM (a worker's warm shutdown: the running job finishes), then SIGKILL to the whole session."""
        if self.process is None or self.process.poll() is not None:
            return self.process and self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class CeleryWorker(CeleryProcess):
    """One worker with a prefork pool of `concurrency` processes."""

    ready_line = "ready."
    name = "the worker"

    def __init__(self, database_url: str, log_path: Path, concurrency: int = 1, **extra: str):
        super().__init__(database_url, log_path, **extra)
        self.concurrency = concurrency

    def arguments(self) -> list[str]:
        return [
            *("worker", "--loglevel", "INFO", "--pool", "prefork"),
            *("--concurrency", str(self.concurrency), "--hostname", f"e2e-{uuid.uuid4().hex[:8]}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]

    def pool_pids(self) -> set[int]:
        """The pool's processes, the ones that run jobs (Linux: from /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return {int(pid) for pid in children.split()}


def queue_is_empty(broker: redis.Redis, prefix: str, queue: str = "celery") -> bool:
    """Nothing waiting, nothing delivered but unacknowledged (kombu's Redis layout, under `prefix`)."""
    return broker.llen(f"{prefix}{queue}") == 0 and broker.hlen(f"{prefix}unacked") == 0


def wait_until_drained(broker: redis.Redis, prefix: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not queue_is_empty(broker, prefix):
        assert time.monotonic() < deadline, "the worker did not empty its queue"
        time.sleep(0.1)
