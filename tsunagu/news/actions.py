"""Every write on news and columns."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tsunagu.boards.models import Stamp
from tsunagu.core.feedtokens import forget_version
from tsunagu.notify.actions import notify
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.access import filter_active_members
from tsunagu.tenancy.models import Membership, Network, Role

from .access import (
    article_readers,
    can_delete_comment,
    check_edit_permission,
    check_kind_permission,
    check_review_permission,
    check_rotate_news_feed_permission,
    news_feed_version,
)
from .models import Article, Comment, NewsFeedKey, NewsSettings, Reaction, State, Tag


def article_url(article: Article, slug: str) -> str:
    return reverse("news:detail", kwargs={"network_slug": slug, "article_id": article.pk})


def needs_approval(network: Network) -> bool:
    found = NewsSettings.objects.filter(network=network).values_list(
        "member_articles_need_approval", flat=True
    )
    return next(iter(found), True)


def _set_tags(article: Article, tags: list[str]) -> None:
    Tag.objects.filter(article=article).delete()
    Tag.objects.bulk_create(
        Tag(network_id=article.network_id, article=article, name=name, normalized=normalize(name))
        for name in tags
    )
    article.search_text = article.index_text(tags)
    Article.objects.filter(pk=article.pk).update(search_text=article.search_text)


def _announce(article: Article) -> None:
    """Tells the members who may read a newly visible article, once (``notified_at``)."""
    claimed = Article.objects.filter(pk=article.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return
    network = article.network
    author = article.author.user if article.author is not None else None
    notify(
        network,
        article_readers(article).values_list("user_id", flat=True),
        "news_published",
        params={"title": article.title},
        url=article_url(article, network.slug),
        actor=author,
    )


def _ask_for_approval(member: Membership, article: Article) -> None:
    operators = filter_active_members(member.network).filter(role=Role.OPERATOR)
    notify(
        member.network,
        list(operators.values_list("user_id", flat=True)),
        "news_pending",
        params={"actor": member.user.name, "title": article.title},
        url=reverse("news:manage", kwargs={"network_slug": member.network.slug}),
        actor=member.user,
    )


@transaction.atomic
def do_create_article(
    member: Membership,
    *,
    kind: str,
    title: str,
    body: str,
    tags: list[str] | None = None,
    cover: UploadedFile | None = None,
    published_at: datetime | None = None,
) -> Article:
    """Publishes (or schedules) an article; a member's waits for an operator where required."""
    check_kind_permission(member, kind)
    pending = not member.is_operator and needs_approval(member.network)
    article = Article(
        network=member.network,
        author=member,
        kind=kind,
        title=title,
        body=body,
        state=State.PENDING if pending else State.PUBLISHED,
        published_at=published_at or timezone.now(),
    )
    if cover is not None:
        article.cover.save(cover.name or "cover", cover, save=False)
    article.save()
    _set_tags(article, tags or [])
    if pending:
        _ask_for_approval(member, article)
    elif article.is_visible:
        _announce(article)
    # A scheduled article is announced by ``tasks.announce_due_articles`` when its time comes.
    return article


@transaction.atomic
def do_edit_article(
    member: Membership,
    article: Article,
    *,
    kind: str,
    title: str,
    body: str,
    tags: list[str],
    cover: UploadedFile | None | bool = None,
    published_at: datetime | None = None,
) -> Article:
    """Saves an edit. A member's edit of an approved article goes back to the operators."""
    check_edit_permission(member, article)
    check_kind_permission(member, kind)
    article.kind, article.title, article.body = kind, title, body
    if published_at is not None and article.notified_at is None:
        article.published_at = published_at
    previous = article.cover.name if article.cover else ""
    if cover is False:
        article.cover = ""
    elif cover:
        article.cover.save(cover.name or "cover", cover, save=False)  # type: ignore[union-attr]
    if previous and previous != article.cover.name:
        storage = article.cover.storage
        transaction.on_commit(lambda: storage.delete(previous))
    resubmitted = (
        not member.is_operator and article.state != State.PENDING and needs_approval(member.network)
    )
    if resubmitted:
        article.state = State.PENDING
    article.edited_at = timezone.now()
    article.save()
    _set_tags(article, tags)
    if resubmitted:
        _ask_for_approval(member, article)
    elif article.is_visible:
        _announce(article)
    return article


@transaction.atomic
def do_review_article(member: Membership, article: Article, *, approve: bool) -> None:
    """An operator approves a member's article (it is published) or turns it down."""
    check_review_permission(member)
    locked = Article.objects.select_for_update().filter(pk=article.pk, network=member.network)
    article = locked.first()  # type: ignore[assignment]
    if article is None:
        raise Http404  # deleted by its author while the operator was deciding
    if article.state != State.PENDING:
        return  # another operator decided first
    article.state = State.PUBLISHED if approve else State.REJECTED
    article.reviewed_by = member
    if approve and article.published_at < timezone.now():
        article.published_at = (
            timezone.now()
        )  # at the top of the lists, not buried by its draft date
    article.save(update_fields=["state", "reviewed_by", "published_at"])
    if article.author is not None:
        notify(
            member.network,
            [article.author.user_id],
            "news_approved" if approve else "news_rejected",
            params={"title": article.title},
            url=article_url(article, member.network.slug),
            actor=member.user,
        )
    if approve and article.is_visible:
        _announce(article)


@transaction.atomic
def do_delete_article(member: Membership, article: Article) -> None:
    check_edit_permission(member, article)
    if article.cover:
        name = article.cover.name
        storage = article.cover.storage
        transaction.on_commit(lambda: storage.delete(name))
    article.delete()


def do_set_pinned(member: Membership, article: Article, pinned: bool) -> None:
    check_review_permission(member)
    article.is_pinned = pinned
    article.save(update_fields=["is_pinned"])


def do_toggle_reaction(member: Membership, article: Article, stamp: str) -> bool:
    """Adds the member's stamp, or takes it back; True when it now exists."""
    if stamp not in Stamp.values:
        raise ValueError(stamp)
    with transaction.atomic():
        if Reaction.objects.filter(article=article, member=member, stamp=stamp).delete()[0]:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(
                    network=member.network, article=article, member=member, stamp=stamp
                )
        except IntegrityError:  # a double click: the first one won
            pass
        return True


def reaction_summary(article: Article, member: Membership) -> list[dict[str, object]]:
    """Every stamp with its count and whether the member gave it, in one query."""
    rows = (
        Reaction.objects.filter(article=article)
        .values("stamp")
        .annotate(n=Count("id"), mine=Count("id", filter=Q(member=member)))
    )
    given = {row["stamp"]: (row["n"], row["mine"] > 0) for row in rows}
    return [
        {
            "stamp": value,
            "emoji": label,
            "count": given.get(value, (0, False))[0],
            "mine": given.get(value, (0, False))[1],
        }
        for value, label in Stamp.choices
    ]


@transaction.atomic
def do_add_comment(member: Membership, article: Article, *, body: str) -> Comment:
    comment = Comment.objects.create(
        network=member.network, article=article, author=member, body=body
    )
    Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + 1)
    if article.author is not None and article.author_id != member.pk:
        notify(
            member.network,
            [article.author.user_id],
            "news_comment",
            params={"actor": member.user.name, "title": article.title},
            url=article_url(article, member.network.slug) + f"#comment-{comment.pk}",
            actor=member.user,
        )
    return comment


@transaction.atomic
def do_delete_comment(member: Membership, comment: Comment) -> None:
    if not can_delete_comment(member, comment):
        raise PermissionDenied
    Article.objects.filter(pk=comment.article_id).update(comment_count=F("comment_count") - 1)
    comment.delete()


def do_save_settings(member: Membership, need_approval: bool) -> None:
    check_review_permission(member)
    NewsSettings.objects.update_or_create(
        network=member.network, defaults={"member_articles_need_approval": need_approval}
    )


@transaction.atomic
def do_rotate_news_feed(member: Membership) -> int:
    """New RSS and Atom addresses for the member; the old ones answer 404 from now on.
    Returns the new version."""
    check_rotate_news_feed_permission(member)
    key, _created = NewsFeedKey.objects.get_or_create(
        network_id=member.network_id, membership=member
    )
    NewsFeedKey.objects.filter(pk=key.pk).update(version=F("version") + 1)
    forget_version("news", member.pk)
    return news_feed_version(member, found={})  # from the database: the entry is gone
