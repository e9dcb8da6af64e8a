"""Refuses to serve debug pages on an address other machines reach, unless asked explicitly.

`make run` calls it before starting the server. Debug pages show tracebacks, settings and the SQL
of every failing request to whoever can reach them; on 127.0.0.1 that is only this machine.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may point anywhere


class Command(BaseCommand):
    help = "Fails when DEBUG is on and HOST is not a loopback address, unless ALLOW_PUBLIC_DEBUG=1."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("host", help="the address the server is about to listen on")

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"]
        if not settings.DEBUG or settings.ALLOW_PUBLIC_DEBUG or is_loopback(host):
            return
        raise CommandError(
            f"Refusing to serve debug pages on {host or 'every address'}: other machines could "
            "read tracebacks and settings there. Listen on 127.0.0.1 (the default), turn DEBUG "
            "off, or, on a network you trust, set ALLOW_PUBLIC_DEBUG=1."
        )
