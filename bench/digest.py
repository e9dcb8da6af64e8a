"""Digests for one large network on PostgreSQL, sent to a local SMTP sink by several workers.

Builds a network of ``--members`` members (1 % operators, 2 % supporters, 20 % employees, the rest
alumni, spread over seven departments, one in ten open to side jobs) with a month of news: events
for each audience, articles, consultations, side-job opportunities, a survey for alumni, life
updates and newcomers. Then it runs the digest as beat would: ``plan_network_digests`` splits the
due members into chunks (tasks.CHUNK), and ``--workers`` worker processes take chunks from a
queue and run ``send_digest_chunk`` on each, as Celery workers would take them from Redis; every
mail goes through accounts/delivery.py to a real SMTP server (tsunagu/core/testing/mail.py's
MailServer) in a process of its own that counts what it takes (without parsing it).

    python bench/digest.py                       # 100,000 members, 2 workers
    python bench/digest.py --members 5000

Prints the planning time, the total time, the mails the sink took, each worker's peak memory
(ru_maxrss) and CPU time, and the machine's load average (other work slows the workers). Exits
non-zero when a member got two digests or the sink's count differs from the digests marked
sent. Drops and recreates the database ``tsunagu_digest_bench`` on 127.0.0.1:5432.
Targets (issue 18): under 10 minutes and under 500 MB per worker at 100,000 members.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tsunagu_digest_bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEPARTMENTS = ["営業部 第一課", "人事部", "経理部", "開発部", "法務部", "広報部", "海外事業部"]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def analyze_while_running(done: Any, every: float = 30.0) -> None:
    """Stands in for autovacuum's analyze, which this machine's PostgreSQL runs without
    (``autovacuum = off``): the digest's table fills during the run, and a planner that knows
    nothing of it reaches a row by its id through the whole network's index (each UPDATE cost
    8 ms of PostgreSQL at 100,000 members). In production autovacuum analyzes a table once a
    tenth of its rows changed."""
    import psycopg

    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    with psycopg.connect(url, autocommit=True) as conn:
        while not done.wait(every):
            conn.execute("ANALYZE digest_digestsent")


def setup_django(smtp_port: int, migrate: bool = False) -> None:
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DEBUG"] = "false"  # as in production: templates parsed once, no query log
    os.environ.setdefault("SECRET_KEY", "bench-" * 8)
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def run_sink(port: int, counter: Any, ready: Any) -> None:
    sys.path.insert(0, str(ROOT))
    import socketserver

    from tsunagu.core.testing.mail import MailServer

    class CountingServer(MailServer):
        """Counts the mails it takes instead of parsing and keeping them: a real mail server
        runs elsewhere, and parsing each mail in Python here (some 2 ms) took the two cores'
        time from the workers being measured."""

        def _take(self, recipients: list[str], data: bytes) -> None:
            with counter.get_lock():
                counter.value += 1

    # The test server writes each line of its EHLO answer on its own: without this, Nagle's
    # algorithm and delayed acknowledgements hold every answer back 40 ms, which a real mail
    # server does not do.
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True

    server = CountingServer(port=port)
    server.start()
    ready.set()
    while True:
        time.sleep(3600)


def run_worker(port: int, chunks: Any, results: Any) -> None:
    setup_django(port)
    from tsunagu.digest.tasks import send_digest_chunk

    counts: dict[str, int] = {}
    while True:
        job = chunks.get()
        if job is None:
            break
        network_id, user_ids = job
        for key, value in send_digest_chunk(network_id, user_ids).items():
            counts[key] = counts.get(key, 0) + value
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # MiB (KiB on Linux)
    results.put((os.getpid(), peak, usage.ru_utime + usage.ru_stime, counts))


def build(members: int, seed: int = 18) -> int:
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.boards.models import Category, Thread
    from tsunagu.careers.models import OpenTo, Opportunity
    from tsunagu.events.models import Event
    from tsunagu.news.models import Article
    from tsunagu.profiles.models import LifeUpdate, Profile
    from tsunagu.surveys.models import Survey
    from tsunagu.tenancy.models import Membership, Network

    rng = random.Random(seed)
    now = timezone.now()
    month_ago = now - timedelta(days=40)
    network = Network.objects.create(slug="ookina", name="大きな商事 アルムナイ")
    password = make_password(None)
    batch = 5000
    with scopes_disabled():
        for start in range(0, members, batch):
            count = min(batch, members - start)
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"member{start + i:06d}@example.jp",
                        name=f"会員 {start + i:06d}",
                        password=password,
                        language="ja",
                        time_zone="Asia/Tokyo",
                    )
                    for i in range(count)
                ]
            )
            roles = []
            for i in range(count):
                n = (start + i) % 100
                roles.append(
                    "operator" if n == 0 else "supporter" if n < 3 else "employee" if n < 23
                    else "alumni"
                )  # fmt: skip
            memberships = Membership.objects.bulk_create(
                [
                    Membership(network=network, user=u, role=role)
                    for u, role in zip(users, roles, strict=True)
                ]
            )
            Profile.objects.bulk_create(
                [
                    Profile(membership=m, network=network, last_department=rng.choice(DEPARTMENTS))
                    for m in memberships
                ],
                ignore_conflicts=True,
            )
            OpenTo.objects.bulk_create(
                [
                    OpenTo(network=network, membership=m, flag="side_job", audience="me")
                    for m in memberships
                    if rng.random() < 0.1
                ]
            )
        Membership.objects.filter(network=network).update(created_at=month_ago)
        ids = list(Membership.objects.filter(network=network).values_list("pk", flat=True))
        author = Membership.objects.filter(network=network, role="operator").first()
        for i, audience in enumerate(["all", "alumni", "employees"] * 4):
            Event.objects.create(
                network=network,
                title=f"第{i + 1}回 交流会",
                starts_at=now + timedelta(days=5 + i),
                ends_at=now + timedelta(days=5 + i, hours=2),
                venue="本社ホール",
                audience=audience,
            )
        for i in range(8):
            Article.objects.create(
                network=network,
                author=author,
                kind="company_news",
                title=f"社内報 第{i + 1}号",
                body="今月のトピックです。",
                published_at=now - timedelta(days=i),
            )
        category = Category.objects.create(network=network, name="相談")
        for i in range(5):
            Thread.objects.create(
                network=network,
                category=category,
                author_id=rng.choice(ids),
                kind="consultation",
                title=f"経理の相談 その{i + 1}",
                body="決算の進め方を教えてください。",
            )
        for i in range(5):
            Opportunity.objects.create(
                network=network,
                poster=author,
                kind="side_job",
                title=f"週末の副業 その{i + 1}",
                description="リモートで月10時間ほど。",
                audience="all",
            )
        Survey.objects.create(
            network=network,
            title="アルムナイ満足度調査",
            audience="alumni",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=14),
            published=True,
        )
        LifeUpdate.objects.bulk_create(
            [
                LifeUpdate(network=network, membership_id=rng.choice(ids), body="転職しました")
                for _ in range(300)
            ]
        )
        Membership.objects.filter(pk__in=rng.sample(ids, 50)).update(created_at=now)
    return network.pk


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctx = mp.get_context("spawn")
    counter = ctx.Value("q", 0)
    ready = ctx.Event()
    sink = ctx.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)

    recreate_database()
    setup_django(port, migrate=True)
    started = time.monotonic()
    network_id = build(args.members)
    print(f"{args.members:,} members built in {time.monotonic() - started:.0f} s")

    from django.db import connections
    from django_scopes import scopes_disabled

    from tsunagu.digest import tasks
    from tsunagu.digest.models import DigestSent, DigestState

    tasks.SEND_HOUR = 0  # any hour of the day
    chunks = ctx.Queue()
    results = ctx.Queue()
    connections.close_all()
    workers = [
        ctx.Process(target=run_worker, args=(port, chunks, results)) for _ in range(args.workers)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    done = threading.Event()
    threading.Thread(target=analyze_while_running, args=(done,), daemon=True).start()

    class Queued:
        @staticmethod
        def delay(network_id: int, user_ids: list[int]) -> None:
            chunks.put((network_id, user_ids))

    tasks.send_digest_chunk = Queued  # type: ignore[assignment]
    due = tasks.plan_network_digests(network_id)
    planned = time.monotonic() - started
    for _ in workers:
        chunks.put(None)
    reports = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    done.set()
    total = time.monotonic() - started

    with scopes_disabled():
        rows = DigestSent.objects.filter(network_id=network_id)
        sent = rows.filter(state=DigestState.SENT).count()
        empty = rows.filter(state=DigestState.EMPTY).count()
        doubles = rows.values("user_id").distinct().count() != rows.count()
    print(f"planning: {planned:.1f} s for {due:,} due members in chunks of {tasks.CHUNK}")
    print(f"total: {total:.1f} s ({total / 60:.1f} min); {sent:,} sent, {empty:,} with nothing new")
    print(f"the SMTP sink took {counter.value:,} mails")
    for pid, peak, cpu, counts in reports:
        done = sum(counts.values()) or 1
        print(
            f"worker {pid}: peak memory (RSS) {peak:.0f} MiB, CPU {cpu:.1f} s "
            f"({1000 * cpu / done:.1f} ms a member), {counts}"
        )
    # Other work on the machine slows the workers down: say how busy it was.
    print("load average (1, 5, 15 min) at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    sink.terminate()
    if doubles or counter.value != sent:
        print("FAILED: a member got two digests, or the sink's count differs from the rows")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
