"""One page's server CPU per request, in-process, on the demo database.

Logs in through the real login form (as a browser does), warms the page, then times N requests
with `django.test.Client` in five rounds and prints the median CPU milliseconds per request and
the number of queries of one request. With `--cold` every cache entry is dropped before each
request, so each one computes the page from the database (the session stays: it is stored in
the database in the embedded setup).

    python manage.py migrate && python manage.py seed_demo --if-empty    # once, in DATA_DIR
    python bench/page_cpu.py "/n/mitsuba/members/?q=人事"
    python bench/page_cpu.py "/n/mitsuba/members/?q=人事" --cold --requests 150

Run it from two checkouts, each with its own DATA_DIR, to compare two commits on the same data.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the page, e.g. /n/mitsuba/members/?q=人事")
    parser.add_argument("--user", default="alumni@example.com")
    parser.add_argument("--password", default="tsunagu-demo")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cold", action="store_true", help="drop every cache entry first")
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    path = quote(options.path, safe="/?=&")
    client = Client(HTTP_HOST="127.0.0.1")
    answer = client.post("/accounts/login/", {"login": options.user, "password": options.password})
    if answer.status_code != 302:
        raise SystemExit(f"could not log in as {options.user} (run seed_demo in this DATA_DIR)")

    def one() -> None:
        if options.cold:
            cache.clear()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")

    for _ in range(20):
        one()
    with CaptureQueriesContext(connection) as queries:
        one()
    query_count = len(queries)  # now: the next request empties the connection's log
    per_round = max(1, options.requests // ROUNDS)
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(per_round):
            one()
        rounds.append((time.process_time() - started) * 1000 / per_round)
    state = "cold" if options.cold else "warm"
    print(
        f"{options.path} ({state}): {statistics.median(rounds):.2f} ms CPU a request "
        f"(rounds {min(rounds):.2f}–{max(rounds):.2f}), {query_count} queries"
    )


if __name__ == "__main__":
    main()
