"""A talk room's history at 100,000 messages, measured server-side.

Builds a fresh database (SQLite in a temporary directory, or the PostgreSQL database named by
``DATABASE_URL``, which it empties first), fills one room with ``--messages`` messages and a
second room with 100, then times through Django's test client:

- the room page (the latest 50, rendered with stamps and files), in the big and the small room;
- an older page (``?before=<n>``, keyset paging) at random depths of the big room;
- the latest-50 fetch alone (the query and the frames the socket sends on resume).

    python bench/talk_history.py                       # 100,000 messages, SQLite
    python bench/talk_history.py --messages 1000       # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_talkbench python bench/talk_history.py

Prints p50 and p95 in milliseconds; exits non-zero when a p95 of the big room is 30 ms or more.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_P95_MS = 30.0


def setup(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    if "DATABASE_URL" in os.environ:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def timed(work, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    work()  # warm the caches
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        results.append((time.perf_counter() - started) * 1000)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django_scopes import scope

        from tsunagu.core.testing.factories import make_member, make_network, make_user
        from tsunagu.talk.consumers import _resume
        from tsunagu.talk.tests.helpers import fill_room, make_room
        from tsunagu.tenancy.models import Role

        setup_test_environment()
        network = make_network(slug="bench-talk", name="三ツ葉商事 アルムナイ")
        operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
        members = [operator] + [make_member(network, make_user(name=f"会員 {i}")) for i in range(5)]
        big = make_room(operator, name="雑談（10万件）")
        small = make_room(operator, name="雑談（100件）")
        started = time.monotonic()
        for done in range(0, args.messages, 10_000):
            fill_room(big, members, min(10_000, args.messages - done))
        fill_room(small, members, 100)
        print(f"filled {args.messages:,} messages in {time.monotonic() - started:.1f}s")
        client = Client()
        client.force_login(members[1].user)
        slug = network.slug
        rng = random.Random(7)  # noqa: S311 - benchmark depths

        def page(path: str):  # type: ignore[no-untyped-def]
            def run() -> None:
                response = client.get(path)
                assert response.status_code == 200

            return run

        def older() -> None:
            before = rng.randint(60, args.messages)
            assert client.get(f"/n/{slug}/talk/r/{big.pk}/?before={before}").status_code == 200

        def latest_fetch() -> None:
            with scope(network=network):
                frames = _resume.func(members[1], big.pk, max(0, args.messages - 50))  # type: ignore[attr-defined]
            assert len(frames) == 51

        n = f"{args.messages:,}"
        rows = [
            ("room page, 100 messages", timed(page(f"/n/{slug}/talk/r/{small.pk}/"), args.runs)),
            (f"room page, {n} messages", timed(page(f"/n/{slug}/talk/r/{big.pk}/"), args.runs)),
            (f"older page at random depth, {n}", timed(older, args.runs)),
            (f"latest-50 fetch (resume), {n}", timed(latest_fetch, args.runs)),
        ]
        from django.db import connection

        print(f"database: {connection.vendor}, runs: {args.runs}")
        failed = False
        for name, values in rows:
            p50, p95 = statistics.median(values), percentile(values, 0.95)
            print(f"  {name:<45} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
            if "100 messages" not in name and p95 >= MAX_P95_MS:
                failed = True
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
