"""Concurrent applications to one event on PostgreSQL: is capacity ever exceeded?

Each round creates an event with ``--seats`` places and lets ``--applicants`` members apply at
once (``--workers`` database connections, released together by a barrier), through the same
``do_register()`` the page calls. It then checks that no more than ``--seats`` places were given,
that every applicant is either confirmed or waitlisted, and that places went in the order the
applications were committed: every confirmed application was committed before every waitlisted
one (``applied_at`` is set after the event row is locked).

    python bench/event_capacity.py                 # 200 applicants, 50 seats, 20 rounds
    python bench/event_capacity.py --no-lock       # the same without the row lock: must overbook

Exits non-zero when a round with the lock overbooks or loses an applicant, and, with
``--no-lock``, when no round overbooks (the check would then prove nothing). It drops and
recreates the database ``tsunagu_capacity_bench`` on 127.0.0.1:5432. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tsunagu_capacity_bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django() -> None:
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        os.environ.pop(name, None)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--workers", type=int, default=40, help="database connections applying at once (40)"
    )
    parser.add_argument("--no-lock", action="store_true", help="remove the row lock")
    args = parser.parse_args()

    recreate_database()
    setup_django()

    from django.contrib.auth.hashers import make_password
    from django.db import connections
    from django_scopes import scope, scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.events import actions
    from tsunagu.events.models import Event, Registration, RegistrationStatus
    from tsunagu.tenancy.models import Membership, Network

    if args.no_lock:
        actions.lock_event = lambda event: Event.objects.get(pk=event.pk)  # type: ignore[assignment]

    network = Network.objects.create(slug="capacity", name="定員テスト アルムナイ")
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"applicant{i:03d}@example.com", name=f"応募者 {i}", password=password)
            for i in range(args.applicants)
        ]
    )
    with scopes_disabled():
        members = Membership.objects.bulk_create(
            [Membership(network=network, user=u, role="alumni") for u in users]
        )
    for member in members:
        member.network = network

    from datetime import timedelta

    from django.utils import timezone

    overbooked_rounds = lost_rounds = disordered_rounds = 0
    print(
        f"{args.applicants} applicants, {args.seats} seats, {args.workers} connections, "
        f"{args.rounds} rounds, lock {'REMOVED' if args.no_lock else 'on'}"
    )
    print("round  confirmed  waitlisted  errors  over-booked  in-order  seconds")
    for number in range(1, args.rounds + 1):
        with scopes_disabled():
            event = Event.objects.create(
                network=network,
                title=f"第{number}回 総会",
                starts_at=timezone.now() + timedelta(days=30),
                ends_at=timezone.now() + timedelta(days=30, hours=3),
                venue="本社ホール",
                capacity=args.seats,
            )
        go = threading.Event()
        errors: list[BaseException] = []

        def apply(
            member: Membership,
            event: Event = event,
            go: threading.Event = go,
            errors: list = errors,
        ) -> None:
            go.wait(timeout=10)  # every connection starts at once
            try:
                with scope(network=network):
                    actions.do_register(member, event)
            except Exception as failure:  # noqa: BLE001 - counted and reported
                errors.append(failure)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            futures = [pool.submit(apply, m) for m in members]
            time.sleep(0.5)  # let the workers reach the starting line
            started = time.monotonic()
            go.set()
            for future in futures:
                future.result()
        seconds = time.monotonic() - started
        with scopes_disabled():
            regs = list(Registration.objects.filter(event=event))
        confirmed = [r for r in regs if r.status == RegistrationStatus.CONFIRMED]
        waiting = [r for r in regs if r.status == RegistrationStatus.WAITLISTED]
        over = max(0, len(confirmed) - args.seats)
        in_order = (
            not confirmed
            or not waiting
            or max(r.applied_at for r in confirmed) <= min(r.applied_at for r in waiting)
        )
        overbooked_rounds += over > 0
        lost_rounds += len(confirmed) + len(waiting) != args.applicants
        disordered_rounds += not in_order
        print(
            f"{number:5}  {len(confirmed):9}  {len(waiting):10}  {len(errors):6}  "
            f"{over:11}  {'yes' if in_order else 'NO':>8}  {seconds:7.2f}"
        )
        for error in errors[:3]:
            print(f"       error: {error!r}")
    print(
        f"rounds over-booked: {overbooked_rounds}, with a lost applicant: {lost_rounds}, "
        f"out of order: {disordered_rounds} (of {args.rounds})"
    )
    if args.no_lock:
        return 0 if overbooked_rounds else 1
    return 1 if overbooked_rounds or lost_rounds or disordered_rounds else 0


if __name__ == "__main__":
    sys.exit(main())
