"""Backup and restore drills: a populated instance, with the private files members uploaded, is
backed up and rebuilt into a new database and new folders; every table's row count and every
file's checksum must come back."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django_scopes import scope, scopes_disabled

from conftest import require
from tsunagu.boards.actions import do_add_comment, do_create_thread
from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.core.testing.processes import clean_env, run_manage
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.events.models import Photo
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_create_article
from tsunagu.profiles.actions import profile_of
from tsunagu.talk.actions import do_send_message
from tsunagu.talk.models import Room
from tsunagu.testing.world import World

pytestmark = pytest.mark.each_database

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
in_postgresql_pass = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="runs in the PostgreSQL pass of `make test`"
)
in_sqlite_pass = pytest.mark.skipif(ON_POSTGRESQL, reason="runs in the SQLite pass of `make test`")
# Committed data: pg_dump and the restoring process read it from other connections.
committed = pytest.mark.django_db(transaction=True)


def populate(world: World) -> None:
    """The demo networks, plus a file of every kind members upload."""
    call_command("seed_demo", members=6, stdout=io.StringIO())
    alumni = world.alumni_a
    with scope(network=world.net_a):
        room = Room.objects.get(network=world.net_a, is_default=True)
        do_send_message(
            alumni,
            room,
            body="朝活の写真です",
            client_id="drill-1",
            upload=SimpleUploadedFile("朝活.png", image_bytes(size=(900, 600))),
        )
        do_send_message(
            alumni,
            room,
            body="スライドです",
            client_id="drill-2",
            upload=SimpleUploadedFile("自己紹介.pdf", b"%PDF-1.4 slides"),
        )
        thread = do_create_thread(
            world.employee_a,
            category=make_category(world.net_a),
            kind=ThreadKind.CONSULTATION,
            title="補助金の使い方",
            body="教えてください",
        )
        do_add_comment(
            alumni,
            thread,
            body="資料を添付します",
            attachment=SimpleUploadedFile("資料.pdf", b"%PDF-1.4 notes"),
        )
        do_create_article(
            world.operator_a,
            kind="company_news",
            title="新規事業を始めます",
            body="詳しくは説明会で",
            cover=SimpleUploadedFile("cover.png", image_bytes()),
        )
        profile = profile_of(alumni)
        profile.photo.save("me.png", ContentFile(image_bytes(size=(48, 48))))
    event = make_event(world.net_a, title="総会")
    with scopes_disabled():
        event.cover.save("cover.png", ContentFile(image_bytes(size=(120, 60))))
        Photo.objects.create(
            network=world.net_a, event=event, image=ContentFile(image_bytes(), name="photo.png")
        )
        world.net_a.logo.save("logo.png", ContentFile(image_bytes(size=(32, 32))))


def row_counts(cursor: Any, vendor: str) -> dict[str, int]:
    """Every table and its rows, listed from the catalogue (not by the code under test)."""
    if vendor == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return json.load(handle)


@pytest.fixture
def secret_key_file(settings: Any, tmp_path: Path) -> Path:
    """The key the embedded setup generates into DATA_DIR when SECRET_KEY is unset."""
    path = tmp_path / "data" / "secret_key"
    path.parent.mkdir()
    path.write_text("k" * 60 + "\n")
    settings.SECRET_KEY_FILE = path
    return path


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database on the server the tests use; dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored' / 'tsunagu.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    server = connection.settings_dict
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    login = quote(server["USER"]) + (f":{quote(server['PASSWORD'])}" if server["PASSWORD"] else "")
    address = f"{server['HOST'] or 'localhost'}:{server['PORT'] or 5432}"
    with psycopg.connect(f"postgres://{login}@{address}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgres://{login}@{address}/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def restored_counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as restored:
            counts = row_counts(restored.cursor(), "sqlite")
        restored.close()
        return counts
    import psycopg

    with psycopg.connect(url) as restored, restored.cursor() as cursor:
        return row_counts(cursor, "postgresql")


def drill(world: World, secret_key_file: Path, new_database: str, tmp_path: Path) -> None:
    populate(world)
    source_rows = row_counts(connection.cursor(), connection.vendor)
    media, private = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    source_media, source_private = checksums(media), checksums(private)
    # The instance holds what the drill is about: rows everywhere, and every kind of upload.
    assert source_rows["talk_message"] > 0 and source_rows["accounts_user"] > 10
    folders = {name.split("/")[0] for name in source_private}
    assert folders == {"talk", "boards", "news", "profiles", "events"}, folders
    assert any(name.startswith("networks/logos/") for name in source_media)

    started = time.monotonic()
    backups = tmp_path / "backups"
    backups.mkdir()
    call_command("backup", str(backups), stdout=io.StringIO())
    [archive] = backups.iterdir()
    manifest = manifest_of(archive)
    assert manifest["tables"] == source_rows

    # A new instance: a new database, new folders, the key written into its own DATA_DIR.
    target = tmp_path / "restored"
    env = clean_env(
        target,
        DATABASE_URL=new_database,
        MEDIA_ROOT=str(target / "uploads"),
        PRIVATE_MEDIA_ROOT=str(target / "private-files"),
    )
    result = run_manage(env, "restore", str(archive))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60

    assert restored_counts(new_database) == source_rows
    assert checksums(target / "uploads") == source_media
    assert checksums(target / "private-files") == source_private
    assert (target / "secret_key").read_text() == secret_key_file.read_text()


@in_sqlite_pass
@committed
def test_sqlite_instance_is_restored_with_every_row_and_every_file(
    world: World, secret_key_file: Path, new_database: str, tmp_path: Path
) -> None:
    drill(world, secret_key_file, new_database, tmp_path)


@pytest.mark.postgres
@in_postgresql_pass
@committed
def test_postgresql_instance_is_restored_into_a_new_database_with_every_row_and_file(
    world: World, secret_key_file: Path, new_database: str, tmp_path: Path
) -> None:
    tools = ("pg_dump", "pg_restore")
    require("pg_dump and pg_restore", all(shutil.which(tool) for tool in tools))
    drill(world, secret_key_file, new_database, tmp_path)


@committed
def test_an_install_without_media_folders_is_backed_up(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "never-created")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "never-created-either"
    archive = tmp_path / "nightly.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    manifest = manifest_of(archive)
    assert manifest["tables"]["tenancy_network"] == 0
    assert not any(name.startswith(("media/", "private/")) for name in manifest["files"])


@committed
def test_restore_refuses_to_write_over_an_instance_that_has_data(
    world: World, tmp_path: Path
) -> None:
    archive = tmp_path / "nightly.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already has .* tables: restore into a new, empty"):
        call_command("restore", str(archive))


@in_sqlite_pass
def test_a_backup_of_a_live_sqlite_database_holds_the_writes_still_in_its_wal(
    tmp_path: Path,
) -> None:
    live = tmp_path / "data" / "tsunagu.sqlite3"
    live.parent.mkdir()
    server = sqlite3.connect(live)
    try:
        # A running instance: its writes are committed into the WAL, not yet into the file.
        server.execute("PRAGMA journal_mode=WAL")
        server.execute("PRAGMA wal_autocheckpoint=0")
        server.execute("CREATE TABLE talk_message (id INTEGER PRIMARY KEY, body TEXT)")
        server.executemany(
            "INSERT INTO talk_message (body) VALUES (?)", [("おはようございます",)] * 500
        )
        server.commit()
        file_copy = tmp_path / "copy.sqlite3"
        shutil.copy(live, file_copy)
        with sqlite3.connect(file_copy) as copy:
            tables = copy.execute("SELECT name FROM sqlite_master").fetchall()
        copy.close()
        assert tables == []  # what a copy of the file alone would have kept

        env = clean_env(live.parent, DATABASE_URL=f"sqlite:///{live}")
        result = run_manage(env, "backup", str(tmp_path / "nightly.tar.gz"))
        assert result.returncode == 0, result.stderr
    finally:
        server.close()
    assert manifest_of(tmp_path / "nightly.tar.gz")["tables"] == {"talk_message": 500}

    restored = tmp_path / "restored"
    env = clean_env(restored, DATABASE_URL=f"sqlite:///{restored / 'tsunagu.sqlite3'}")
    result = run_manage(env, "restore", str(tmp_path / "nightly.tar.gz"))
    assert result.returncode == 0, result.stderr
    assert restored_counts(f"sqlite:///{restored / 'tsunagu.sqlite3'}") == {"talk_message": 500}


@in_sqlite_pass
@committed
def test_restore_stops_at_a_file_that_does_not_match_its_checksum(
    tmp_path: Path, settings: Any
) -> None:
    photo = Path(settings.PRIVATE_MEDIA_ROOT) / "profiles" / "1" / "me.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(image_bytes())
    archive = tmp_path / "nightly.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    # The same archive with the photo's bytes changed (a damaged copy).
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "private/profiles/1/me.png":
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))

    restored = tmp_path / "restored"
    env = clean_env(restored, DATABASE_URL=f"sqlite:///{restored / 'tsunagu.sqlite3'}")
    result = run_manage(env, "restore", str(damaged))
    assert result.returncode == 1
    assert "private/profiles/1/me.png in the archive does not match its checksum" in result.stderr
    assert checksums(restored / "private") == {}
