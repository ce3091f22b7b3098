"""Run a snippet of Django code in a fresh interpreter: a new process with its own settings and caches."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_snippet(snippet: str, **env: str) -> tuple[dict, str]:
    """Run `snippet` with `env` added to this environment; return (its last stdout line as JSON, its stderr)."""
    result = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr
