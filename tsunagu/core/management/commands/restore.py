"""``manage.py restore ARCHIVE``: a new instance from a backup (see core/backup).

The new instance is the one this command is configured for: DATABASE_URL (a database that exists
and is empty), MEDIA_ROOT and PRIVATE_MEDIA_ROOT (missing or empty) and DATA_DIR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.backup.archive import restore_backup
from tsunagu.core.backup.database import BackupError


class Command(BaseCommand):
    help = (
        "Rebuilds a new instance from a backup archive into the configured, empty database and "
        "folders, checking every table's row count and every file's checksum."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="an archive written by `manage.py backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore_backup(Path(options["archive"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {summary.rows} rows in {len(summary.tables)} tables and {summary.files} "
            "files; every count and checksum matches the archive."
        )
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write("Run `manage.py migrate` if the code is newer than the backup.")
