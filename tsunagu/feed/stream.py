"""The home feed: what is new in the network, from every app, newest first.

Each source (new members, life updates, events still to come, new threads, published articles)
is read with the same keyset condition on (time, source, id), at most one page each, and the
rows are merged in Python: a page costs one query per source whatever the size of the network,
the first page as much as the hundredth.

The first page is the same for every member with the same event audience, so its rows (plain
data, never model instances) are cached per network and audience until a write in one of the
sources drops them (``signals.py``), or until the next scheduled article comes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from tsunagu.boards.models import Thread, ThreadKind
from tsunagu.core import caching
from tsunagu.events.models import Audience, Event
from tsunagu.news.models import Article, State
from tsunagu.profiles.models import LifeUpdate
from tsunagu.profiles.models import Tag as ProfileTag
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.models import Membership, Network, Status
from tsunagu.tenancy.names import shown_member

PAGE = 20
PINNED = 3
WAITING = 20
UPCOMING = 5
TIMEOUT = 10 * 60

# Order among items of the same instant, so that the cursor names one position exactly.
MEMBER, UPDATE, EVENT, THREAD, ARTICLE = 0, 1, 2, 3, 4
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """The position after the last item shown: its time, source and id."""

    at: datetime
    source: int
    id: int

    def __str__(self) -> str:
        micros = (self.at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.source}-{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """A cursor from the address, or None for anything malformed (the first page)."""
        parts = (raw or "").split("-")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
            return None
        micros, source, pk = (int(p) for p in parts)
        if source > ARTICLE:
            return None
        try:
            at = EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(at, source, pk)


def _after(qs: QuerySet[Any], time_field: str, source: int, cursor: Cursor | None) -> QuerySet[Any]:
    """Rows that come after the cursor in the order (time, source, id), newest first."""
    if cursor is None:
        return qs
    if source < cursor.source:
        return qs.filter(**{f"{time_field}__lte": cursor.at})
    if source > cursor.source:
        return qs.filter(**{f"{time_field}__lt": cursor.at})
    return qs.filter(
        Q(**{f"{time_field}__lt": cursor.at}) | Q(**{time_field: cursor.at, "pk__lt": cursor.id})
    )


def audiences_key(audiences: list[str]) -> str:
    return ",".join(sorted(audiences))


def _members(network: Network, cursor: Cursor | None, limit: int) -> list[dict[str, Any]]:
    qs = Membership.objects.filter(network=network, status=Status.ACTIVE)
    rows = (
        _after(qs, "created_at", MEMBER, cursor)
        .select_related("user", "profile")
        .only("network_id", "role", "created_at", "user__name", "profile__display_name")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        {
            "source": MEMBER,
            "id": m.pk,
            "at": m.created_at,
            "name": m.profile.name if hasattr(m, "profile") else m.user.name,
            "role": m.role,
        }
        for m in rows
    ]


def _updates(network: Network, cursor: Cursor | None, limit: int) -> list[dict[str, Any]]:
    qs = LifeUpdate.objects.filter(network=network, membership__status=Status.ACTIVE)
    rows = (
        _after(qs, "created_at", UPDATE, cursor)
        .select_related("membership__user", "membership__profile")
        .only(
            "network_id",
            "body",
            "created_at",
            "membership__user__name",
            "membership__profile__display_name",
        )  # fmt: skip
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        {
            "source": UPDATE,
            "id": u.pk,
            "at": u.created_at,
            "member_id": u.membership_id,
            "name": u.membership.profile.name,
            "body": u.body,
        }
        for u in rows
    ]


def _events(
    network: Network, audiences: list[str], cursor: Cursor | None, limit: int
) -> list[dict[str, Any]]:
    qs = Event.objects.filter(
        network=network,
        audience__in=audiences,
        called_off_at__isnull=True,
        ends_at__gt=timezone.now(),
    )
    rows = (
        _after(qs, "created_at", EVENT, cursor)
        .only("network_id", "title", "starts_at", "ends_at", "venue", "created_at", "category")
        .order_by("-created_at", "-id")[:limit]
    )
    return [_event(e, EVENT, e.created_at) for e in rows]


def _event(e: Event, source: int, at: datetime) -> dict[str, Any]:
    return {
        "source": source,
        "id": e.pk,
        "at": at,
        "title": e.title,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "venue": e.venue,
    }


def _author(membership: Membership | None) -> str | None:
    """The author's name, or None for a former member: the page names them in the reader's
    language (the rows are shared by readers of every language)."""
    shown = shown_member(membership)
    return None if shown is None else shown.user.name


def _thread(t: Thread, at: datetime) -> dict[str, Any]:
    return {
        "source": THREAD,
        "id": t.pk,
        "at": at,
        "title": t.title,
        "consultation": t.kind == ThreadKind.CONSULTATION,
        "answered": t.is_answered,
        "category": t.category.name,
        "author": _author(t.author),
        "comments": t.comment_count,
        "pinned": t.is_pinned,
    }


THREAD_FIELDS = (
    "network_id", "category__name", "kind", "author__user__name", "author__status", "title",
    "is_answered", "is_pinned", "comment_count", "created_at",
)  # fmt: skip


def _threads(network: Network, cursor: Cursor | None, limit: int) -> list[dict[str, Any]]:
    qs = Thread.objects.filter(network=network, is_hidden=False, is_pinned=False)
    rows = (
        _after(qs, "created_at", THREAD, cursor)
        .select_related("category", "author__user")
        .only(*THREAD_FIELDS)
        .order_by("-created_at", "-id")[:limit]
    )
    return [_thread(t, t.created_at) for t in rows]


def _article(a: Article) -> dict[str, Any]:
    return {
        "source": ARTICLE,
        "id": a.pk,
        "at": a.published_at,
        "title": a.title,
        "kind": a.kind,
        "author": _author(a.author),
        "pinned": a.is_pinned,
        "comments": a.comment_count,
    }


ARTICLE_FIELDS = (
    "network_id", "kind", "title", "published_at", "is_pinned", "comment_count",
    "author__user__name", "author__status",
)  # fmt: skip


def _visible_articles(network: Network) -> QuerySet[Article]:
    return Article.objects.filter(
        network=network, state=State.PUBLISHED, published_at__lte=timezone.now()
    )


def _articles(network: Network, cursor: Cursor | None, limit: int) -> list[dict[str, Any]]:
    qs = _visible_articles(network).filter(is_pinned=False)
    rows = (
        _after(qs, "published_at", ARTICLE, cursor)
        .select_related("author__user")
        .only(*ARTICLE_FIELDS)
        .order_by("-published_at", "-id")[:limit]
    )
    return [_article(a) for a in rows]


def stream_items(
    network: Network, audiences: list[str], cursor: Cursor | None
) -> tuple[list[dict[str, Any]], Cursor | None]:
    """One page of the stream after ``cursor`` and the cursor of the next page (None: the end)."""
    limit = PAGE + 1
    rows = [
        *_members(network, cursor, limit),
        *_updates(network, cursor, limit),
        *_events(network, audiences, cursor, limit),
        *_threads(network, cursor, limit),
        *_articles(network, cursor, limit),
    ]
    rows.sort(key=lambda r: (r["at"], r["source"], r["id"]), reverse=True)
    page = rows[:PAGE]
    more = len(rows) > PAGE
    last = page[-1] if page else None
    next_cursor = Cursor(last["at"], last["source"], last["id"]) if more and last else None
    return page, next_cursor


def _pinned(network: Network) -> list[dict[str, Any]]:
    articles = (
        _visible_articles(network)
        .filter(is_pinned=True)
        .select_related("author__user")
        .only(*ARTICLE_FIELDS)
        .order_by("-published_at", "-id")[:PINNED]
    )
    threads = (
        Thread.objects.filter(network=network, is_hidden=False, is_pinned=True)
        .select_related("category", "author__user")
        .only(*THREAD_FIELDS)
        .order_by("-created_at", "-id")[:PINNED]
    )
    rows = [_article(a) for a in articles] + [_thread(t, t.created_at) for t in threads]
    rows.sort(key=lambda r: (r["at"], r["source"], r["id"]), reverse=True)
    return rows


def _waiting(network: Network) -> list[dict[str, Any]]:
    """Consultations waiting for an answer, each with the skill and interest names it mentions."""
    threads = list(
        Thread.objects.filter(
            network=network,
            kind=ThreadKind.CONSULTATION,
            is_answered=False,
            is_locked=False,
            is_hidden=False,
        )
        .select_related("category", "author__user")
        .only(*THREAD_FIELDS, "body")
        .order_by("-created_at", "-id")[:WAITING]
    )
    if not threads:
        return []
    names = {
        n for n in ProfileTag.objects.filter(network=network).values_list("normalized", flat=True)
    }
    rows = []
    for t in threads:
        text = normalize(f"{t.title} {t.body}")
        row = _thread(t, t.created_at)
        # Names only: matched against each viewer's own tags, never shown to anyone else.
        row["tags"] = sorted(n for n in names if len(n) >= 2 and n in text)
        author_id = t.author_id
        row["author_member_id"] = author_id
        rows.append(row)
    return rows


def _upcoming(network: Network, audiences: list[str]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = (
        Event.objects.filter(
            network=network, audience__in=audiences, called_off_at__isnull=True, ends_at__gt=now
        )
        .only("network_id", "title", "starts_at", "ends_at", "venue")
        .order_by("starts_at", "id")[:UPCOMING]
    )
    return [_event(e, EVENT, e.starts_at) for e in rows]


def _key(network_id: int, audiences: str) -> str:
    return caching.key("feed", "first", network_id, audiences)


ALL_AUDIENCE_SETS = [
    audiences_key(list(Audience.values)),
    audiences_key([Audience.ALL, Audience.EMPLOYEES]),
    audiences_key([Audience.ALL, Audience.ALUMNI]),
]


def first_page_key(network_id: int, audiences: list[str]) -> str:
    return _key(network_id, audiences_key(audiences))


def first_page(
    network: Network, audiences: list[str], found: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The first page and the blocks above it, shared by every member of the audience
    (``found``: what the caller read of first_page_key() already)."""
    key = first_page_key(network.pk, audiences)
    data = found.get(key) if found is not None else caching.read(key)
    now = timezone.now()
    if data is not None and data["valid_until"] > now:
        return data
    items, next_cursor = stream_items(network, audiences, None)
    upcoming = _upcoming(network, audiences)
    # The cache lasts until the next scheduled article comes out or a listed event ends.
    ends = [now + timedelta(seconds=TIMEOUT)]
    scheduled = (
        Article.objects.filter(network=network, state=State.PUBLISHED, published_at__gt=now)
        .aggregate(first=Min("published_at"))
        .get("first")
    )
    if scheduled is not None:
        ends.append(scheduled)
    ends += [e["ends_at"] for e in upcoming]
    ends += [i["ends_at"] for i in items if i["source"] == EVENT]
    data = {
        "items": items,
        "next": str(next_cursor) if next_cursor else "",
        "pinned": _pinned(network),
        "waiting": _waiting(network),
        "upcoming": upcoming,
        "valid_until": min(ends),
    }
    seconds = max(1, int((data["valid_until"] - now).total_seconds()))
    caching.store(key, data, seconds)
    return data


def forget_stream(network_id: int) -> None:
    caching.forget(*[_key(network_id, audiences) for audiences in ALL_AUDIENCE_SETS])
