"""The feed's rows as HTML: each row rendered once from ``feed/_item.html`` for every reader of
its network in a language and time zone, and kept under what it shows (``cached_rows()``); the
reader's new marks and welcome stamps are its holes (``feed/holes.py``).

The rows (``stream.py``) are plain data shared by every reader of an audience; a row's version
is a digest of all of it, so a row whose title, count or author changed is rendered anew.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tsunagu.core import shared
from tsunagu.tenancy.models import Membership

from . import actions, holes
from .shown import Shown, welcome_url
from .stream import MEMBER


def rows_html(
    member: Membership,
    rows: list[dict[str, Any]],
    *,
    new_since: datetime | None,
    shown: Shown,
    csrf: str,
) -> list[SafeString]:
    """The rows for ``member``: new since ``new_since`` (their previous visit) marked, their
    welcome stamps on newcomers."""

    def render(row: dict[str, Any]) -> str:
        item = shown(row)
        if row["source"] == MEMBER:
            item["welcome_url"] = welcome_url(shown.slug, row["id"])
        return render_to_string("feed/_item.html", {"item": item})

    resolvers = holes.items(
        new={
            (str(row["source"]), str(row["id"]))
            for row in rows
            if new_since is not None and row["at"] > new_since
        },
        welcomes=actions.welcome_counts(member, [r["id"] for r in rows if r["source"] == MEMBER]),
        me=member.pk,
        csrf=csrf,
    )
    return shared.rows(
        "feed:item",
        rows,
        version=lambda row: shared.version_of(shown.slug, sorted(row.items())),
        render=render,
        resolvers=resolvers,
        where="feed:items",
    )


def welcome_html(member: Membership, newcomer_id: int, slug: str, csrf: str) -> SafeString:
    """The welcome stamp of one newcomer for ``member`` (the answer to their click)."""
    html = render_to_string(
        "feed/fragment_welcome.html",
        {"item": {"id": newcomer_id, "welcome_url": welcome_url(slug, newcomer_id)}},
    )
    resolvers = holes.items(
        new=set(),
        welcomes=actions.welcome_counts(member, [newcomer_id]),
        me=member.pk,
        csrf=csrf,
    )
    return shared.fill(html, resolvers, where="feed:welcome")
