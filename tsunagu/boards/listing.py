"""The thread lists of the board index and of a category, read for one member in one statement.

Through the ORM the list cost four queries (the count for the pager, the threads with their
category and author, the member's read marks) and most of the page's CPU in building them; the
database's own work is a fraction of a millisecond. Here it is one hand-written statement
(queries.thread_rows()), portable between SQLite and PostgreSQL, that keeps filter_threads()'s
rule (access.visible_threads()).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tsunagu.core import caching, shared
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.names import shown_member

from . import holes, queries
from .access import visible_threads
from .models import Category, Thread
from .queries import SHARED_FIELDS, ThreadRow

THREADS_PER_PAGE = 30
# Past this a page number is surely beyond the last page: it is never sent to the database.
PAGE_MAX = 1_000_000


@dataclass
class ThreadList:
    rows: list[ThreadRow]
    number: int  # of the page shown
    num_pages: int


def rows_html(rows: list[ThreadRow], boards_url: str) -> list[SafeString]:
    """The rows of a thread list for the reader: each row's HTML is shared by every reader and
    kept under what it shows (``boards/_thread_row.html``), the reader's unread marks are its
    holes (``holes.thread_rows``). ``boards_url``: the boards' address in the network."""

    return shared.rows(
        "boards:thread",
        rows,
        version=lambda row: shared.version_of(
            boards_url, *(getattr(row, name) for name in SHARED_FIELDS)
        ),
        render=lambda row: render_to_string(
            "boards/_thread_row.html", {"t": row, "boards_url": boards_url}
        ),
        resolvers=holes.thread_rows({row.pk: row.unread for row in rows}),
        where="boards:thread-list",
    )


def row_of(thread: Thread) -> ThreadRow:
    """The row of a thread read with the ORM (with its category and author, and ``unread`` set
    by ``actions.mark_unread``), for the lists that are not read by hand."""
    author = shown_member(thread.author)
    return ThreadRow(
        pk=thread.pk,
        kind=thread.kind,
        title=thread.title,
        is_pinned=thread.is_pinned,
        is_locked=thread.is_locked,
        is_hidden=thread.is_hidden,
        is_answered=thread.is_answered,
        last_activity_at=thread.last_activity_at,
        comment_count=thread.comment_count,
        category_name=thread.category.name,
        author_name=None if author is None else author.user.name,
        unread=thread.unread,  # type: ignore[attr-defined]
    )


def _page_number(raw: str | None) -> int:
    """The page asked for; 0 for one that can only mean the last page (as Paginator.get_page:
    a page number below 1 or past the end shows the last page, anything else the first)."""
    try:
        number = int(raw) if raw is not None else 1
    except ValueError:
        return 1
    return number if 0 < number <= PAGE_MAX else 0


def thread_list(
    member: Membership, raw_page: str | None, category_id: int | None = None
) -> ThreadList:
    """A page of the threads the member may see, newest activity first, pinned ones on top."""
    visible = visible_threads(member).rule()
    number = _page_number(raw_page)
    page: dict[str, Any] = {"visible": visible, "limit": THREADS_PER_PAGE}
    if number:
        offset = (number - 1) * THREADS_PER_PAGE
        found = queries.thread_rows(member, category_id, offset=offset, **page)
        if found.rows:
            return ThreadList(found.rows, number, _pages(found.total))
        if number == 1:
            return ThreadList([], 1, 1)
    # Past the end (or below 1): the last page, as Paginator.get_page() shows it.
    last = _pages(queries.thread_count(member, category_id, visible=visible))
    offset = (last - 1) * THREADS_PER_PAGE
    rows = queries.thread_rows(member, category_id, offset=offset, **page).rows
    return ThreadList(rows, last, last)


def _pages(total: int) -> int:
    return max(1, -(-int(total) // THREADS_PER_PAGE))


# The categories of a network change seldom and head every list page: they are kept in the
# cache as plain data until one is saved or deleted (signals.py).
CATEGORIES_TIMEOUT = 60 * 60


def categories_key(network_id: int) -> str:
    return caching.key("boards", "categories", network_id)


def categories_of(network_id: int, found: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The network's categories in their order, as dicts of id, name and description
    (``found``: what the caller read of categories_key() already)."""

    def load() -> list[Any]:
        return list(
            Category.objects.filter(network_id=network_id).values("id", "name", "description")
        )

    return caching.cached(categories_key(network_id), load, CATEGORIES_TIMEOUT, found=found)


def forget_categories(network_id: int) -> None:
    caching.forget(categories_key(network_id))
