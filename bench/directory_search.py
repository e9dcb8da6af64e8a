"""Directory search at the size of the largest networks, measured server-side on PostgreSQL.

Creates a database with ``manage.py seed_scale --members 100000`` (once; ``--reuse-db`` keeps
it), then runs at least 200 varied directory searches through the same code as the directory page
(``directory_page``: the search, the filters, the capped count and the first page of cards,
rendered or read from the cache) and prints the p50 and p95 of each kind:

    python bench/directory_search.py                     # 100,000 members
    python bench/directory_search.py --reuse-db          # measure again on the same data
    python bench/directory_search.py --members 10000     # a smaller network
    python bench/directory_search.py --reuse-db --page   # also the page over HTTP
    python bench/directory_search.py --reuse-db --stall 10   # the page for 10 minutes

With ``--page`` it then serves the app as ``bench/http_bench.py`` does (gunicorn, one sync worker
per core, DEBUG off, Redis) on the same database, logs a member of the network in through the
login form and requests the directory page with those queries, one after another from 8
concurrent connections (wrk); it prints the p50, p95 and p99 of the whole page.

With ``--stall MINUTES`` it loads the page that long in slices of 10 seconds while the server's
filter choices (seconds to gather at 100,000 members) fall due every minute (``--refresh``), and
prints each slice, with a Celery worker beside the server as the service runs one: the page
answers with the previous choices and a task gathers them again, so no slice may drop below 75%
of the median throughput or reach a p99 of 100 ms, and no request may time out (2 s).

Exits non-zero when a kind's p95 is 50 ms or more, the page's p95 is 100 ms or more, or a slice
stalls. See
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "tsunagu_dirbench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
MAX_P95_MS = 50.0
REDIS_URL = "redis://127.0.0.1:6379/1"  # the page measurement's cache, as bench/http_bench.py
MAX_PAGE_P95_MS = 100.0
PAGE_CONNECTIONS = 8

# One-word queries as members type them: one or two kanji, kana in either script and width,
# romaji, company names and skills.
WORDS = [
    "人事", "経理", "営業", "法務", "広報", "開発", "企画", "海外", "DX", "ＤＸ", "IT",
    "田中", "佐藤", "鈴木", "高橋", "山本", "中村", "小林", "渡辺", "伊藤", "加藤", "吉田",
    "田", "林", "森", "誠", "彩", "亮", "光", "恵", "さくら", "美咲", "翔太", "健一",
    "たなか", "タナカ", "ｻﾄｳ", "すずき", "やまだ", "はやし", "いとう", "ゆうと", "ひかる",
    "Tanaka", "sato", "Suzuki", "yamamoto", "Kato", "mori", "Hina", "makoto",
    "みらい", "銀行", "物流", "食品", "商事", "コンサル", "フリーランス", "NPO", "カフェ",
    "簿記", "Python", "PMP", "TOEIC", "採用", "労務", "診断士", "マーケティング", "SQL",
    "東京", "大阪", "福岡", "北海道", "シンガポール", "京都", "神奈川",
    "CFO", "エンジニア", "経営者", "部長", "課長", "主任", "マネージャー",
    "補助金", "副業", "朝活", "パートナー", "新規事業", "情報交換",
]  # fmt: skip
DEPARTMENTS = ["人事", "経理", "営業", "法務", "広報", "マーケティング", "情報システム", "DX"]
INDUSTRIES = ["IT・通信", "金融", "商社", "物流", "食品・飲料", "コンサルティング"]
SKILLS = ["簿記2級", "Python", "PMP", "採用", "SQL", "DX推進", "IR"]


def manage(*args: str, timeout: float = 1800) -> None:
    env = os.environ | {"DATABASE_URL": DATABASE_URL, "DEBUG": "false", "SECRET_KEY": "bench-" * 8}
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=timeout,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"  manage.py {' '.join(args)}  ({time.monotonic() - started:.1f}s)")


def recreate_database(members: int) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DB_NAME}"')
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the page's cache must not outlive the data
    manage("migrate", "--noinput")
    manage("seed_scale", "--members", str(members), "--slug", "scale")
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as c:
        c.execute("VACUUM ANALYZE")


def queries(rng: random.Random, count: int) -> dict[str, list[dict[str, str]]]:
    words = [{"q": w} for w in WORDS]
    one_word = (words * (count // len(words) + 1))[:count]
    filtered = []
    for _ in range(count):
        params: dict[str, str] = {"role": rng.choice(["alumni", "employee", ""])}
        start = rng.randint(1990, 2020)
        params |= {"left_from": str(start), "left_to": str(start + rng.randint(0, 8))}
        kind = rng.choice(["department", "industry", "skill", "q"])
        if kind == "department":
            params["department"] = rng.choice(DEPARTMENTS)
        elif kind == "industry":
            params["industry"] = rng.choice(INDUSTRIES)
        elif kind == "skill":
            params["skill"] = rng.choice(SKILLS)
        else:
            params["q"] = rng.choice(WORDS)
        filtered.append(params)
    return {"one word": one_word, "filtered": filtered}


def measure(kinds: dict[str, list[dict[str, str]]]) -> dict[str, list[float]]:
    os.environ |= {"DATABASE_URL": DATABASE_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import RequestFactory
    from django_scopes import scopes_disabled

    from tsunagu.profiles.views import directory_page
    from tsunagu.tenancy.models import Membership

    factory = RequestFactory()
    with scopes_disabled():
        viewer = Membership.objects.select_related("network").filter(network__slug="scale")[0]

    def search(params: dict[str, str]) -> int:
        request = factory.get("/n/scale/members/", params)
        request.membership = viewer  # type: ignore[attr-defined]
        request.network = viewer.network  # type: ignore[attr-defined]
        with scopes_disabled():
            page, _rows, _state = directory_page(request)  # type: ignore[arg-type]
            return int(page.paginator.count)

    timings: dict[str, list[float]] = {}
    for kind, params_list in kinds.items():
        for params in params_list[:20]:
            search(params)  # warm the caches, as a running server's are
        samples = []
        for params in params_list:
            cache.clear()  # every search from the database: no result or card is reused
            started = time.perf_counter()
            search(params)
            samples.append((time.perf_counter() - started) * 1000)
        timings[kind] = samples
    return timings


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("PAGE_MS %%.2f %%.2f %%.2f %%.2f\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


VERIFY_SCRIPT = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(email="%s")
EmailAddress.objects.update_or_create(
    user=user, email=user.email, defaults={"verified": True, "primary": True}
)
"""


@contextmanager
def served(
    kinds: dict[str, list[dict[str, str]]],
    workers: int,
    extra_env: dict[str, str] | None = None,
    *,
    tasks: bool = False,
) -> Iterator[tuple[list[str], Callable[[], object]]]:
    """The app served as bench/http_bench.py serves it, a member logged in: yields wrk's command
    without its duration (the queries in turn, 8 connections) and a check that the member is
    still logged in. ``tasks``: with a Celery worker beside it, as the service runs
    (deploy/systemd/tsunagu-worker.service), on one process."""
    import shutil
    import tempfile
    import urllib.parse

    sys.path.insert(0, str(ROOT / "bench"))
    import http_bench as hb

    hb.DB_NAME = DB_NAME
    data_dir = Path(tempfile.mkdtemp(prefix="tsunagu-dirbench-"))
    log = data_dir / "gunicorn.log"
    env = hb.production_env(data_dir, REDIS_URL) | (extra_env or {})
    hb.manage(["collectstatic", "--noinput", "-v0"], env)
    email = "scale-000000@example.com"
    # seed_scale creates accounts without e-mail addresses; the login form admits only a
    # verified one (ACCOUNT_EMAIL_VERIFICATION), so the member who logs in gets one.
    hb.run([sys.executable, "manage.py", "shell", "-c", VERIFY_SCRIPT % email], env, timeout=120)
    paths = [
        "/n/scale/members/?" + urllib.parse.urlencode(params)
        for params in kinds["one word"] + kinds["filtered"]
    ]
    script = data_dir / "queries.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    server = hb.start_gunicorn(env, workers, "sync", 1, log)
    worker = None
    if tasks:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning"]
        command += ["--concurrency", "1", "--logfile", str(data_dir / "celery.log")]
        worker = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        hb.wait_until_up(server, log)
        jar = hb.log_in(email)
        page = hb.Page("directory", paths[0], email, "/n/scale/members/")
        hb.remember(jar, hb.check_page(page, hb.cookie_header(jar)))
        cookie = hb.cookie_header(jar)
        if changed := hb.remember(jar, hb.check_page(page, cookie)):
            raise SystemExit(f"the page keeps setting cookies {sorted(changed)}")
        command = ["wrk", "-t2", f"-c{PAGE_CONNECTIONS}", "-H", f"Cookie: {cookie}", "-s"]
        command += [str(script), f"http://{hb.HOST}:{hb.PORT}/"]
        yield command, lambda: hb.check_page(page, cookie)
    finally:
        hb.stop_gunicorn(server)
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)


def run_wrk(command: list[str], seconds: float) -> str:
    return subprocess.run(
        [*command[:2], f"-d{seconds}s", *command[2:]], capture_output=True, text=True, check=True
    ).stdout


def measure_page(
    kinds: dict[str, list[dict[str, str]]], seconds: int, workers: int
) -> tuple[float, ...]:
    """The directory page over HTTP, as members load it: p50, p95 and p99 in ms, and req/s."""
    with served(kinds, workers) as (command, still_logged_in):
        run_wrk(command, 5)
        output = run_wrk(command, seconds)
        still_logged_in()  # no redirects were measured
    return page_figures(output)


def page_figures(output: str, *, errors_allowed: bool = False) -> tuple[float, ...]:
    """p50, p95, p99 and max in ms, and req/s, from wrk's output with WRK_SCRIPT."""
    import re

    if not errors_allowed and ("Non-2xx" in output or "Socket errors" in output):
        raise SystemExit(f"the page answered with errors:\n{output}")
    found = re.search(r"PAGE_MS ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not found or not rate:
        raise SystemExit(f"no figures in wrk's output:\n{output}")
    return (*(float(x) for x in found.groups()), float(rate.group(1)))


SLICE_SECONDS = 10
# A stall: a slice of the run serving less than this share of the median slice.
MIN_SLICE_SHARE = 0.75


def measure_stall(
    kinds: dict[str, list[dict[str, str]]], minutes: float, workers: int, refresh: int
) -> bool:
    """Loads the directory page for ``minutes`` in slices of SLICE_SECONDS while the server's
    filter choices (seconds to gather at 100,000 members) fall due every ``refresh`` seconds;
    prints each slice and returns whether any stalled (less than MIN_SLICE_SHARE of the median
    throughput, or p99 of 100 ms or more)."""
    print(
        f"\nthe page for {minutes:g} min in {SLICE_SECONDS}s slices, {PAGE_CONNECTIONS} "
        f"connections, {workers} workers, filter choices due every {refresh}s"
    )
    print(f"{'from s':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    slices = []
    extra = {"DIRECTORY_CHOICES_REFRESH_SECONDS": str(refresh)}
    with served(kinds, workers, extra, tasks=True) as (command, still_logged_in):
        run_wrk(command, 5)
        started = time.monotonic()
        while (at := time.monotonic() - started) < minutes * 60:
            output = run_wrk(command, SLICE_SECONDS)
            p50, _p95, p99, longest, rate = page_figures(output, errors_allowed=True)
            # A timeout (wrk's is 2 s) or an error answer: a stall whatever the figures say.
            failed = "Socket errors" in output or "Non-2xx" in output
            slices.append((0.0 if failed else rate, p99, longest))
            flag = "  errors or timeouts" if failed else ""
            print(
                f"{at:>7.0f} {rate:>8.1f} {p50:>8.1f} {p99:>8.1f} {longest:>8.0f}{flag}",
                flush=True,
            )
        still_logged_in()
    rates = [rate for rate, _p99, _longest in slices]
    median = statistics.median(rates)
    worst = min(rates)
    slow = [p99 for _rate, p99, _longest in slices if p99 >= MAX_PAGE_P95_MS]
    print(
        f"slices {len(slices)}: median {median:.1f} req/s, lowest {worst:.1f} "
        f"({worst / median:.2f}x), slices with p99 >= {MAX_PAGE_P95_MS:.0f} ms: {len(slow)}, "
        f"longest request {max(longest for _r, _p, longest in slices):.0f} ms"
    )
    stalled = worst < MIN_SLICE_SHARE * median or bool(slow)
    print(
        f"Target: every slice at least {MIN_SLICE_SHARE:.0%} of the median with p99 under "
        f"{MAX_PAGE_P95_MS:.0f} ms: {'FAIL' if stalled else 'ok'}"
    )
    return stalled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per kind")
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--page", action="store_true", help="also measure the page over HTTP")
    parser.add_argument("--duration", type=int, default=30, help="seconds of the page run")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers for --page (as the service: one per core)"
    )
    parser.add_argument(
        "--stall",
        type=float,
        metavar="MINUTES",
        help="also load the page this long while its filter choices are rebuilt (see --refresh)",
    )
    parser.add_argument(
        "--refresh",
        type=int,
        default=60,
        help="with --stall: DIRECTORY_CHOICES_REFRESH_SECONDS of the server (60)",
    )
    args = parser.parse_args()
    if args.workers is None:
        sys.path.insert(0, str(ROOT / "bench"))
        import http_bench

        args.workers = http_bench.default_workers()
    if not args.reuse_db:
        print(f"Seeding {args.members} members into {DB_NAME}…")
        recreate_database(args.members)
    timings = measure(queries(random.Random(7), args.queries))  # noqa: S311
    failed = False
    print(f"\n{'kind':<10} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, samples in timings.items():
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(
            f"{kind:<10} {len(samples):>8} {statistics.median(samples):>8.1f} {p95:>8.1f}"
            f" {max(samples):>8.1f}"
        )
        failed |= p95 >= MAX_P95_MS
    print(f"\nTarget: p95 under {MAX_P95_MS:.0f} ms for each kind: {'FAIL' if failed else 'ok'}")
    if args.page:
        kinds = queries(random.Random(7), args.queries)
        p50, p95, p99, longest, rate = measure_page(kinds, args.duration, args.workers)
        print(
            f"\nthe page, {PAGE_CONNECTIONS} concurrent members, {args.duration}s, "
            f"{args.workers} workers: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
            f"max {longest:.0f} ms, {rate:.0f} req/s"
        )
        slow = p95 >= MAX_PAGE_P95_MS
        print(f"Target: p95 under {MAX_PAGE_P95_MS:.0f} ms: {'FAIL' if slow else 'ok'}")
        failed |= slow
    if args.stall:
        kinds = queries(random.Random(7), args.queries)
        failed |= measure_stall(kinds, args.stall, args.workers, args.refresh)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
