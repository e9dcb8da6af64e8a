"""Factories for board content. They work outside any network scope."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.boards.models import Category, Comment, Thread, ThreadKind
from tsunagu.tenancy.models import Membership, Network


def make_category(network: Network, name: str = "雑談", position: int = 0) -> Category:
    with scopes_disabled():
        return Category.objects.create(network=network, name=name, position=position)


def make_thread(
    author: Membership,
    *,
    category: Category | None = None,
    title: str = "業務効率化のツール、何を使っていますか？",
    body: str = "皆さんの会社で使っているツールを教えてください。",
    kind: str = ThreadKind.DISCUSSION,
    **extra: object,
) -> Thread:
    with scopes_disabled():
        category = category or Category.objects.filter(network=author.network).first()
        if category is None:
            category = make_category(author.network)
        return Thread.objects.create(
            network=author.network,
            category=category,
            author=author,
            title=title,
            body=body,
            kind=kind,
            **extra,
        )


def add_comments(thread: Thread, authors: list[Membership], count: int, text: str = "") -> None:
    """Appends ``count`` numbered comments in one bulk insert, keeping the thread's counters."""
    with scopes_disabled():
        start = Thread.objects.filter(pk=thread.pk).values_list("comment_seq", flat=True).get()
        now = timezone.now()
        rows = []
        for i in range(count):
            number = start + i + 1
            comment = Comment(
                network_id=thread.network_id,
                thread=thread,
                number=number,
                author=authors[i % len(authors)],
                body=text or f"コメント {number} です。よろしくお願いします。",
                created_at=now - timedelta(seconds=count - i),
            )
            comment.body_html = f"<p>{comment.body}</p>"
            rows.append(comment)
        Comment.objects.bulk_create(rows, batch_size=500)
        Thread.objects.filter(pk=thread.pk).update(
            comment_seq=F("comment_seq") + count,
            comment_count=F("comment_count") + count,
            revision=F("revision") + 1,  # bulk inserts send no signals
            last_activity_at=now,
        )
        thread.refresh_from_db()
