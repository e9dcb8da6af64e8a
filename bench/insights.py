"""The operators' dashboard on a large network: 100,000 members and two years of activity.

Builds one network on PostgreSQL (members, profiles, invitations, activity days and
contributions written with COPY), then measures:

- the nightly refresh (``tasks.refresh_network_figures``: four periods and the warnings);
- the dashboard page (12 months) cold: the cache emptied before each request, so every figure
  is computed by the database; then the page's chart images, each drawn by its own request as
  the browser fetches them;
- the dashboard page warm: the figures and the charts from the cache.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tsunagu_insightsbench python bench/insights.py
    ... python bench/insights.py --members 10000      # a quicker run
    ... python bench/insights.py --reuse              # measure again the network built before

Targets (issue 17): cold p95 < 300 ms, warm p95 < 50 ms, nightly refresh < 60 s.
"""

from __future__ import annotations

import argparse
import html
import io
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def create_database_if_missing() -> None:
    """The database named by DATABASE_URL, created on a fresh machine (the server's own
    ``postgres`` database is there to connect to)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    name = url.path.lstrip("/")
    admin = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(*, reuse: bool = False) -> None:
    create_database_if_missing()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command

    if not reuse:
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", "--noinput", verbosity=0)


def built() -> tuple[int, int]:
    """The network and operator of an earlier run (``--reuse``), its new migrations applied."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.insights.rollups import MonthTotals
    from tsunagu.tenancy.models import Network

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # new indexes get their statistics
    network = Network.objects.get(slug="bench-insights")
    with scopes_disabled():  # the refresh stores every month again, as after a build
        MonthTotals.objects.filter(network=network).delete()
    return network.pk, User.objects.get(email="op@bench.example").pk


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def copy_rows(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    from django.db import connection

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(f'"{c}"' for c in columns)
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def build(members: int, days: int, seed: int) -> tuple[int, int]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.insights import signals
    from tsunagu.insights.models import ContributionKind
    from tsunagu.tenancy.days import network_zone
    from tsunagu.tenancy.models import Membership, Network, Role

    signals.disconnect()
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    zone = network_zone()
    today = timezone.now().astimezone(zone).date()
    start = today - timedelta(days=days)
    network = Network.objects.create(slug="bench-insights", name="ベンチ商事 アルムナイ")
    password = make_password("bench-insights")
    t0 = time.perf_counter()
    with scopes_disabled():
        operator_user = User.objects.create(
            email="op@bench.example", name="事務局", password=password
        )
        operator = Membership.objects.create(
            network=network, user=operator_user, role=Role.OPERATOR
        )
        users = User.objects.bulk_create(
            [
                User(email=f"m{i}@bench.example", name=f"卒業生 {i}", password="!")
                for i in range(members)
            ],
            batch_size=5000,
        )
        roles = [Role.SUPPORTER if i % 200 == 0 else Role.ALUMNI for i in range(members)]
        memberships = Membership.objects.bulk_create(
            [
                Membership(network=network, user=u, role=r)
                for u, r in zip(users, roles, strict=True)
            ],
            batch_size=5000,
        )
    joined = {}
    with connection.cursor() as cursor:
        rows = []
        for m in memberships:
            day = start + timedelta(days=int(rng.triangular(0, days, 0)))
            joined[m.pk] = day
            rows.append((m.pk, f"{day} 10:00:00+09"))
        cursor.execute("CREATE TEMP TABLE bench_joined (id bigint, at timestamptz)")
        copy_rows("bench_joined", ["id", "at"], rows)  # type: ignore[arg-type]
        cursor.execute(
            "UPDATE tenancy_membership m SET created_at = j.at "
            "FROM bench_joined j WHERE m.id = j.id"
        )
    copy_rows(
        "profiles_profile",
        ["membership_id", "network_id", "display_name", "name_kanji", "name_kana",
         "name_romaji", "photo", "last_department", "last_title", "current_employer",
         "current_role", "industry", "location", "can_help_with", "looking_for", "introduction",
         "introduction_html", "links", "contact_email", "contact_phone", "visibility",
         "employer_confirmed_at", "updated_at", "search_text", "sort_name", "name_search"],
        [
            (m.pk, network.pk, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
             "", "", "{}",
             f"{today - timedelta(days=rng.randint(0, 900))} 10:00:00+09" if rng.random() < 0.7
             else None,
             f"{today} 00:00:00+09", "", "", "")
            for m in memberships
        ],
    )  # fmt: skip
    copy_rows(
        "onboarding_invitation",
        ["network_id", "email", "name", "name_kana", "name_romaji", "department", "title",
         "role", "source", "status", "token", "message", "sent_at", "error", "created_at",
         "external_id", "work_email"],
        [
            (network.pk, f"inv{i}@bench.example", "", "", "", "", "", "alumni", "roster",
             "accepted" if rng.random() < 0.4 else "sent", f"tok{i:036d}", "",
             f"{today - timedelta(days=rng.randint(0, days))} 09:00:00+09", "",
             f"{today - timedelta(days=days)} 09:00:00+09", "", "")
            for i in range(members // 5)
        ],
    )  # fmt: skip
    built_members = time.perf_counter() - t0
    t0 = time.perf_counter()
    habits = [0.002, 0.01, 0.02, 0.05, 0.15]
    weights = [40, 25, 20, 10, 5]
    post_kinds = [ContributionKind.COMMENT, ContributionKind.THREAD, ContributionKind.MESSAGE]
    day_rows: list[tuple[object, ...]] = []
    contribution_rows: list[tuple[object, ...]] = []
    seq = 0
    for m in memberships:
        first = joined[m.pk]
        span = (today - first).days
        if span <= 0:
            continue
        habit = rng.choices(habits, weights)[0]
        k = min(span, int(rng.expovariate(1 / (habit * span))) if habit * span > 0 else 0)
        for offset in rng.sample(range(span), k):
            day = first + timedelta(days=offset)
            posted = rng.random() < 0.15
            day_rows.append((network.pk, m.pk, day, m.role, "t", "t" if posted else "f", "f"))
            if posted:
                seq += 1
                kind = rng.choice(post_kinds)
                contribution_rows.append(
                    (network.pk, m.pk, kind, "bench.post", seq, m.role,
                     f"{day} 12:00:00+09", day, "f")
                )  # fmt: skip
            if rng.random() < 0.3:
                seq += 1
                contribution_rows.append(
                    (network.pk, m.pk, ContributionKind.STAMP, "bench.stamp", seq, m.role,
                     f"{day} 12:00:00+09", day, "f")
                )  # fmt: skip
            if rng.random() < 0.02:
                seq += 1
                contribution_rows.append(
                    (network.pk, m.pk, ContributionKind.ATTENDANCE, "bench.attendance", seq,
                     m.role, f"{day} 19:00:00+09", day, "f")
                )  # fmt: skip
    for offset in range(days):  # the office posts most days
        day = start + timedelta(days=offset)
        day_rows.append((network.pk, operator.pk, day, Role.OPERATOR, "t", "t", "f"))
        seq += 1
        contribution_rows.append(
            (network.pk, operator.pk, ContributionKind.ARTICLE, "bench.post", seq,
             Role.OPERATOR, f"{day} 09:00:00+09", day, "f")
        )  # fmt: skip
    copy_rows(
        "insights_activityday",
        ["network_id", "member_id", "day", "role", "visited", "posted", "backfilled"],
        day_rows,
    )
    copy_rows(
        "insights_contribution",
        ["network_id", "member_id", "kind", "source", "object_id", "role", "created_at", "day",
         "backfilled"],
        contribution_rows,
    )  # fmt: skip
    with connection.cursor() as cursor:
        # As autovacuum leaves a table that was written once: index-only scans possible.
        cursor.execute("VACUUM ANALYZE")
    print(
        f"built {members:,} members, {len(day_rows):,} activity days, "
        f"{len(contribution_rows):,} contributions "
        f"(members {built_members:.0f} s, activity {time.perf_counter() - t0:.0f} s)"
    )
    return network.pk, operator_user.pk


def measure(network_id: int, operator_user_id: int, cold_runs: int, warm_runs: int) -> bool:
    """Prints the figures; whether every target holds."""
    from django.core.cache import cache
    from django.test import Client

    from tsunagu.accounts.models import User
    from tsunagu.insights.tasks import refresh_network_figures

    cache.clear()
    t0 = time.perf_counter()
    refresh_network_figures(network_id)
    refresh = time.perf_counter() - t0

    client = Client()
    client.force_login(User.objects.get(pk=operator_user_id))
    url = "/n/bench-insights/insights/"
    client.get(url)  # the process's first page: templates compiled, modules imported
    cold = []
    images: list[float] = []
    for _ in range(cold_runs):
        cache.clear()
        client.force_login(User.objects.get(pk=operator_user_id))
        t0 = time.perf_counter()
        response = client.get(url)
        cold.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        # Then the browser fetches the chart images of the page, beside each other.
        for source in re.findall(r'<img class="chart__image" src="([^"]+)"', response.text):
            t0 = time.perf_counter()
            image = client.get(html.unescape(source))
            images.append((time.perf_counter() - t0) * 1000)
            assert image.status_code == 200, image.status_code
    warm = []
    client.get(url)
    for _ in range(warm_runs):
        t0 = time.perf_counter()
        response = client.get(url)
        warm.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    print(f"nightly refresh (4 periods + warnings): {refresh:.1f} s   (target < 60 s)")
    print(
        f"dashboard cold: p50 {statistics.median(cold):.0f} ms, p95 {percentile(cold, 0.95):.0f} ms"
        "   (target p95 < 300 ms)"
    )
    print(
        f"dashboard warm: p50 {statistics.median(warm):.1f} ms, p95 {percentile(warm, 0.95):.1f} ms"
        "   (target p95 < 50 ms)"
    )
    if images:
        per_page = len(images) // max(1, cold_runs)
        print(
            f"chart images after a cold page ({per_page} a page): "
            f"p50 {statistics.median(images):.1f} ms, p95 {percentile(images, 0.95):.1f} ms each"
        )
        # What a cold view costs the server in all: the page, then its images.
        totals = [
            page + sum(images[i * per_page : (i + 1) * per_page]) for i, page in enumerate(cold)
        ]
        print(
            f"a cold view with its images, server time in all: "
            f"p50 {statistics.median(totals):.0f} ms, p95 {percentile(totals, 0.95):.0f} ms"
        )
    held = refresh < 60 and percentile(cold, 0.95) < 300 and percentile(warm, 0.95) < 50
    print("targets: " + ("held" if held else "MISSED"))
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--warm", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="measure the network built before")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is emptied).")
    setup(reuse=args.reuse)
    if args.reuse:
        network_id, operator = built()
    else:
        network_id, operator = build(args.members, args.days, seed=17)
    if not measure(network_id, operator, args.cold, args.warm):
        sys.exit(1)


if __name__ == "__main__":
    main()
