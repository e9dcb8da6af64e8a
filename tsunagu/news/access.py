"""Who may see and do what with news and columns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404
from django.utils import timezone

from tsunagu.core.feedtokens import member_version
from tsunagu.core.sql import Rule
from tsunagu.tenancy.access import access_in_network, get_membership
from tsunagu.tenancy.models import Membership, Network, Status

from .models import MEMBER_KINDS, Article, Comment, Kind, NewsFeedKey, State
from .tokens import make_feed_token, read_feed_token


def kinds_for(member: Membership) -> list[tuple[str, Any]]:
    """The types of article a member may write: operators write every type."""
    if member.is_operator:
        return list(Kind.choices)
    return [(value, label) for value, label in Kind.choices if value in MEMBER_KINDS]


@dataclass(frozen=True)
class Published:
    """What every member reads: approved articles whose publishing time (``now``) has come.
    One definition, stated for the ORM (``q()``) and for a statement over the articles as
    ``a`` (``rule()``, in ``queries``)."""

    now: datetime

    def q(self) -> models.Q:
        return models.Q(state=State.PUBLISHED, published_at__lte=self.now)

    def rule(self) -> Rule:
        # As the ORM passes it: SQLite compares the text it stores.
        now = connection.ops.adapt_datetimefield_value(self.now)
        return Rule("(a.state = %s AND a.published_at <= %s)", (State.PUBLISHED, now))


def published(now: datetime | None = None) -> Published:
    return Published(now or timezone.now())


def published_articles(network_id: int) -> models.QuerySet[Article]:
    """What every member reads: approved articles whose publishing time has come."""
    return Article.objects.filter(published().q(), network_id=network_id)


def article_readers(article: Article) -> models.QuerySet[Membership]:
    """Who may read a published article: every active member of its network (filter_articles()
    lets each of them open it once its time has come)."""
    return Membership.objects.filter(network_id=article.network_id, status=Status.ACTIVE)


def filter_articles(member: Membership) -> models.QuerySet[Article]:
    """Articles the member may open: published ones, their own, and every one for operators."""
    qs = Article.objects.filter(network_id=member.network_id)
    if member.is_operator:
        return qs
    return qs.filter(published().q() | models.Q(author_id=member.pk))


def access_article(member: Membership, article_id: object) -> Article:
    """404 for another network's article, a missing one and one not yet published alike."""
    return access_in_network(
        member, filter_articles(member).select_related("author__user"), article_id
    )


def access_comment(member: Membership, comment_id: object) -> Comment:
    qs = Comment.objects.filter(article__in=filter_articles(member)).select_related("article")
    return access_in_network(member, qs, comment_id)


def can_edit(member: Membership, article: Article) -> bool:
    return member.is_operator or (member.is_active and article.author_id == member.pk)


def check_edit_permission(member: Membership, article: Article) -> None:
    if article.network_id != member.network_id or not can_edit(member, article):
        raise PermissionDenied


def check_kind_permission(member: Membership, kind: str) -> None:
    if kind not in {value for value, _label in kinds_for(member)}:
        raise PermissionDenied


def check_review_permission(member: Membership) -> None:
    if not member.is_operator:
        raise PermissionDenied


def can_delete_comment(member: Membership, comment: Comment) -> bool:
    return member.is_operator or comment.author_id == member.pk


# --- Feeds for feed readers -----------------------------------------------------------------------


def news_feed_version(member: Membership, found: dict[str, Any] | None = None) -> int:
    return member_version("news", NewsFeedKey, member, found)


def news_feed_token(member: Membership, found: dict[str, Any] | None = None) -> str:
    """The secret part of the member's RSS and Atom addresses, as they stand now; ``found``:
    what the page read of the cache already (``feedtokens.version_key("news", …)``)."""
    version = news_feed_version(member, found)
    return make_feed_token(member.user_id, member.network_id, version)


def access_news_feed(network: Network, token: str) -> Membership:
    """The active member a feed address belongs to; 404 for a token that is not valid, is
    another network's or another kind, was renewed since, or whose member has gone."""
    from tsunagu.accounts.models import User

    found = read_feed_token(token)
    if found is None or found[1] != network.pk:
        raise Http404
    user = User.objects.filter(pk=found[0], is_active=True).first()
    membership = get_membership(network, user) if user else None
    if membership is None or membership.status != Status.ACTIVE:
        raise Http404
    if found[2] != news_feed_version(membership):
        raise Http404
    membership.network = network
    return membership


def check_rotate_news_feed_permission(member: Membership) -> None:
    """Members renew their own addresses, and only while they are active."""
    if not member.is_active:
        raise PermissionDenied
