"""manage.py create_operators_community --organiser EMAIL: the operators' community."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagu.onboarding.community import NAME, SLUG, create_operators_community


class Command(BaseCommand):
    help = (
        "Creates the operators' community (a network only active operators of alumni networks "
        "may apply to), with the account of EMAIL as its first operator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organiser", required=True, help="e-mail of an existing account")
        parser.add_argument("--name", default=NAME)
        parser.add_argument("--slug", default=SLUG)

    def handle(self, *args: Any, **options: Any) -> None:
        organiser = get_user_model().objects.filter(email__iexact=options["organiser"]).first()
        if organiser is None:
            raise CommandError(f"No account with the e-mail {options['organiser']}.")
        network, created = create_operators_community(
            organiser, name=options["name"], slug=options["slug"]
        )
        state = "created" if created else "already there"
        self.stdout.write(f"{network.name} ({network.get_absolute_url()}): {state}")
