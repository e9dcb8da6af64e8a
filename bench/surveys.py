"""A survey of 10 questions with 20,000 responses: the results page, cold and warm, and the
Excel export of every answer.

- cold: the survey's figures are not in the cache (its revision moved on, as after an answer):
  they are computed by the grouped queries and the charts drawn;
- warm: the page as most views find it, the figures and charts read from the cache;
- the XLSX export of all answers, in a fresh process, with its peak memory (ru_maxrss).

    python bench/surveys.py        # PostgreSQL database tsunagu_surveysbench, Redis database 13
                                   # (emptied at the start: keep it for this bench)
    python bench/surveys.py --responses 2000 --rounds 10

Targets: results p95 < 200 ms cold and < 50 ms warm; export < 10 s and < 300 MB.
Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "tsunagu_surveysbench"
COLD_P95_MS, WARM_P95_MS = 200.0, 50.0
EXPORT_SECONDS, EXPORT_MB = 10.0, 300.0


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup_django(redis_url: str, migrate: bool) -> None:
    for name in ("CELERY_BROKER_URL", "SECRET_KEY"):
        os.environ.pop(name, None)
    os.environ["REDIS_URL"] = redis_url
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def seed(responses: int) -> tuple[int, int]:
    """A network, its operator, the survey and its responses, written in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.surveys.models import Answer, Choice, Kind, Question, Response, Survey
    from tsunagu.tenancy.models import Membership, Network

    rng = random.Random(19)  # noqa: S311 - benchmark data
    now = timezone.now()
    with scopes_disabled():
        network = Network.objects.create(slug="surveybench", name="アンケート計測 アルムナイ")
        user = User.objects.create(
            email="office@example.com", name="事務局 担当", password=make_password(None)
        )
        Membership.objects.create(network=network, user=user, role="operator")
        survey = Survey.objects.create(
            network=network, title="2025年度 アルムナイ満足度調査", anonymity="anonymous",
            opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=10),
            published=True, audience_size=responses * 3, created_by=user,
            tallied=False,  # answers written in bulk here: counted on the first view
        )  # fmt: skip
        kinds = [
            (Kind.SINGLE, ("満足", "やや満足", "やや不満", "不満")),
            (Kind.MULTIPLE, ("交流会", "勉強会", "社内見学", "キャリア相談", "ボランティア")),
            (Kind.SCALE, ()), (Kind.NPS, ()), (Kind.SHORT, ()), (Kind.LONG, ()),
            (Kind.DATE, ()), (Kind.SINGLE, ("毎月", "隔月", "四半期ごと", "年1回")),
            (Kind.SCALE, ()), (Kind.LONG, ()),
        ]  # fmt: skip
        questions = []
        for n, (kind, labels) in enumerate(kinds, 1):
            q = Question.objects.create(
                network=network, survey=survey, position=n, kind=kind,
                text=f"質問{n}: {kind.label}", allow_other=kind == Kind.MULTIPLE,
            )  # fmt: skip
            choices = Choice.objects.bulk_create(
                Choice(network=network, question=q, label=label, position=i)
                for i, label in enumerate(labels, 1)
            )
            questions.append((q, [c.pk for c in choices]))
        batch_r: list[Response] = []
        batch_a: list[Answer] = []

        def flush() -> None:
            Response.objects.bulk_create(batch_r)
            Answer.objects.bulk_create(batch_a, batch_size=5000)
            batch_r.clear()
            batch_a.clear()

        for i in range(responses):
            r = Response(id=uuid.uuid4(), network=network, survey=survey, edit_key=f"{i:064x}")
            batch_r.append(r)
            common = {"network": network, "survey": survey, "response": r}
            for q, choices in questions:
                if q.kind == Kind.SINGLE:
                    batch_a.append(Answer(question=q, choice_id=rng.choice(choices), **common))
                elif q.kind == Kind.MULTIPLE:
                    for pk in rng.sample(choices, rng.randint(1, 3)):
                        batch_a.append(Answer(question=q, choice_id=pk, **common))
                    if rng.random() < 0.05:
                        batch_a.append(
                            Answer(question=q, is_other=True, text="OB会の旅行", **common)
                        )
                elif q.kind == Kind.SCALE:
                    batch_a.append(Answer(question=q, number=rng.randint(1, 5), **common))
                elif q.kind == Kind.NPS:
                    batch_a.append(Answer(question=q, number=rng.randint(0, 10), **common))
                elif q.kind == Kind.SHORT:
                    industry = rng.choice(["IT", "製造", "金融", "教育"])
                    batch_a.append(Answer(question=q, text=industry, **common))
                elif q.kind == Kind.LONG and rng.random() < 0.5:
                    opinion = f"意見 {i}: もっと交流の機会がほしいです。" * 3
                    batch_a.append(Answer(question=q, text=opinion, **common))
                elif q.kind == Kind.DATE:
                    day = date(2026, 10, 1) + timedelta(days=rng.randrange(30))
                    batch_a.append(Answer(question=q, date=day, **common))
            if len(batch_r) >= 2000:
                flush()
        flush()
        return survey.pk, user.pk


def measure_results(survey_id: int, user_id: int, rounds: int) -> tuple[list[float], list[float]]:
    from django.db.models import F
    from django.test import Client
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.surveys.models import Survey

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    url = f"/n/surveybench/surveys/{survey_id}/results/"
    assert client.get(url).status_code == 200
    cold, warm = [], []
    for _ in range(rounds):
        with scopes_disabled():
            Survey.objects.filter(pk=survey_id).update(revision=F("revision") + 1)
        started = time.perf_counter()
        response = client.get(url)
        cold.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        for _ in range(5):
            started = time.perf_counter()
            response = client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
    return cold, warm


def export_in_this_process(survey_id: int, user_id: int) -> None:
    from django.test import Client

    from tsunagu.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    started = time.perf_counter()
    response = client.get(f"/n/surveybench/surveys/{survey_id}/answers.xlsx")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"EXPORT {seconds:.2f} {peak_mb:.0f} {size}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--export-only", nargs=2, type=int, metavar=("SURVEY", "USER"))
    args = parser.parse_args()
    if args.export_only:
        setup_django(args.redis, migrate=False)
        export_in_this_process(*args.export_only)
        return 0
    recreate_database()
    import redis

    # The bench's own Redis database: figures of an earlier run (same survey id and revision)
    # must not be read as this run's.
    redis.Redis.from_url(args.redis).flushdb()
    setup_django(args.redis, migrate=True)
    started = time.perf_counter()
    survey_id, user_id = seed(args.responses)
    from django.db import connection
    from django_scopes import scopes_disabled

    from tsunagu.surveys.models import Answer

    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: the results' grouped pass can then read
        # the covering index alone.
        cursor.execute("VACUUM ANALYZE surveys_answer")
        cursor.execute("VACUUM ANALYZE surveys_response")
    with scopes_disabled():
        answers = Answer.objects.filter(survey_id=survey_id).count()
    print(
        f"{args.responses} responses, 10 questions, {answers} answer rows "
        f"(seeded in {time.perf_counter() - started:.0f} s)"
    )
    cold, warm = measure_results(survey_id, user_id, args.rounds)
    print("results page      p50 ms   p95 ms   target p95")
    ok = True
    for name, values, target in (("cold", cold, COLD_P95_MS), ("warm", warm, WARM_P95_MS)):
        p95 = percentile(values, 0.95)
        ok &= p95 < target
        print(f"  {name:<14} {statistics.median(values):7.1f}  {p95:7.1f}   < {target:.0f}")
    out = subprocess.run(
        [sys.executable, __file__, "--redis", args.redis,
         "--export-only", str(survey_id), str(user_id)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(line for line in out.stdout.splitlines() if line.startswith("EXPORT"))
    _tag, seconds, peak, size = line.split()
    ok &= float(seconds) < EXPORT_SECONDS and float(peak) < EXPORT_MB
    print(
        f"XLSX export of all answers: {float(seconds):.2f} s (< {EXPORT_SECONDS:.0f}), "
        f"peak RSS {float(peak):.0f} MB (< {EXPORT_MB:.0f}), file {int(size) / 1e6:.1f} MB"
    )
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
