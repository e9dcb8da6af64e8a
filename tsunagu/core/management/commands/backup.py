"""``manage.py backup DESTINATION``: the whole instance in one archive (see core/backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.core.backup.archive import make_backup
from tsunagu.core.backup.database import BackupError


class Command(BaseCommand):
    help = (
        "Writes the database, MEDIA_ROOT, PRIVATE_MEDIA_ROOT and the generated secret key into one "
        "archive with a manifest of row counts and checksums."
    )
    # A nightly backup must not wait on checks unrelated to it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination",
            help="a directory (the archive is named tsunagu-<date>-<time>.tar.gz in it) or the "
            "archive's file name",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = make_backup(Path(options["destination"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{summary.archive}: {summary.rows} rows in {len(summary.tables)} tables, "
            f"{summary.files} files."
        )
