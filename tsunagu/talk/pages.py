"""A room's messages, the same HTML for every reader with the same rights in the room, rendered
from ``talk/_message.html`` into a shared block (core/shared.py) and filled per reader by the
resolvers of ``talk/holes.py``: the CSRF token, the reader's own messages (their class, their
edit and delete links) and the stamps the reader gave.

The newest page of a room, the one every visit opens, is cached under the room's ``last_seq``
(moved by every new message, replies included) and ``revision`` (moved by every change to a
posted message, its stamps or files: signals.py), the reader's rights, the language and the
time zone; see room_page(). Older pages, threads and search results are rendered each time from
the same templates (render_messages()).

A room page also holds the forms under the timeline (compose, join, leave: kept for the
readers they belong to) and a ``<template>`` of one message (a sample: every optional part
present, numbered 0) that the browser script clones and fills for the messages that arrive
live, so the markup of a message has this one source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tsunagu.core import caching, shared

from . import holes
from .forms import MessageForm
from .models import Message, Stamp

PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed sender's old name can show


@dataclass
class RenderContext:
    """What the messages' HTML depends on besides the messages: the room's address and the
    reader's rights in it (readers with the same rights share the HTML)."""

    base: str  # the network's talk address, e.g. /n/mitsuba/talk/
    room_id: int
    can_react: bool
    can_moderate: bool
    can_pin: bool
    in_thread: bool = False
    read_only: bool = False  # an archived room: no edit or delete links on one's own messages
    slug: str = ""  # the network's, for the senders' photos (part of ``base``)

    @property
    def room_url(self) -> str:
        return f"{self.base}r/{int(self.room_id)}/"

    @property
    def variant(self) -> str:
        flags = (self.can_react, self.can_moderate, self.can_pin, self.read_only)
        return "".join(str(int(flag)) for flag in flags)

    def template_context(self) -> dict[str, Any]:
        return {
            "room_url": self.room_url,
            "can_react": self.can_react,
            "can_moderate": self.can_moderate,
            "can_pin": self.can_pin,
            "in_thread": self.in_thread,
            "read_only": self.read_only,
            "slug": self.slug,
            # One picker for every message of the page, rendered once.
            "palette": palette() if self.can_react else "",
        }


def palette() -> SafeString:
    """The stamp picker under a message."""
    return render_to_string("talk/_palette.html", {"stamps": Stamp.choices})


def _attach(
    messages: list[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    """Gives each message its files and stamps, and answers the block's facts: the sender of
    each message, and who gave the stamp in each place ((message id, position))."""
    senders: dict[int, int | None] = {}
    givers: dict[tuple[int, int], frozenset[int]] = {}
    for m in messages:
        m.files = files.get(m.pk, [])  # type: ignore[attr-defined]
        m.stamps = reactions.get(m.pk, [])  # type: ignore[attr-defined]
        senders[m.pk] = m.sender_id
        for position, reaction in enumerate(m.stamps):  # type: ignore[attr-defined]
            givers[m.pk, position] = frozenset(reaction["members"])
    return {"senders": senders, "givers": givers}


def sample_message() -> Message:
    """The message the browser script copies for live ones: numbered 0, with one file, one
    image and one stamp, and every flag's markup present (the script drops what does not
    apply)."""
    sample = Message(pk=0, seq=0, created_at=datetime(2000, 1, 1, tzinfo=UTC))
    sample.files = [  # type: ignore[attr-defined]
        {"url": "", "thumb": "", "name": "", "size": 0, "image": False},
        {"url": "", "thumb": "", "name": "", "size": 0, "image": True},
    ]
    sample.stamps = [{"stamp": "", "label": "", "members": [], "names": []}]  # type: ignore[attr-defined]
    return sample


def messages_block(
    ctx: RenderContext,
    messages: Iterable[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
    *,
    template: str = "talk/_messages.html",
    extra: dict[str, Any] | None = None,
) -> shared.Block:
    """The messages rendered by ``template`` (``talk/_messages.html``: the list items), with
    holes for the reader's parts; ``extra``: what the template needs beside them."""
    batch = list(messages)
    facts = _attach(batch, files, reactions)
    html = render_to_string(
        template, {**ctx.template_context(), **(extra or {}), "messages_list": batch}
    )
    return shared.Block(html, facts=facts)


def render_messages(
    ctx: RenderContext,
    messages: Iterable[Message],
    files: dict[int, list[dict[str, Any]]],
    reactions: dict[int, list[dict[str, Any]]],
    *,
    member_id: int,
    csrf_token: str,
) -> SafeString:
    """The messages' HTML for one reader (threads, search results: not shared)."""
    block = messages_block(ctx, messages, files, reactions)
    return block.fill(holes.messages(block, csrf=csrf_token, member_id=member_id), where="talk")


def room_page(
    ctx: RenderContext,
    *,
    last_seq: int,
    revision: int,
    before: int | None,
    fragment: bool,
    office_only: bool,
    load: Callable[[], tuple[list[Message], bool, list[Message], dict[Any, Any], dict[Any, Any]]],
) -> shared.Block:
    """The room page below its head, for the messages below ``before`` (the newest without):
    the pinned messages, the timeline and the forms under it (``talk/_room_page.html``), or for
    an HTMX request the older messages alone (``fragment``, ``talk/fragment_messages.html``).
    The newest page comes from the cache when the room has not changed since it was built; older
    pages, seldom read and countless, are built each time. ``office_only``: an announcement
    room (a room's kind never changes).

    ``load()`` returns the page's messages (oldest first), whether older ones exist, the pinned
    messages, and the messages' files and stamps; it is called only when the page is not cached.
    It must read no message numbered above ``last_seq``: the page is stored under it.
    """

    def build() -> shared.Block:
        batch, has_older, pinned, files, reactions = load()
        older_url = f"?before={batch[0].seq}" if has_older and batch else ""
        extra: dict[str, Any] = {"older_url": older_url}
        template = "talk/fragment_messages.html"
        if not fragment:
            template = "talk/_room_page.html"
            extra |= {
                "pinned": pinned,
                "search_url": f"{ctx.room_url}search/",
                "is_latest": before is None,
                # Older pages too: what the reader sends from one shows until it is stored,
                # and their stamps change live.
                "live_sample": sample_message(),
                "office_only": office_only,
                "form": MessageForm(initial={"client_id": shared.hole("client_id")}),
                "csrf_token": shared.hole("csrf"),
            }
        return messages_block(ctx, batch, files, reactions, template=template, extra=extra)

    if before is not None:
        return build()
    key = caching.key(
        "talk", "page", int(ctx.room_id), int(last_seq), int(revision), ctx.variant,
        f"{ctx.in_thread:d}", ctx.base, language=True, zone=True,
    )  # fmt: skip
    return shared.block(key, build, PAGE_TIMEOUT)
