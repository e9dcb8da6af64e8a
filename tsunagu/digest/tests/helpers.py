"""Small builders for the digest's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.digest import tasks
from tsunagu.news.models import Article, State
from tsunagu.tenancy.models import Membership, Network


@pytest.fixture
def any_hour(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Digests go from 8:00 in the member's day; the tests run at any hour."""
    monkeypatch.setattr(tasks, "SEND_HOUR", 0)
    yield


@pytest.fixture
def settled(world: Any) -> Any:
    """The world's members joined two months ago: nobody waits for a welcome any more."""
    from datetime import timedelta

    with scopes_disabled():
        Membership.objects.update(created_at=timezone.now() - timedelta(days=60))
    return world


def make_article(author: Membership, title: str, **fields: Any) -> Article:
    fields.setdefault("kind", "company_news")
    fields.setdefault("body", "本文です。")
    with scopes_disabled():
        return Article.objects.create(
            network_id=author.network_id,
            author=author,
            title=title,
            state=State.PUBLISHED,
            published_at=timezone.now(),
            **fields,
        )


def run_digests(network: Network) -> int:
    return tasks.plan_network_digests(network.pk)


def mails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def text_of(message: Any) -> str:
    """The text and the HTML of a mail, for "does it say …" checks."""
    html = "".join(str(body) for body, _kind in getattr(message, "alternatives", []))
    return f"{message.subject}\n{message.body}\n{html}"
