"""Test databases copied from one template migrated once per test run.

Running every migration costs about half a minute of CPU (Django renders the models' state for
each of some 500 operations), and each pytest-xdist worker and each site a test starts in a
process of its own would pay it again. Instead, the first process of a run that needs it
migrates a template, under a file lock, with ``manage.py migrate`` as a deployment does; the
others copy it: a file for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL. Django then
finds the copy migrated (``keepdb``) and runs nothing but its post-migrate hooks.
"""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsunagu.core.testing.processes import clean_env, run_manage

TEMPLATE_FILE = "tsunagu.sqlite3"
# The directory the processes of this test run share (set by conftest.py; None outside tests).
RUN_DIR: Path | None = None


def run_directory(basetemp: Path, worker: bool) -> Path:
    """The directory the processes of one run share: pytest-xdist's workers have theirs inside
    the run's own."""
    return basetemp.parent if worker else basetemp


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(env: dict[str, str]) -> None:
    # Half a minute of CPU on a quiet machine; the other processes of the run wait for it.
    result = run_manage(env, "migrate", "--noinput", "-v0", timeout=900)
    assert result.returncode == 0, f"migrating the test template failed:\n{result.stderr}"


def sqlite_template(run_dir: Path) -> Path:
    """A migrated SQLite file for this run, made by the first process that asks."""
    directory = run_dir / "sqlite-template"
    template = directory / TEMPLATE_FILE
    with _locked(run_dir):
        if not template.exists():
            _migrate(clean_env(directory))
    return template


def copy_sqlite(run_dir: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template(run_dir), target)


def postgres_template_name(run_dir: Path) -> str:
    return "tsunagu_template_" + hashlib.sha256(str(run_dir).encode()).hexdigest()[:12]


def _admin(settings: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        autocommit=True,
    )


def _url(settings: dict[str, Any], name: str) -> str:
    user = settings.get("USER") or ""
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{at}{settings.get('HOST') or '127.0.0.1'}{port}/{name}"


def copy_postgres(run_dir: Path, settings: dict[str, Any], target: str) -> None:
    """Creates the database ``target`` from this run's migrated template (made first when it
    does not exist yet); an old database of that name is dropped."""
    template = postgres_template_name(run_dir)
    with _locked(run_dir), _admin(settings) as admin:
        made = run_dir / "postgres-template.made"
        if not made.exists():
            admin.execute(f'DROP DATABASE IF EXISTS "{template}"')
            admin.execute(f'CREATE DATABASE "{template}"')
            _migrate(
                clean_env(run_dir / "postgres-template", DATABASE_URL=_url(settings, template))
            )
            made.touch()
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')


def drop_postgres_template(run_dir: Path, settings: dict[str, Any]) -> None:
    if not (run_dir / "postgres-template.made").exists():
        return
    with _admin(settings) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{postgres_template_name(run_dir)}"')
