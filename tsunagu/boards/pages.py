"""A page of a thread's comments, the same HTML for every reader, shared under the thread's
revision (core/shared.py): rendered from ``boards/_thread_content.html`` on a miss, and filled
per reader by the resolvers of ``boards/holes.py``.

The revision moves with every change to the thread, its comments, stamps or files
(``boards/apps.py``). Moderators and the asker see more (hidden comments, their forms), so they
have their own entries; the language and time zone are in the key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string

from tsunagu.core import caching, shared

from .models import Comment, Thread

PAGE_TIMEOUT = 10 * 60  # bounds how long a renamed author's old name can show


def thread_page(
    thread: Thread,
    number: int,
    *,
    request: Any,
    base: str,
    can_moderate: bool,
    is_asker: bool,
    load: Callable[
        [],
        tuple[
            Thread,
            list[Comment],
            dict[int | None, list[dict[str, Any]]],
            dict[int | None, list[Any]],
            bool,
        ],
    ],
    context: Callable[[Thread], dict[str, Any]],
) -> shared.Block:
    """The shared block of page ``number``, from the cache while the thread has not changed.

    ``load()`` returns the thread with what its header shows (category, author), the page's
    comments, their stamp counts, their files (keyed by comment id, None for the thread's own)
    and whether the thread has a poll; it is called only when the page is not cached.
    ``context(thread)`` adds what the page template needs beside them. The block's facts: the
    author of each comment shown, the number of the page's last comment, and whether the thread
    has a poll.
    """
    key = caching.key(
        "boards", "page", thread.pk, thread.revision, number,
        f"{int(can_moderate)}{int(is_asker)}", language=True, zone=True,
    )  # fmt: skip

    def build() -> shared.Block:
        full, comments, stamps, files, has_poll = load()
        for comment in comments:
            comment.stamps = stamps[comment.pk]  # type: ignore[attr-defined]
            comment.files = files.get(comment.pk, [])  # type: ignore[attr-defined]
        html = render_to_string(
            "boards/_thread_content.html",
            {
                **context(full),
                "thread": full,
                "thread_files": files.get(None, []),
                "thread_stamps": stamps[None],
                "comments": comments,
                "base": base,
                "has_poll": has_poll,
                "can_moderate": can_moderate,
                "is_asker": is_asker,
                "can_edit_thread": is_asker and not full.is_locked,
                "csrf_token": shared.hole("csrf"),
                # Only for {% nurl %}: no context processor runs, nothing of the reader leaks in.
                "request": request,
            },
        )
        return shared.Block(
            html,
            facts={
                "authors": {c.pk: c.author_id for c in comments},
                "last_number": comments[-1].number if comments else 0,
                "has_poll": has_poll,
            },
        )

    return shared.block(key, build, PAGE_TIMEOUT)
