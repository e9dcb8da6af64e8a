"""The nightly retention purge on 100,000 rows of each kind, measured in process.

Creates one network with a member, 100,000 notifications, 100,000 invitations never accepted and
100,000 audit entries, half of each past its period; then runs ``purge_expired()`` and prints how
long it took in all, the longest single batch DELETE (about how long a lock is held), and how
long a second run (nothing left to do) takes.

    python bench/retention.py                                # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_retentionbench python bench/retention.py
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if "DATABASE_URL" in os.environ:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)


def fill(rows: int) -> None:
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.audit.models import AuditEntry
    from tsunagu.notify.models import Notification
    from tsunagu.onboarding.models import Invitation
    from tsunagu.tenancy.models import Membership, Network

    now = timezone.now()
    old, recent = now - timedelta(days=4 * 365), now - timedelta(days=30)
    with scopes_disabled():
        network = Network.objects.create(slug="bench", name="Bench")
        user = User.objects.create_user(email="bench@example.jp", password="x", name="Bench")
        Membership.objects.create(network=network, user=user, role="operator")
        for start in range(0, rows, 5000):
            n = range(start, min(rows, start + 5000))
            when = [old if i % 2 else recent for i in n]
            Notification.objects.bulk_create(
                Notification(network=network, recipient=user, kind="announcement", body="x")
                for _ in n
            )
            Invitation.objects.bulk_create(
                Invitation(network=network, email=f"p{i}@example.jp", status="sent") for i in n
            )
            AuditEntry.objects.bulk_create(
                AuditEntry(network=network, actor_name="Bench", action="roster.view") for _ in n
            )
            # auto_now_add stamps now: set the ages afterwards, half old and half recent.
            for model in (Notification, Invitation, AuditEntry):
                ids = list(
                    model._base_manager.order_by("-pk").values_list("pk", flat=True)[: len(n)]
                )
                ids.sort()
                model._base_manager.filter(
                    pk__in=[p for p, w in zip(ids, when, strict=True) if w is old]
                ).update(created_at=old)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.db import connection

        from tsunagu.audit import retention

        started = time.perf_counter()
        fill(args.rows)
        print(f"filled {args.rows} rows of each kind in {time.perf_counter() - started:.1f} s")

        longest = 0.0

        def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal longest
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                if sql.startswith("DELETE"):
                    longest = max(longest, time.perf_counter() - started)

        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            totals = retention.purge_expired()
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = retention.purge_expired()
        second = time.perf_counter() - started
        print(f"deleted {totals} in {first:.1f} s")
        print(f"longest single DELETE (one batch): {longest * 1000:.0f} ms")
        print(f"second run: {again} in {second * 1000:.0f} ms")


if __name__ == "__main__":
    main()
