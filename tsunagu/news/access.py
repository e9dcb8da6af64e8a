"""Who may see and do what with news and columns."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.models import Membership

from .models import MEMBER_KINDS, Article, Comment, Kind, State


def kinds_for(member: Membership) -> list[tuple[str, Any]]:
    """The types of article a member may write: operators write every type."""
    if member.is_operator:
        return list(Kind.choices)
    return [(value, label) for value, label in Kind.choices if value in MEMBER_KINDS]


def published_articles(network_id: int) -> models.QuerySet[Article]:
    """What every member reads: approved articles whose publishing time has come."""
    return Article.objects.filter(
        network_id=network_id, state=State.PUBLISHED, published_at__lte=timezone.now()
    )


def filter_articles(member: Membership) -> models.QuerySet[Article]:
    """Articles the member may open: published ones, their own, and every one for operators."""
    qs = Article.objects.filter(network_id=member.network_id)
    if member.is_operator:
        return qs
    return qs.filter(
        models.Q(state=State.PUBLISHED, published_at__lte=timezone.now())
        | models.Q(author_id=member.pk)
    )


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
