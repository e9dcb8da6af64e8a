"""gunicorn settings for the page servers: `gunicorn -c config/gunicorn.py config.wsgi`.

Command-line options (workers, bind address) still apply on top of these.
"""

from __future__ import annotations

import gc
import os
from typing import Any


def cores() -> int:
    """The CPU cores this process may run on (a cpuset or taskset can allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# One sync worker per core. A worker holds the core for the whole of a request (pages are Python
# CPU, PostgreSQL and Redis answer in a fraction of it), so more workers than cores only queue
# requests inside the kernel and switch between them: on two cores, bench/http_bench.py measured
# 2 workers answering with a lower p99 and 12-43% less CPU per request than 4 (docs/deployment.md).
# WEB_CONCURRENCY, which gunicorn itself reads, or --workers on the command line set another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or cores())


def post_worker_init(worker: Any) -> None:
    # Everything loaded with the application lives as long as the worker. Freezing it keeps the
    # garbage collector from walking those objects again and again between requests, which
    # otherwise shows as occasional slow requests.
    gc.collect()
    gc.freeze()
