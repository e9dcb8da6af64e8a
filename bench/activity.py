"""What recording activity adds to a page view and to a post, measured in process.

Every member page opens the network socket, whose handshake calls ``do_note_seen``: that call is
the recording's place in a page view. Each measurement alternates runs with the recording and
runs without it (the insights receivers disconnected; for visits, the throttle as it was before
insights, without the day boundary), so both see the same database and the same noise:

- a page view within the quarter hour of the last one (most page views: the throttle answers);
- a page view after the quarter hour, the day already recorded (one SELECT more);
- the first page view of the day (the day's one INSERT);
- a comment on a board, a message in an open talk room, a message in a direct message.

    python bench/activity.py                                # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_activitybench python bench/activity.py

Prints p50 and p95 in milliseconds, with and without, and what the recording adds at p50; exits
non-zero when it adds 0.2 ms or more at p50 to a page view. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_ADDED_P50_MS = 0.2


def setup(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("TALK_RATE_MESSAGES", "1000000")
    import django

    django.setup()
    from django.core.management import call_command

    if "DATABASE_URL" in os.environ:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def compare(
    runs: int,
    with_it: Callable[[], None],
    without: Callable[[], None],
    prepare: Callable[[], None] = lambda: None,
) -> tuple[list[float], list[float]]:
    """Times ``with_it`` and ``without`` in alternation; ``prepare`` runs untimed before each."""
    from tsunagu.insights import signals

    timings: tuple[list[float], list[float]] = ([], [])
    for i in range(runs + 20):
        recording = i % 2 == 0
        if not recording:
            signals.disconnect()
        try:
            prepare()
            started = time.perf_counter()
            (with_it if recording else without)()
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            signals.connect()
        if i >= 20:  # the first runs warm the caches
            timings[0 if recording else 1].append(elapsed)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup(data_dir)
        from django.db import connection
        from django.db.models import Q
        from django.utils import timezone
        from django_scopes import scope, scopes_disabled

        from tsunagu.boards.actions import do_add_comment
        from tsunagu.boards.tests.helpers import make_thread
        from tsunagu.core.testing.factories import make_member, make_network, make_user
        from tsunagu.insights.models import ActivityDay
        from tsunagu.talk.actions import do_open_direct, do_send_message
        from tsunagu.talk.tests.helpers import make_room
        from tsunagu.tenancy.actions import SEEN_EVERY, do_note_seen
        from tsunagu.tenancy.models import Membership, Role

        network = make_network(slug="bench-activity", name="三ツ葉商事 アルムナイ")
        operator = make_member(network, make_user(name="佐藤 美咲"), role=Role.OPERATOR)
        members = [make_member(network, make_user(name=f"会員 {i}")) for i in range(200)]
        member = members[0]
        thread = make_thread(operator)
        room = make_room(operator, name="雑談")
        with scope(network=network):
            direct = do_open_direct(members[1], members[2])
        seen = Membership.objects.with_scopes_disabled().filter(pk=member.pk)  # type: ignore[attr-defined]
        ids = itertools.count()

        def before() -> None:
            """``do_note_seen`` as it was: the quarter hour alone, and nothing announced."""
            now = timezone.now()
            with scopes_disabled():
                Membership.objects.filter(pk=member.pk).filter(
                    Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - SEEN_EVERY)
                ).update(last_seen_at=now)

        def now_seen() -> None:
            do_note_seen(member.pk)

        def seen_an_hour_ago() -> None:
            seen.update(last_seen_at=timezone.now() - timedelta(hours=1))

        def seen_yesterday() -> None:
            seen.update(last_seen_at=timezone.now() - timedelta(days=1))
            with scopes_disabled():
                ActivityDay.objects.filter(member=member).delete()

        def comment() -> None:
            with scope(network=network):
                do_add_comment(members[3], thread, body="参加します")

        def room_message() -> None:
            with scope(network=network):
                do_send_message(members[4], room, body="おはよう", client_id=f"b{next(ids)}")

        def direct_message() -> None:
            with scope(network=network):
                do_send_message(members[1], direct, body="内緒", client_id=f"d{next(ids)}")

        do_note_seen(member.pk)
        posts = args.runs // 4
        rows = [
            ("page view, seen within the quarter hour", compare(args.runs, now_seen, before)),
            (
                "page view, quarter hour passed, day recorded",
                compare(args.runs, now_seen, before, seen_an_hour_ago),
            ),
            ("first page view of the day", compare(args.runs, now_seen, before, seen_yesterday)),
            ("comment on a board", compare(posts, comment, comment)),
            ("message in an open room", compare(posts, room_message, room_message)),
            ("message in a direct message", compare(posts, direct_message, direct_message)),
        ]
        print(f"database: {connection.vendor}, runs: {args.runs} (posts: {posts})")
        print(f"  {'':<46} {'with p50/p95':>14}  {'without p50/p95':>16}  {'added p50':>10}")
        for name, (with_it, without) in rows:
            added = statistics.median(with_it) - statistics.median(without)
            print(
                f"  {name:<46} {statistics.median(with_it):6.3f}/{percentile(with_it, 0.95):<7.3f}"
                f"  {statistics.median(without):6.3f}/{percentile(without, 0.95):<9.3f}"
                f"  {added:+7.3f} ms"
            )
        page_view = rows[0][1]
        added = statistics.median(page_view[0]) - statistics.median(page_view[1])
        return 1 if added >= MAX_ADDED_P50_MS else 0


if __name__ == "__main__":
    sys.exit(main())
