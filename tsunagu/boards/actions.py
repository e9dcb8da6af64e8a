"""Every write on the boards."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.notify.actions import notify
from tsunagu.notify.mentions import mentioned_members
from tsunagu.profiles.indexing import members_with_matching_tags
from tsunagu.realtime.events import send_event
from tsunagu.tenancy.access import check_operator_permission, filter_active_members
from tsunagu.tenancy.models import Membership, Role

from .access import (
    check_best_answer_permission,
    check_comment_permission,
    check_edit_permission,
    check_moderate_permission,
)
from .files import inspect_upload
from .models import (
    Attachment,
    Category,
    Comment,
    Poll,
    PollOption,
    PollVote,
    Reaction,
    Report,
    Revision,
    Stamp,
    Subscription,
    Thread,
    ThreadKind,
    ThreadRead,
)
from .queries import own_stamps as own_stamps  # read by the thread page


def comment_url(comment: Comment, slug: str) -> str:
    return reverse("boards:comment_goto", kwargs={"network_slug": slug, "comment_id": comment.pk})


def thread_url(thread: Thread, slug: str) -> str:
    return reverse("boards:thread", kwargs={"network_slug": slug, "thread_id": thread.pk})


def _attach(
    member: Membership, thread: Thread, comment: Comment | None, upload: UploadedFile
) -> Attachment:
    # Forms checked and re-encoded it already (it is then stored as it is); this is the rule.
    upload, content_type, is_image = inspect_upload(upload)
    name = os.path.basename(upload.name or "file")[-200:] or "file"
    attachment = Attachment(
        network=member.network,
        thread=thread,
        comment=comment,
        uploader=member,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        is_image=is_image,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def _subscribe(member: Membership, thread: Thread) -> None:
    Subscription.objects.get_or_create(network=member.network, thread=thread, member=member)


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: list[str]
    multiple: bool = False
    closes_at: datetime | None = None


@transaction.atomic
def do_create_thread(
    member: Membership,
    *,
    category: Category,
    kind: str,
    title: str,
    body: str,
    poll: PollSpec | None = None,
    attachment: UploadedFile | None = None,
) -> Thread:
    assert category.network_id == member.network_id
    thread = Thread.objects.create(
        network=member.network, category=category, kind=kind, author=member, title=title, body=body
    )
    if attachment is not None:
        _attach(member, thread, None, attachment)
    if poll is not None:
        created = Poll.objects.create(
            network=member.network,
            thread=thread,
            question=poll.question,
            multiple=poll.multiple,
            closes_at=poll.closes_at,
        )
        PollOption.objects.bulk_create(
            PollOption(network=member.network, poll=created, text=text, position=i)
            for i, text in enumerate(poll.options)
        )
    _subscribe(member, thread)
    slug = member.network.slug
    params = {"actor": member.user.name, "title": thread.title}
    mentioned = set(mentioned_members(member, body).values_list("user_id", flat=True))
    if mentioned:
        notify(
            member.network,
            mentioned,
            "boards_mention",
            params=params,
            url=thread_url(thread, slug),
            actor=member.user,
        )
    if kind == ThreadKind.CONSULTATION:
        # Supporters and operators welcome and answer; they hear of every new consultation.
        helpers = set(
            filter_active_members(member.network)
            .filter(role__in=[Role.SUPPORTER, Role.OPERATOR])
            .values_list("user_id", flat=True)
        )
        # And so do the members whose shared skills or interests the consultation names.
        helpers |= members_with_matching_tags(member.network_id, f"{title}\n{body}")
        helpers.discard(member.user_id)
        if helpers - mentioned:
            notify(
                member.network,
                helpers - mentioned,
                "boards_consultation",
                params=params,
                url=thread_url(thread, slug),
                actor=member.user,
            )
    return thread


@transaction.atomic
def do_add_comment(
    member: Membership,
    thread: Thread,
    *,
    body: str,
    parent: Comment | None = None,
    attachment: UploadedFile | None = None,
) -> Comment:
    check_comment_permission(member, thread)
    if parent is not None:
        assert parent.thread_id == thread.pk
        parent_id = parent.parent_id or parent.pk  # replies stay one level deep
    else:
        parent_id = None
    now = timezone.now()
    # One UPDATE both numbers the comment and locks the thread's row until commit, so two
    # comments posted at once never get the same number.
    Thread.objects.filter(pk=thread.pk).update(
        comment_seq=F("comment_seq") + 1,
        comment_count=F("comment_count") + 1,
        last_activity_at=now,
    )
    number = Thread.objects.filter(pk=thread.pk).values_list("comment_seq", flat=True).get()
    comment = Comment.objects.create(
        network=member.network,
        thread=thread,
        number=number,
        author=member,
        parent_id=parent_id,
        body=body,
        created_at=now,
    )
    if attachment is not None:
        _attach(member, thread, comment, attachment)
    thread.comment_seq = number
    thread.comment_count += 1
    thread.last_activity_at = now
    _subscribe(member, thread)
    slug = member.network.slug
    url = comment_url(comment, slug)
    params = {"actor": member.user.name, "title": thread.title}
    mentioned = set(mentioned_members(member, body).values_list("user_id", flat=True))
    if mentioned:
        notify(
            member.network, mentioned, "boards_mention", params=params, url=url, actor=member.user
        )
    followers = set(
        Subscription.objects.filter(thread=thread).values_list("member__user_id", flat=True)
    )
    # Open pages of the thread offer the new comment without a reload (boards/thread.js).
    send_event(
        member.network,
        {"type": "boards.comment", "thread": thread.pk, "number": number},
        followers - {member.user_id},
    )
    followers -= mentioned
    if followers:
        notify(
            member.network,
            followers,
            "boards_comment",
            params=params,
            body=body[:200],
            url=url,
            actor=member.user,
        )
    return comment


@transaction.atomic
def do_edit_thread(member: Membership, thread: Thread, *, title: str, body: str) -> Thread:
    check_edit_permission(member, thread, thread.author_id)
    if (title, body) == (thread.title, thread.body):
        return thread
    old = Thread.objects.filter(pk=thread.pk).values("title", "body").get()
    Revision.objects.create(
        network=member.network, thread=thread, editor=member, title=old["title"], body=old["body"]
    )
    thread.title, thread.body, thread.edited_at = title, body, timezone.now()
    thread.save(update_fields=["title", "body", "edited_at"])
    return thread


@transaction.atomic
def do_edit_comment(member: Membership, comment: Comment, *, body: str) -> Comment:
    check_edit_permission(member, comment.thread, comment.author_id)
    if body == comment.body:
        return comment
    old = Comment.objects.filter(pk=comment.pk).values_list("body", flat=True).get()
    Revision.objects.create(
        network=member.network, thread=comment.thread, comment=comment, editor=member, body=old
    )
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    return comment


def do_toggle_reaction(
    member: Membership, thread: Thread, comment: Comment | None, stamp: str
) -> bool:
    """Adds the member's stamp, or takes it back when it is there; True when it now exists."""
    if stamp not in Stamp.values:
        raise ValueError(stamp)
    with transaction.atomic():
        existing = Reaction.objects.filter(
            thread=thread, comment=comment, member=member, stamp=stamp
        )
        if existing.delete()[0]:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(
                    network=member.network,
                    thread=thread,
                    comment=comment,
                    member=member,
                    stamp=stamp,
                )
        except IntegrityError:  # a double click: the first one won
            pass
        return True


def do_set_subscription(member: Membership, thread: Thread, subscribed: bool) -> None:
    if subscribed:
        try:
            with transaction.atomic():
                _subscribe(member, thread)
        except IntegrityError:
            pass
    else:
        Subscription.objects.filter(thread=thread, member=member).delete()


@transaction.atomic
def do_mark_best_answer(member: Membership, comment: Comment) -> bool:
    """The asker chooses (or, choosing it again, withdraws) the most helpful answer."""
    check_best_answer_permission(member, comment)
    thread = comment.thread
    if thread.best_answer_id == comment.pk:
        thread.best_answer, thread.is_answered = None, False
        thread.save(update_fields=["best_answer", "is_answered"])
        return False
    thread.best_answer, thread.is_answered = comment, True
    thread.save(update_fields=["best_answer", "is_answered"])
    if comment.author is not None:
        notify(
            member.network,
            [comment.author.user_id],
            "boards_best_answer",
            params={"actor": member.user.name, "title": thread.title},
            url=comment_url(comment, member.network.slug),
            actor=member.user,
        )
    return True


# --- Moderation ----------------------------------------------------------------------------


@transaction.atomic
def do_moderate_thread(
    member: Membership, thread: Thread, action: str, category: Category | None = None
) -> None:
    check_moderate_permission(member)
    flags = {
        "pin": ("is_pinned", True),
        "unpin": ("is_pinned", False),
        "lock": ("is_locked", True),
        "unlock": ("is_locked", False),
        "hide": ("is_hidden", True),
        "unhide": ("is_hidden", False),
    }
    if action in flags:
        field, value = flags[action]
        setattr(thread, field, value)
        thread.save(update_fields=[field])
    elif action == "move" and category is not None:
        assert category.network_id == member.network_id
        thread.category = category
        thread.save(update_fields=["category"])
    else:
        raise ValueError(action)


@transaction.atomic
def do_set_comment_hidden(member: Membership, comment: Comment, hidden: bool) -> None:
    check_moderate_permission(member)
    if comment.is_hidden == hidden:
        return
    comment.is_hidden = hidden
    comment.save(update_fields=["is_hidden"])
    Thread.objects.filter(pk=comment.thread_id).update(
        comment_count=F("comment_count") + (-1 if hidden else 1)
    )
    if hidden and comment.thread.best_answer_id == comment.pk:
        Thread.objects.filter(pk=comment.thread_id).update(best_answer=None, is_answered=False)


def do_report(member: Membership, thread: Thread, comment: Comment | None, reason: str) -> Report:
    """Files a report; a member's second report of the same post updates the open one."""
    with transaction.atomic():
        mine = Report.objects.filter(thread=thread, reporter=member, resolved_at__isnull=True)
        mine = mine.filter(comment=comment) if comment else mine.filter(comment__isnull=True)
        report = mine.first()
        if report is not None:
            report.reason = reason
            report.save(update_fields=["reason"])
            return report
        return Report.objects.create(
            network=member.network, thread=thread, comment=comment, reporter=member, reason=reason
        )


@transaction.atomic
def do_resolve_report(member: Membership, report: Report, outcome: str) -> None:
    """Hides the reported post or leaves it; every open report of the same post is closed."""
    check_moderate_permission(member)
    if outcome not in Report.Outcome.values:
        raise ValueError(outcome)
    if outcome == Report.Outcome.HIDDEN:
        if report.comment_id is not None:
            comment = Comment.objects.select_related("thread").get(pk=report.comment_id)
            do_set_comment_hidden(member, comment, True)
        else:
            thread = Thread.objects.get(pk=report.thread_id)
            do_moderate_thread(member, thread, "hide")
    same_post = Report.objects.filter(
        network=member.network, thread_id=report.thread_id, resolved_at__isnull=True
    )
    if report.comment_id is None:
        same_post = same_post.filter(comment__isnull=True)
    else:
        same_post = same_post.filter(comment_id=report.comment_id)
    same_post.update(resolved_at=timezone.now(), resolved_by=member, outcome=outcome)


@transaction.atomic
def do_save_category(member: Membership, category: Category) -> Category:
    # The boards' structure stays with the operators; supporters who moderate do not change it.
    check_operator_permission(member)
    category.network = member.network
    category.save()
    return category


def mark_unread(member: Membership, threads: list[Thread]) -> None:
    """Sets ``unread`` on each thread, as the board index shows it: the comments the member has
    not been shown, or None for a thread they never opened. One query."""
    seen = dict(
        ThreadRead.objects.filter(member=member, thread__in=[t.pk for t in threads]).values_list(
            "thread_id", "last_number"
        )
    )
    for thread in threads:
        last = seen.get(thread.pk)
        thread.unread = None if last is None else max(0, thread.comment_seq - last)  # type: ignore[attr-defined]


def reaction_summary(
    thread: Thread, comment_ids: Iterable[int], member: Membership | None
) -> dict[int | None, list[dict[str, object]]]:
    """Stamps per target (None: the thread), with counts and whether the member gave each
    (never, without a member)."""
    from django.db.models import Count, Q, Value

    ids = list(comment_ids)
    mine = Count("id", filter=Q(member=member)) if member is not None else Value(0)
    rows = (
        Reaction.objects.filter(thread=thread)
        .filter(Q(comment__isnull=True) | Q(comment_id__in=ids))
        .values("comment_id", "stamp")
        .annotate(n=Count("id"), mine=mine)
    )
    found: dict[int | None, dict[str, tuple[int, bool]]] = {}
    for row in rows:
        found.setdefault(row["comment_id"], {})[row["stamp"]] = (row["n"], row["mine"] > 0)
    summary: dict[int | None, list[dict[str, object]]] = {}
    for target in [None, *ids]:
        given = found.get(target, {})
        summary[target] = [
            {
                "stamp": value,
                "emoji": label,
                "count": given.get(value, (0, False))[0],
                "mine": given.get(value, (0, False))[1],
            }
            for value, label in Stamp.choices
        ]
    return summary


@transaction.atomic
def do_vote(member: Membership, poll: Poll, option_ids: list[int]) -> None:
    """Records the member's one and only vote; raises ValidationError with the reason otherwise."""
    # Locks the poll's row: two votes of one member at once cannot both pass the checks below.
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.is_closed:
        raise ValidationError(_("This poll is closed."))
    if PollVote.objects.filter(poll=poll, member=member).exists():
        raise ValidationError(_("You have already voted in this poll."))
    chosen = list(PollOption.objects.filter(poll=poll, pk__in=set(option_ids)))
    if not chosen or len(chosen) != len(set(option_ids)):
        raise ValidationError(_("Choose one of the options."))
    if len(chosen) > 1 and not poll.multiple:
        raise ValidationError(_("This poll allows only one answer."))
    PollVote.objects.bulk_create(
        PollVote(network=member.network, poll=poll, option=option, member=member)
        for option in chosen
    )
    PollOption.objects.filter(pk__in=[o.pk for o in chosen]).update(vote_count=F("vote_count") + 1)
    Poll.objects.filter(pk=poll.pk).update(voter_count=F("voter_count") + 1)


def do_mark_read(member: Membership, thread: Thread, up_to: int, known: int | None) -> None:
    """Remembers that the member has seen comments up to ``up_to``; never moves backwards.

    ``known`` is what the page already read (None: no row yet), so a page that shows nothing new
    writes nothing.
    """
    if known is not None and known >= up_to:
        return
    if known is None:
        # One statement, no savepoint; if another tab got there first, its row stays and the
        # next page view moves it on.
        ThreadRead.objects.bulk_create(
            [ThreadRead(network=member.network, thread=thread, member=member, last_number=up_to)],
            ignore_conflicts=True,
        )
        return
    ThreadRead.objects.filter(thread=thread, member=member, last_number__lt=up_to).update(
        last_number=up_to, updated_at=timezone.now()
    )
