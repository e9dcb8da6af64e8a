"""gunicorn settings for the page servers: `gunicorn -c config/gunicorn.py config.wsgi`.

Command-line options (workers, bind address) still apply on top of these.
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    # Everything loaded with the application lives as long as the worker. Freezing it keeps the
    # garbage collector from walking those objects again and again between requests, which
    # otherwise shows as occasional slow requests.
    gc.collect()
    gc.freeze()
