"""What is each reader's own on a shared thread page (boards/pages.py): the resolvers of its
holes (core/shared.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import ngettext

from tsunagu.core.shared import Block, Resolver


def thread_page(
    page: Block,
    *,
    csrf: str,
    member_id: int,
    mine: set[tuple[int | None, str]],
    editable: bool,
    subscribed: bool,
    read_up_to: int | None,
    comment_seq: int,
    per_page: int,
    poll: Any = "",
    form: Any = "",
) -> dict[str, Resolver]:
    """The reader's token; the stamps they gave (``mine``: (comment id, stamp), None for the
    thread itself); the edit link on their own comments while the thread is open; their follow
    button; a jump to the first comment they have not been shown; their poll and comment form
    (HTML rendered for them)."""
    authors: dict[int, int | None] = page.facts["authors"]
    first_unread = None if read_up_to is None or read_up_to >= comment_seq else read_up_to + 1

    def pressed(target: str, stamp: str) -> bool:
        return (int(target) or None, stamp) in mine

    return {
        "csrf": lambda: csrf,
        "mine": lambda target, stamp: " stamp--mine" if pressed(target, stamp) else "",
        "pressed": lambda target, stamp: "true" if pressed(target, stamp) else "false",
        "own": lambda pk: editable and authors.get(int(pk)) == member_id,
        "following": lambda: subscribed,
        "not_following": lambda: not subscribed,
        "unread": lambda: first_unread is not None,
        "first_unread": lambda: first_unread,
        "first_unread_page": lambda: (first_unread - 1) // per_page + 1 if first_unread else 1,
        "poll": lambda: poll,
        "form": lambda: form,
    }


def thread_rows(unread: dict[int, int | None]) -> dict[str, Resolver]:
    """A thread list's marks of the reader: per thread id, the comments they have not been
    shown, or None when they never opened it (listing.ThreadRow.unread)."""

    def new_comments_label(pk: str) -> str:
        count = unread.get(int(pk)) or 0
        return ngettext("%(counter)s new", "%(counter)s new", count) % {"counter": count}

    return {
        "new_comments": lambda pk: bool(unread.get(int(pk))),
        "new_comments_label": new_comments_label,
        "unopened": lambda pk: int(pk) in unread and unread[int(pk)] is None,
    }
