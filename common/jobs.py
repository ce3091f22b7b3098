"""
Enqueue a background job once the current transaction has committed.

A job enqueued inside a transaction that rolls back must never run (no mail for a change that was
not saved), and a job must never see rows its transaction has not committed yet, so jobs are
sent from `transaction.on_commit`. Celery's own `delay_on_commit` registers a plain callback: a
broker that cannot be reached would raise after the commit and turn a saved change into a 500.
Here the callback is `robust`: Django logs its failure and the request answers as it should.
Without a broker (`CELERY_TASK_ALWAYS_EAGER`), `apply_async` runs the job in this process, and
its errors are logged by Celery's tracer, not raised (`CELERY_TASK_EAGER_PROPAGATES = False`).
"""

from celery import Task
from django.db import transaction


def job_enqueue_on_commit(task: Task, **kwargs) -> None:
    """Send `task(**kwargs)` to the workers (or run it here without a broker) after the commit."""

    def enqueue() -> None:
        task.apply_async(kwargs=kwargs)

    # Django names the callback in its log line by `__qualname__` (a functools.partial has none, and
    # the robust callback's failure would then raise from the logging itself).
    enqueue.__qualname__ = f"enqueue({task.name})"
    transaction.on_commit(enqueue, robust=True)
