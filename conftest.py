from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tsunagu.testing.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(scope="session", autouse=True)
def test_run_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory the processes of this run share (the migrated templates)."""
    from tsunagu.testing import databases

    worker = hasattr(request.config, "workerinput")
    databases.RUN_DIR = databases.run_directory(tmp_path_factory.getbasetemp(), worker)
    return databases.RUN_DIR


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
    tmp_path_factory: pytest.TempPathFactory,
    test_run_dir: Path,
) -> Iterator[None]:
    """Each process's test database, copied from a template migrated once per run
    (tsunagu/testing/databases.py) instead of migrated by every pytest-xdist worker."""
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    from tsunagu.testing import databases

    run_dir = test_run_dir
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        if not test.get("NAME"):
            test["NAME"] = str(tmp_path_factory.getbasetemp() / "test.sqlite3")
        databases.copy_sqlite(run_dir, Path(test["NAME"]))
    else:
        test.setdefault("NAME", f"test_{database['NAME']}")
        databases.copy_postgres(run_dir, database, test["NAME"])
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, keepdb=True)
    yield
    with django_db_blocker.unblock():
        try:
            teardown_databases(config, verbosity=0)
        except Exception as error:  # noqa: BLE001 - as pytest-django: a thread may hold a connection
            request.node.warn(pytest.PytestWarning(f"the test database was not dropped: {error!r}"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller of the run drops the PostgreSQL template its processes shared."""
    if hasattr(session.config, "workerinput"):
        return
    from django.conf import settings

    from tsunagu.testing import databases

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        run_dir = databases.run_directory(session.config._tmp_path_factory.getbasetemp(), False)  # type: ignore[attr-defined]
        databases.drop_postgres_template(run_dir, database)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The database is rolled back after each test; the cache must not remember it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _test_environment(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    s = settings
    s.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]
    s.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # type: ignore[attr-defined]
    s.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    s.SITE_URL = "http://testserver"  # type: ignore[attr-defined]
    s.SHARED_CACHE = True  # type: ignore[attr-defined]  # one process: its cache is everyone's


IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("TSUNAGU_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test")
# Each pytest-xdist worker has its Redis database (15, 14, 13, …): the fixture below empties it
# for every test that uses it, which must not empty what a test of another worker is counting.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_TEST_URL = os.environ.get("TSUNAGU_TEST_REDIS", f"redis://127.0.0.1:6379/{15 - _WORKER % 8}")
CHROMIUM = os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium")


def require(what: str, available: bool) -> None:
    """Skips a test whose service is missing, except under CI, where it must run: it fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here")


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    require("Redis on 127.0.0.1:6379", port_open("127.0.0.1", 6379))
    import redis

    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    # Emptying the database removed the cache's epoch (core/redis_cache.py): this process must
    # read it again now, as a new process would, not a second into the test, which would move
    # every key of the test to a new epoch midway.
    from tsunagu.core import redis_cache

    redis_cache._LINKS.clear()
    return REDIS_TEST_URL


@pytest.fixture
def chromium_path() -> str:
    require(f"Chromium at {CHROMIUM}", shutil.which(CHROMIUM) is not None)
    return CHROMIUM


@pytest.fixture
def postgres_only(db: None) -> None:
    """For tests of behaviour that exists only on PostgreSQL (locking, trigram indexes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def _allow_db_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse
    # the test's own database queries, which are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Every page the browser tests open reports what the Content-Security-Policy refused: the DOM's
# event (with the directive and the place) and Chromium's console line, whichever arrives.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__tsunaguCspViolation(`${event.violatedDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def csp_violations() -> list[str]:
    return []


@pytest.fixture
def accessibility_faults() -> list[str]:
    return []


@pytest.fixture
def browser(
    chromium_path: str,
    _allow_db_beside_playwright: None,
    csp_violations: list[str],
    accessibility_faults: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tsunagu.testing.accessibility import AxeWatch

    # Every page the test visits is checked with axe-core (tsunagu/testing/accessibility.py).
    axe = AxeWatch(accessibility_faults)
    axe.install(monkeypatch)

    def on_violation(report: str) -> None:
        csp_violations.append(report)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{message.text} ({message.location.get('url')})")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def watched_context(**options: Any) -> Any:
            context = new_context(**options)
            context.expose_function("__tsunaguCspViolation", on_violation)
            context.add_init_script(REPORT_CSP_VIOLATIONS)
            context.on("console", on_console)
            if options.get("java_script_enabled", True):  # axe needs JavaScript to run
                axe.watch(context)
            return context

        browser.new_context = watched_context
        yield browser
        axe.check_open_pages()
        browser.close()
    # A journey passes only if the policy refused nothing on it (an inline script or style, an
    # image from another site, an htmx attribute that needs eval) and axe found no serious or
    # critical fault on any page it visited.
    assert csp_violations == [], "\n".join(csp_violations)
    assert accessibility_faults == [], "axe-core found:\n" + "\n".join(accessibility_faults)


# With PostgreSQL at hand (always under CI) `make test` runs two passes, and each test runs in
# the one that can tell whether it holds:
# - the first, on SQLite, runs the tests that do not use the test database (settings, pure
#   functions, servers started in a subprocess on their own SQLite file: the same whatever
#   DATABASE_URL says), the browser journeys (the embedded setup `make run` serves), and the
#   tests marked ``each_database``: code that differs between the two databases (hand-written
#   statements, search, backups), which runs in both passes;
# - the second, on PostgreSQL, runs every other test that uses the test database.
# Without PostgreSQL the first pass runs everything on SQLite.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "live_server",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
    }
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the test database, but the browser journeys (the "
        "PostgreSQL pass)",
    )
    parser.addoption(
        "--beside-postgres",
        action="store_true",
        help="leave to the PostgreSQL pass the tests that use the test database, but the browser "
        "journeys and the tests marked each_database (the SQLite pass)",
    )


def uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(fixtures & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


def in_postgres_pass(item: pytest.Item) -> bool:
    return uses_database(item) and item.get_closest_marker("browser") is None


def in_sqlite_pass(item: pytest.Item) -> bool:
    return not in_postgres_pass(item) or item.get_closest_marker("each_database") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--database-tests-only"):
        wanted = in_postgres_pass
    elif config.getoption("--beside-postgres"):
        wanted = in_sqlite_pass
    else:
        return
    kept = [item for item in items if wanted(item)]
    dropped = [item for item in items if not wanted(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
