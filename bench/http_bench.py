"""HTTP benchmark of Tsunagu in its production form.

Serves the app as it is deployed (DEBUG off, PostgreSQL, Redis for cache and sessions, gunicorn
with one sync worker per core) on 127.0.0.1:8100, logs each page's user in through the login
form and measures every page in ``PAGES`` with wrk, in one run, at 16 concurrent connections.
The first page is the floor: ``/livez`` answers "ok" through the whole middleware stack, so it is
what the machine can do at best; every other page is reported as a share of it, which stays
comparable across machines where absolute figures do not.

    python bench/http_bench.py                 # recreate the database, seed, measure
    python bench/http_bench.py --duration 30   # longer runs, steadier figures
    python bench/http_bench.py --reuse-db      # skip recreating and seeding (profiling loops)

Exits non-zero when a page falls below 5% of the floor's throughput, has a p99 of 100 ms or more,
or answers with any error. See docs/benchmarks.md for the figures and how to add a page.
"""

from __future__ import annotations

import argparse
import http.cookies
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PORT = 8100
DB_NAME = "tsunagu_bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"

# Targets from the issue: every main page keeps at least this share of the floor's throughput,
# answers 99% of requests in under this many milliseconds, and never errs.
MIN_SHARE_OF_FLOOR = 0.05
MAX_P99_MS = 100.0

LOGIN_PATH = "/accounts/login/"
# The password seed_demo and seed_scale give every account (their DEMO_PASSWORD).
PASSWORD = "tsunagu-demo"


@dataclass(frozen=True)
class Page:
    """One page to measure.

    ``user`` is the e-mail of the seeded account that logs in through the login form before the
    measurement and whose cookies are sent (None: anonymous).
    ``expect`` must appear in the body of the checked response, proving that the page rendered
    for that user rather than, say, a login form or the network's public page.
    """

    name: str
    path: str
    user: str | None = None
    expect: str = ""


# The floor comes first; later capabilities append their main pages here.
PAGES: list[Page] = [
    Page("floor /livez", "/livez", expect="ok"),
    # The home feed; its list is rendered only for an active member of the network.
    Page("network home", "/n/mitsuba/", user="alumni@example.com", expect='id="feed-items"'),
    # With BENCH_PAST_EVENTS (5,000) past events seeded. Event 1 is the general assembly, the
    # first event seed_demo creates on the new database; the alumni holds a place at it.
    Page("event list", "/n/mitsuba/events/", user="alumni@example.com", expect="event-item"),
    Page(
        "past events",
        "/n/mitsuba/events/?when=past",
        user="alumni@example.com",
        expect="event-item",
    ),
    Page("event page", "/n/mitsuba/events/1/", user="alumni@example.com", expect="event__apply"),
    # The directory searching 「人事」 (two kanji) as a member, cards view.
    Page(
        "directory search",
        "/n/mitsuba/members/?q=%E4%BA%BA%E4%BA%8B",
        user="alumni@example.com",
        expect="member-card",
    ),
    Page(
        "board index", "/n/mitsuba/boards/", user="alumni@example.com", expect='id="recent-threads"'
    ),
    # Thread 1 is the first one seed_demo creates: 1,000 comments, 50 to a page.
    Page(
        "thread, 1,000 comments, first page",
        "/n/mitsuba/boards/t/1/",
        user="alumni@example.com",
        expect='id="c1"',
    ),
    Page(
        "thread, 1,000 comments, last page",
        "/n/mitsuba/boards/t/1/?page=last",
        user="alumni@example.com",
        expect='id="c1000"',
    ),
    Page("news list", "/n/mitsuba/news/", user="alumni@example.com", expect='id="articles"'),
    Page(
        "opportunity list",
        "/n/mitsuba/careers/",
        user="alumni@example.com",
        expect='id="opportunities"',
    ),
    # Opportunity 1 is the first one seed_demo creates: the comeback opening, with answers.
    Page(
        "opportunity page", "/n/mitsuba/careers/1/", user="alumni@example.com", expect='id="answer"'
    ),
    Page("talk rooms", "/n/mitsuba/talk/", user="alumni@example.com", expect="data-talk-socket"),
    # Room 1 is the casual room (雑談) of the first network seed_demo creates.
    Page("talk room", "/n/mitsuba/talk/r/1/", user="alumni@example.com", expect="talk-msg"),
]


@dataclass
class Result:
    page: Page
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: int
    # CPU time gunicorn (master and workers) spent per request: unlike req/s it hardly moves when
    # other work competes for the cores, so it shows what a change to a page costs or saves.
    cpu_ms: float | None = None

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.socket_errors


class BenchError(RuntimeError):
    pass


# --- Environment -------------------------------------------------------------------------------


def settings_variables() -> set[str]:
    """Every variable config/settings.py reads, so none leaks in from the caller's shell."""
    text = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"""env(?:_bool|_list)?\(\s*["']([A-Z0-9_]+)["']""", text))


def production_env(data_dir: Path, redis_url: str) -> dict[str, str]:
    unset = settings_variables() | {"DJANGO_SETTINGS_MODULE"}
    env = {name: value for name, value in os.environ.items() if name not in unset}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "bench-" + "x" * 60,
            "DEBUG": "0",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": redis_url,
            # Loopback has no TLS; everything else stays as in production (secure cookies, HSTS).
            "SECURE_SSL_REDIRECT": "0",
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float, quiet: bool = True) -> str:
    started = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        output = proc.stdout[-2000:] + proc.stderr[-4000:]
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{output}")
    if not quiet:
        print(f"  {' '.join(cmd[1:])}  ({time.monotonic() - started:.1f}s)")
    return proc.stdout


def manage(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    return run([sys.executable, "manage.py", *args], env, timeout, quiet=False)


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DB_NAME}"')


def flush_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def versions(redis_url: str) -> dict[str, str]:
    import django
    import gunicorn
    import psycopg
    import redis

    info: dict[str, str] = {
        "cpu": f"{os.cpu_count()} cores, {platform.machine()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
    }
    with psycopg.connect(PG_ADMIN_URL) as c:
        row = c.execute("SHOW server_version").fetchone()
        info["postgresql"] = str(row[0]) if row else "?"
    server: dict[str, object] = redis.Redis.from_url(redis_url).info("server")  # type: ignore[assignment]
    info["redis"] = str(server["redis_version"])
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    banner = (wrk.stdout + wrk.stderr).split("\n", 1)[0]
    info["wrk"] = banner.split(" Copyright", 1)[0].removeprefix("wrk ").strip()
    return info


def load_average() -> str:
    """Other work on the machine shifts every figure; the run says how busy it was."""
    one, five, fifteen = os.getloadavg()
    text = f"{one:.2f} {five:.2f} {fifteen:.2f}"
    if one > (os.cpu_count() or 1) / 2:
        text += "  (busy machine: expect noisy figures)"
    return text


# Runs seed_demo with the demo password hashed once instead of once per user: PBKDF2 at Django's
# default cost is ~95% of the seeding time of hundreds of members, and no measured page hashes a
# password. The stored hashes are real ones, so the demo logins still work on the bench database.
SEED_SCRIPT = """
import os
from django.contrib.auth import base_user, hashers
from django.core.management import call_command
from tsunagu.demo.management.commands.seed_demo import DEMO_PASSWORD
demo_hash = hashers.make_password(DEMO_PASSWORD)
def make_password(password, *args, **kwargs):
    if password == DEMO_PASSWORD and not args and not kwargs:
        return demo_hash
    return hashers.make_password(password, *args, **kwargs)
base_user.make_password = make_password
call_command(
    "seed_demo",
    members=int(os.environ["BENCH_MEMBERS"]),
    past_events=int(os.environ.get("BENCH_PAST_EVENTS", "5000")),
)
"""


def seed(members: int, env: dict[str, str]) -> None:
    started = time.monotonic()
    run(
        [sys.executable, "manage.py", "shell", "-c", SEED_SCRIPT],
        {**env, "BENCH_MEMBERS": str(members)},
        timeout=1800,
    )
    print(f"  manage.py seed_demo --members {members}  ({time.monotonic() - started:.1f}s)")
    # A running site's tables have planner statistics (autovacuum keeps them); a freshly seeded
    # one has none yet, and the planner would guess: give it what production has.
    import psycopg

    with psycopg.connect(
        env["DATABASE_URL"].replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("VACUUM ANALYZE")
    print("  VACUUM ANALYZE")


# --- Server ------------------------------------------------------------------------------------


def default_workers() -> int:
    """The number of workers config/gunicorn.py gives the service on this machine."""
    spec = importlib.util.spec_from_file_location("gunicorn_config", ROOT / "config/gunicorn.py")
    assert spec is not None and spec.loader is not None
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    return int(config.cores())


def port_is_open() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, PORT)) == 0


def start_gunicorn(
    env: dict[str, str], workers: int, worker_class: str, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    if port_is_open():
        raise BenchError(f"{HOST}:{PORT} is already taken; stop whatever is listening there.")
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "config/gunicorn.py",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{PORT}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    print(f"  {' '.join(cmd[2:])}")
    # Its own process group, so stopping it also stops its workers and nothing else.
    with log.open("ab") as sink:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True
        )


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    """Stops gunicorn's process group: the master and, even if it died first, its workers."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass  # the whole group is gone already


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(
    path: str, cookie: str | None, form: dict[str, str] | None = None
) -> tuple[int, str, dict[str, str]]:
    """GET (or POST ``form``) without following redirects: status, body (or Location) and the
    cookies set."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", data=data)
    if form is not None:
        # As a browser posts a form: Django checks the Origin header when one is sent.
        request.add_header("Origin", f"http://{HOST}:{PORT}")
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        with _opener.open(request, timeout=10) as response:
            body = response.read().decode("utf-8", "replace")
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        body, status, headers = error.headers.get("Location", ""), error.code, error.headers
    jar = http.cookies.SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return status, body, {name: morsel.value for name, morsel in jar.items()}


def wait_until_up(proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if fetch("/healthz", None)[0] == 200:
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise BenchError(f"/healthz did not answer within {timeout:.0f}s:\n{log.read_text()[-4000:]}")


def remember(jar: dict[str, str], set_cookies: dict[str, str]) -> dict[str, str]:
    """Stores the cookies a response set, as a browser does (an empty value deletes one: that is
    how Django clears a cookie); returns those that changed."""
    changed = {name: value for name, value in set_cookies.items() if jar.get(name) != value}
    for name, value in changed.items():
        if value:
            jar[name] = value
        else:
            jar.pop(name, None)
    return changed


def cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in sorted(jar.items()))


def log_in(email: str, password: str = PASSWORD) -> dict[str, str]:
    """Logs in through the login form, as a member's browser does, and returns its cookies.

    The session is then the one production makes: allauth's login stores the authentication
    backend that found the user (tsunagu.accounts.backends), which reads the user from the cache
    on every request. A session made by hand would name another backend and cost every measured
    page a query that no member's request runs.
    """
    jar: dict[str, str] = {}
    status, body, set_cookies = fetch(LOGIN_PATH, None)
    remember(jar, set_cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None or "csrftoken" not in jar:
        raise BenchError(f"GET {LOGIN_PATH} answered {status} without a login form")
    form = {"csrfmiddlewaretoken": token[1], "login": email, "password": password}
    status, location, set_cookies = fetch(LOGIN_PATH, cookie_header(jar), form)
    remember(jar, set_cookies)
    if status != 302 or "sessionid" not in jar or not location.startswith("/"):
        raise BenchError(
            f"logging in as {email} answered {status} {location[:200]!r}, not a redirect with a "
            "session: is the account seeded with a verified address and the demo password?"
        )
    # The browser follows the redirects to the page that shows (and so clears) the login's message.
    for _ in range(5):
        status, location, set_cookies = fetch(location, cookie_header(jar))
        remember(jar, set_cookies)
        if status == 200:
            return jar
        if status not in (301, 302, 303) or not location.startswith("/"):
            break
    raise BenchError(f"after logging in as {email}, GET {location[:200]!r} answered {status}")


def check_page(page: Page, cookie: str | None) -> dict[str, str]:
    """Fails loudly unless the page answers 200 with its expected content: wrk counts a redirect
    to the login form as a success, so a stale cookie would otherwise measure the wrong page."""
    status, body, set_cookies = fetch(page.path, cookie)
    if status != 200:
        raise BenchError(f"{page.name}: GET {page.path} answered {status} {body[:200]!r}, not 200")
    if page.expect and page.expect not in body:
        raise BenchError(f"{page.name}: GET {page.path} does not contain {page.expect!r}")
    return set_cookies


# --- wrk ---------------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk duration {text!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse_wrk(page: Page, output: str) -> Result:
    def find(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match[1]
        if default is None:
            raise BenchError(f"{page.name}: no {pattern!r} in wrk output:\n{output}")
        return default

    socket_errors = find(r"Socket errors: (.*)$", "")
    return Result(
        page=page,
        rps=float(find(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=_duration_ms(find(r"^\s+50%\s+(\S+)")),
        p99_ms=_duration_ms(find(r"^\s+99%\s+(\S+)")),
        requests=int(find(r"^\s+(\d+) requests in")),
        non_2xx_3xx=int(find(r"Non-2xx or 3xx responses: (\d+)", "0")),
        socket_errors=sum(int(n) for n in re.findall(r"\d+", socket_errors)),
    )


def wrk(page: Page, cookie: str | None, seconds: int, connections: int) -> str:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://{HOST}:{PORT}{page.path}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if proc.returncode != 0:
        raise BenchError(f"wrk failed on {page.name}:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float | None:
    """User + system CPU time of gunicorn's process group so far (Linux /proc; None elsewhere).

    gunicorn runs in its own session, so its workers are exactly the processes of its group.
    """
    proc = Path("/proc")
    if not (proc / str(server.pid) / "stat").exists():
        return None
    ticks = 0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[2]) == server.pid:  # pgrp; utime and stime follow at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def median_result(results: list[Result]) -> Result:
    """Rounds interleave the pages, so a burst of other work on the machine hits all of them;
    the median of each figure is what the report shows, errors are summed."""
    return Result(
        page=results[0].page,
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=sum(r.requests for r in results),
        non_2xx_3xx=sum(r.non_2xx_3xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
        cpu_ms=(
            statistics.median(r.cpu_ms for r in results if r.cpu_ms is not None)
            if all(r.cpu_ms is not None for r in results)
            else None
        ),
    )


# --- Report ------------------------------------------------------------------------------------


def problems(result: Result, floor: Result) -> list[str]:
    found = []
    if result is not floor and result.rps < MIN_SHARE_OF_FLOOR * floor.rps:
        found.append(f"below {MIN_SHARE_OF_FLOOR:.0%} of floor")
    if result.p99_ms >= MAX_P99_MS:
        found.append(f"p99 >= {MAX_P99_MS:.0f} ms")
    if result.errors:
        found.append("errors")
    return found


def format_cpu(cpu_ms: float | None) -> str:
    return "n/a" if cpu_ms is None else f"{cpu_ms:.2f}"


def report(results: list[Result]) -> bool:
    floor = results[0]
    header = (
        "page",
        "path",
        "req/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "% of floor",
        "CPU ms/req",
        "verdict",
    )
    rows = []
    ok = True
    for r in results:
        issues = problems(r, floor)
        ok = ok and not issues
        rows.append(
            (
                r.page.name,
                r.page.path,
                f"{r.rps:,.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                str(r.errors),
                f"{100 * r.rps / floor.rps:.1f}%",
                format_cpu(r.cpu_ms),
                "FAIL: " + ", ".join(issues) if issues else "ok",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    print()
    for r in results[1:]:
        print(f"ratio {r.page.name} / floor = {r.rps / floor.rps:.3f}")
    print(
        f"targets: >= {MIN_SHARE_OF_FLOOR:.0%} of floor throughput, p99 < {MAX_P99_MS:.0f} ms, "
        f"0 errors -> {'met' if ok else 'MISSED'}"
    )
    return ok


def save_results(
    info: dict[str, str], options: dict[str, object], results: list[Result], ok: bool
) -> Path:
    """Keeps each run's figures in bench/results/ (ignored by git) for comparing runs."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = ROOT / "bench" / "results" / f"http_bench-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    floor = results[0]
    payload = {
        "when": stamp,
        "machine": info,
        "options": options,
        "targets_met": ok,
        "pages": [
            {
                "name": r.page.name,
                "path": r.page.path,
                "user": r.page.user,
                "rps": round(r.rps, 1),
                "p50_ms": r.p50_ms,
                "p99_ms": r.p99_ms,
                "requests": r.requests,
                "errors": r.errors,
                "share_of_floor": round(r.rps / floor.rps, 4),
                "server_cpu_ms_per_request": None if r.cpu_ms is None else round(r.cpu_ms, 3),
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


# --- Main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per page (15)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every page this many times, interleaved, and report medians (1)",
    )
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per page (3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--members", type=int, default=400, help="seeded alumni per network (400)")
    # Sync workers, one per core, as config/gunicorn.py starts them for the service;
    # gthread is here to compare against.
    workers = default_workers()
    parser.add_argument(
        "--workers", type=int, default=workers, help=f"gunicorn workers (one per core: {workers})"
    )
    parser.add_argument(
        "--worker-class", default="sync", choices=["sync", "gthread"], help="(sync)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="flushed at the start")
    parser.add_argument(
        "--reuse-db", action="store_true", help=f"keep {DB_NAME} and its seed from the last run"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only pages whose "
        "name contains this (repeatable; the floor is always measured)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR and log")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    pages = [PAGES[0]] + [
        p for p in PAGES[1:] if not args.only or any(o in p.name for o in args.only)
    ]
    # A SIGTERM (a CI timeout, say) must still reach the finally that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    data_dir = Path(tempfile.mkdtemp(prefix="tsunagu-bench-"))
    log = data_dir / "gunicorn.log"
    env = production_env(data_dir, args.redis_url)
    server: subprocess.Popen[bytes] | None = None
    started = time.monotonic()
    try:
        info = versions(args.redis_url)
        print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
        print(f"load average before: {load_average()}")
        print("setup:")
        if not args.reuse_db:
            recreate_database()
            flush_redis(args.redis_url)
            print(f"  recreated database {DB_NAME}, flushed {args.redis_url}")
        # Also with --reuse-db: the code may have gained a migration since the last run.
        manage(["migrate", "--noinput", "-v0"], env)
        manage(["collectstatic", "--noinput", "-v0"], env)
        if not args.reuse_db:
            seed(args.members, env)
        users = sorted({p.user for p in pages if p.user})

        print(f"server (DATA_DIR {data_dir}):")
        server = start_gunicorn(env, args.workers, args.worker_class, args.threads, log)
        wait_until_up(server, log)
        jars = {email: log_in(email) for email in users}
        # Twice: the first visit to each page keeps the cookies it sets, as a browser does; on the
        # second none may change, or every measured request would be a first visit.
        for visit in (1, 2):
            for page in pages:
                if page.user is None:
                    check_page(page, None)
                    continue
                jar = jars[page.user]
                changed = remember(jar, check_page(page, cookie_header(jar)))
                if visit == 2 and changed:
                    raise BenchError(f"{page.name}: {page.path} keeps setting {sorted(changed)}")
        cookies = {email: cookie_header(jar) for email, jar in jars.items()}
        for user, jar in jars.items():
            names = ", ".join(jar)
            print(f"  logged in as {user} through {LOGIN_PATH} (cookies: {names}), pages checked")

        print(
            f"measuring {len(pages)} pages x {args.rounds} round(s): wrk -t2 -c{args.connections} "
            f"-d{args.duration}s --latency (after {args.warmup}s warm-up each)"
        )
        runs: dict[str, list[Result]] = {page.name: [] for page in pages}
        for round_number in range(1, args.rounds + 1):
            if args.rounds > 1:
                print(f"  round {round_number}/{args.rounds}")
            for page in pages:
                cookie = cookies.get(page.user) if page.user else None
                if args.warmup and round_number == 1:
                    wrk(page, cookie, args.warmup, args.connections)
                cpu_before = server_cpu_seconds(server)
                output = wrk(page, cookie, args.duration, args.connections)
                cpu_after = server_cpu_seconds(server)
                result = parse_wrk(page, output)
                if cpu_before is not None and cpu_after is not None and result.requests:
                    result.cpu_ms = 1000 * (cpu_after - cpu_before) / result.requests
                # Still the real page after the run (a session lost mid-run would show as 302s).
                check_page(page, cookie)
                print(
                    f"  {page.name:<24} {result.rps:>9,.1f} req/s  p50 {result.p50_ms:.1f} ms  "
                    f"p99 {result.p99_ms:.1f} ms  {result.requests} requests  "
                    f"server CPU {format_cpu(result.cpu_ms)} ms/request"
                )
                runs[page.name].append(result)
        results = [median_result(runs[page.name]) for page in pages]
        print(f"load average after: {load_average()}")
        ok = report(results)
        saved = save_results(info, vars(args), results, ok)
        print(f"saved {saved.relative_to(ROOT)}")
        print(f"total run time {time.monotonic() - started:.0f}s")
        return 0 if ok else 1
    except (BenchError, subprocess.TimeoutExpired) as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        if log.exists() and log.stat().st_size:
            print(f"\nlast lines of {log.name}:\n{log.read_text()[-3000:]}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            stop_gunicorn(server)
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
