"""Announcement e-mails (see privacy/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tsunagu.audit.models import ERASED_MEMBER
from tsunagu.privacy.registry import Erase, Rule, register

from .models import Announcement

if TYPE_CHECKING:
    from tsunagu.privacy.erasure import Context


def pseudonymise_sender(rows: QuerySet[Announcement], ctx: Context) -> None:
    rows.update(sent_by_name=ERASED_MEMBER)


register(
    Rule(
        "announce.Announcement",
        owner="author",
        erase=Erase.KEEP,
        why="an announcement is the office's, whoever drafted it",
    ),
    Rule(
        "announce.Announcement",
        owner="sent_by",
        erase=Erase.PSEUDONYMISE,
        erase_with=pseudonymise_sender,
        why="an announcement is the office's; the sender's name is kept apart and pseudonymised",
    ),
    Rule("announce.Delivery", owner="user", erase=Erase.DELETE, why="which mails reached them"),
)
