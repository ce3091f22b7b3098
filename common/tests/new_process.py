"""Run Python in a fresh interpreter: a new process with its own settings and caches."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_python(*args: str, check: bool = False, **env: str | None) -> subprocess.CompletedProcess:
    """Run `python *args` from the project root with `env` added to this environment (None: removed from it)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={name: value for name, value in {**os.environ, **env}.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=60,
        check=check,
    )


def run_snippet(snippet: str, **env: str | None) -> tuple[dict, str]:
    """Run `snippet` with `env` added to this environment; return (its last stdout line as JSON, its stderr)."""
    result = run_python("-c", snippet, check=True, **env)
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr
