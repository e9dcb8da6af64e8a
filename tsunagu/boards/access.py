"""Who may see and do what on the boards."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from tsunagu.core.sql import object_id
from tsunagu.tenancy.access import access_in_network, may_moderate
from tsunagu.tenancy.models import Membership

from . import queries
from .models import Attachment, Category, Comment, Report, Thread


def can_moderate(member: Membership) -> bool:
    """Operators, and supporters where the network lets them (tenancy.access.may_moderate):
    the report queue, hiding, locking, pinning, moving, and seeing what is hidden."""
    return may_moderate(member)


def check_moderate_permission(member: Membership) -> None:
    if not can_moderate(member):
        raise PermissionDenied


def filter_threads(member: Membership) -> models.QuerySet[Thread]:
    """Threads the member may see: hidden ones only for moderators."""
    qs = Thread.objects.filter(network_id=member.network_id)
    if not can_moderate(member):
        qs = qs.filter(is_hidden=False)
    return qs


def access_category(member: Membership, category_id: object) -> Category:
    return access_in_network(member, Category.objects.all(), category_id)


def access_thread(member: Membership, thread_id: object) -> Thread:
    return access_in_network(
        member,
        filter_threads(member).select_related("category", "author__user", "poll"),
        thread_id,
    )


def access_thread_for_reader(member: Membership, thread_id: object) -> Thread:
    """The thread with what the reader's page needs of their own: ``subscribed`` and
    ``read_up_to`` (the last comment number they were shown, None before their first visit).

    The most read page of the boards starts here, so this is one hand-written statement: built
    by the ORM, with its two subqueries, it cost five times as much CPU as the database's work.
    It keeps filter_threads()'s rules: this network only, hidden threads for moderators only.
    """
    pk = object_id(thread_id)
    thread = queries.reader_thread(member, pk, moderator=can_moderate(member))
    if thread is None:
        raise Http404
    thread.subscribed = bool(thread.subscribed)  # type: ignore[attr-defined]  # SQLite: 0/1
    return thread


def access_comment(member: Membership, comment_id: object) -> Comment:
    """A comment whose thread the member may see; a hidden one only for moderators."""
    qs = Comment.objects.select_related("thread", "author__user")
    if not can_moderate(member):
        qs = qs.filter(is_hidden=False, thread__is_hidden=False)
    return access_in_network(member, qs, comment_id)


def access_report(member: Membership, report_id: object) -> Report:
    check_moderate_permission(member)
    return access_in_network(member, Report.objects.all(), report_id)


def check_comment_permission(member: Membership, thread: Thread) -> None:
    if thread.is_locked:
        raise PermissionDenied


def check_edit_permission(member: Membership, thread: Thread, author_id: int | None) -> None:
    """Only the author edits a post, and nobody edits inside a locked thread."""
    if author_id != member.pk or thread.is_locked:
        raise PermissionDenied


def check_best_answer_permission(member: Membership, comment: Comment) -> None:
    thread = comment.thread
    if not thread.is_consultation or thread.author_id != member.pk:
        raise PermissionDenied
    if comment.is_hidden or comment.author_id == member.pk:
        raise Http404


def access_attachment(member: Membership, attachment_id: object) -> Attachment:
    """A file of a post the member may see: hidden threads and comments only for moderators."""
    qs = Attachment.objects.all()
    if not can_moderate(member):
        qs = qs.filter(thread__is_hidden=False).exclude(comment__is_hidden=True)
    return access_in_network(member, qs, attachment_id)
