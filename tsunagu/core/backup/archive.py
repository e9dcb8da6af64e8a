"""Writing an instance into one archive, and rebuilding a new instance from it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from . import database
from .database import BackupError

FORMAT = 1
MANIFEST = "manifest.json"
KEY = "secret_key"  # the generated key's name in the archive and in DATA_DIR
CHUNK = 1024 * 1024


@dataclass
class Summary:
    archive: Path
    tables: dict[str, int]
    files: int
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def folders() -> dict[str, Path]:
    """Every folder of files an instance keeps, by its name in the archive."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def files_under(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file under ``root`` as (its name relative to the root, its path), in a stable order;
    nothing when the folder does not exist."""
    for directory, subdirectories, names in os.walk(root):
        subdirectories.sort()
        for filename in sorted(names):
            path = Path(directory, filename)
            if path.is_file():
                yield path.relative_to(root).as_posix(), path


class _Hashing:
    """A file being read into the archive: the checksum is of exactly the bytes archived."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, member: str) -> str | None:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None  # deleted since its folder was listed
    with handle:
        info = archive.gettarinfo(arcname=member, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _Hashing(handle)
        archive.addfile(info, reader)
    return reader.sha256.hexdigest()


def _folder_files(members: dict[str, str]) -> int:
    return sum(1 for member in members if member.split("/", 1)[0] in folders())


def archive_name() -> str:
    return timezone.localtime().strftime("tsunagu-%Y%m%d-%H%M%S.tar.gz")


def make_backup(destination: Path) -> Summary:
    """Writes the instance into one archive: ``destination`` itself, or a new file in it when it
    is a directory. The archive appears complete or not at all."""
    target = destination / archive_name() if destination.is_dir() else destination
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory.")
    if target.exists():
        raise BackupError(f"{target} exists already.")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".tsunagu-backup-") as staging:
        # The database first: a file uploaded meanwhile is then in the archive without its row
        # (harmless), never a row without its file.
        dump = database.dump(Path(staging))
        draft = Path(staging) / "archive.tar.gz"
        checksums: dict[str, str] = {}
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                sources = [(dump.member, dump.path)]
                for folder, root in folders().items():
                    sources += [(f"{folder}/{name}", path) for name, path in files_under(root)]
                if settings.SECRET_KEY_FILE is not None and settings.SECRET_KEY_FILE.is_file():
                    sources.append((KEY, settings.SECRET_KEY_FILE))
                for member, path in sources:
                    digest = _add(archive, path, member)
                    if digest is not None:
                        checksums[member] = digest
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "database": {"vendor": dump.vendor, "file": dump.member},
                    "tables": dump.tables,
                    "files": checksums,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                archive.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.link(draft, target)  # fails rather than replace an archive of the same name
    return Summary(target, dump.tables, _folder_files(checksums))


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from None


def _manifest(archive: tarfile.TarFile, path: Path) -> dict[str, Any]:
    try:
        handle = archive.extractfile(MANIFEST)
        manifest = json.load(handle) if handle else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Tsunagu backup (it has no manifest).")
    return manifest


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, path: Path, expected: str) -> None:
    source = archive.extractfile(member)
    assert source is not None  # a regular file
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("xb") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != expected:
        raise BackupError(f"{member.name} in the archive does not match its checksum.")


def _check_empty(root: Path) -> None:
    if any(True for _ in files_under(root)):
        raise BackupError(f"{root} already holds files: restore into new, empty folders.")


def restore_backup(path: Path) -> Summary:
    """Rebuilds a new instance from an archive: the configured database (which must exist and be
    empty), the folders of files (missing or empty) and the generated key. Every file is checked
    against its checksum and every table against its row count."""
    with _open(path) as archive, tempfile.TemporaryDirectory(prefix=".tsunagu-restore-") as staging:
        manifest = _manifest(archive, path)
        kind = manifest["database"]["vendor"]
        database.check_empty_target(kind)
        roots = folders()
        for root in roots.values():
            _check_empty(root)
        # Files are unpacked beside their final place (inside the folder: the same file system,
        # even for a mount point) and moved in only once everything has been checked.
        unpacked = {}
        for folder, root in roots.items():
            root.mkdir(parents=True, exist_ok=True)
            unpacked[folder] = Path(tempfile.mkdtemp(dir=root, prefix=".restoring-"))
        try:
            _unpack(archive, manifest, Path(staging), unpacked)
            tables = database.restore(kind, Path(staging) / "database")
            if tables != manifest["tables"]:
                raise BackupError(_count_differences(manifest["tables"], tables))
            for folder, root in roots.items():
                for entry in unpacked[folder].iterdir():
                    entry.replace(root / entry.name)
        finally:
            for place in unpacked.values():
                shutil.rmtree(place, ignore_errors=True)
        summary = Summary(path, tables, _folder_files(manifest["files"]))
        if KEY in manifest["files"]:
            _install_secret_key(Path(staging) / KEY)
            summary.notes.append(_secret_key_note())
        else:
            summary.notes.append(
                "The archive holds no key (the instance had SECRET_KEY set): give the new "
                "instance the same SECRET_KEY, or everyone is logged out and links sent stop "
                "working."
            )
    return summary


def _unpack(
    archive: tarfile.TarFile, manifest: dict[str, Any], staging: Path, unpacked: dict[str, Path]
) -> None:
    """Every member of the archive to its place, each checked against the manifest."""
    expected: dict[str, str] = manifest["files"]
    for member in archive:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(f"{member.name} is in the archive but not in its manifest.")
        place = _place(member.name, manifest["database"]["file"], staging, unpacked)
        _extract(archive, member, place, expected[member.name])
    missing = set(expected) - set(archive.getnames())
    if missing:
        raise BackupError(f"The archive lacks {', '.join(sorted(missing))}.")


def _place(member: str, dump_member: str, staging: Path, unpacked: dict[str, Path]) -> Path:
    """Where a member of the archive is unpacked; only names restore knows, never outside."""
    if member == dump_member:
        return staging / "database"
    if member == KEY:
        return staging / KEY
    parts = PurePosixPath(member).parts
    if len(parts) > 1 and parts[0] in unpacked and not {"..", ""} & set(parts):
        return unpacked[parts[0]].joinpath(*parts[1:])
    raise BackupError(f"{member} is not a name a Tsunagu backup holds.")


def _count_differences(archived: dict[str, int], restored: dict[str, int]) -> str:
    lines = [
        f"{table}: {archived.get(table, 'missing')} in the archive, "
        f"{restored.get(table, 'missing')} restored"
        for table in sorted(set(archived) | set(restored))
        if archived.get(table) != restored.get(table)
    ]
    return "The restored database does not match the archive:\n" + "\n".join(lines)


def _install_secret_key(source: Path) -> None:
    # Starting this command made DATA_DIR (and, without SECRET_KEY, a key of its own in it): the
    # instance's key replaces it; the database was empty, so nothing was signed with the new one.
    target = Path(settings.DATA_DIR) / KEY
    descriptor, draft = tempfile.mkstemp(dir=target.parent, prefix=".secret_key.")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(source.read_bytes())
    os.replace(draft, target)


def _secret_key_note() -> str:
    if settings.SECRET_KEY_FILE is None:
        return (
            f"The generated key was restored to {Path(settings.DATA_DIR) / KEY}; it is "
            "used only while SECRET_KEY is unset."
        )
    return f"The generated key was restored to {settings.SECRET_KEY_FILE}."
