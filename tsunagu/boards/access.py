"""Who may see and do what on the boards."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from tsunagu.core.sql import Rule, column, object_id
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


@dataclass(frozen=True)
class VisibleThreads:
    """Which threads a member may see: their network's, hidden ones only for moderators. One
    definition, stated for the ORM (``q()``) and for a statement over ``boards_thread t``
    (``rule()``, in ``queries``)."""

    network_id: int
    moderator: bool

    def q(self) -> models.Q:
        q = models.Q(network_id=self.network_id)
        return q if self.moderator else q & models.Q(is_hidden=False)

    def rule(self) -> Rule:
        network = f"t.{column(Thread, 'network')} = %s"
        if self.moderator:
            return Rule(network, (self.network_id,))
        shown = f"NOT t.{column(Thread, 'is_hidden')}"
        return Rule(f"{network} AND {shown}", (self.network_id,))


def visible_threads(member: Membership) -> VisibleThreads:
    return VisibleThreads(member.network_id, can_moderate(member))


def filter_threads(member: Membership) -> models.QuerySet[Thread]:
    """Threads the member may see: hidden ones only for moderators."""
    return Thread.objects.filter(visible_threads(member).q())


def access_category(member: Membership, category_id: object) -> Category:
    return access_in_network(member, Category.objects.all(), category_id)


def access_thread(member: Membership, thread_id: object) -> Thread:
    return access_in_network(
        member,
        filter_threads(member).select_related("category", "author__user", "poll"),
        thread_id,
    )


def access_thread_for_reader(member: Membership, thread_id: object) -> queries.ReaderThread:
    """The thread with what the reader's page needs of their own: whether they follow it and
    the last comment number they were shown (queries.ReaderThread).

    The most read page of the boards starts here, so this is one hand-written statement: built
    by the ORM, with its two subqueries, it cost five times as much CPU as the database's work.
    It keeps filter_threads()'s rule, visible_threads().
    """
    found = queries.reader_thread(member, object_id(thread_id), visible_threads(member).rule())
    if found is None:
        raise Http404
    return found


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
