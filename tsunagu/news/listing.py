"""The news list's pages, numbered as django.core.paginator's get_page() numbers them.

The list is read with hand-written statements (queries.py) that take their rule from
access.Published (published_articles()'s): this network only, approved articles whose publishing
time has come.
"""

from __future__ import annotations

from tsunagu.core import shared
from tsunagu.core.paging import Page
from tsunagu.tenancy.models import Membership

from . import queries
from .access import published
from .queries import PER_PAGE
from .queries import Row as Row  # what a row of the list shows (news/_row.html)
from .queries import Waiting as Waiting
from .queries import pending_count as pending_count  # read by the list page


def row_version(row: Row) -> str:
    """Changes whenever the row's HTML would: it names every field the row shows (the title, the
    kind, the pin, the count of comments, the author's name, the tags, the publishing time)."""
    return f"{row.pk}:{shared.version_of(row)}"


def articles_page(network_id: int, *, kind: str, tag: str, number: object) -> Page[Row]:
    """The page ``number`` of the list; like Paginator.get_page(), a number that is not one
    gives the first page and one out of range the last."""
    articles = queries.listed(network_id, published().rule(), kind, tag)
    try:
        wanted = int(str(number)) if number is not None else 1
    except ValueError:
        wanted = 1
    if 1 <= wanted < 2**31:
        rows, total = queries.page_rows(articles, (wanted - 1) * PER_PAGE)
        if rows or wanted == 1:
            return Page(rows, wanted, max(1, -(-total // PER_PAGE)))
    # Out of range (rare): count, then show the last page.
    total = queries.article_count(articles)
    last = max(1, -(-total // PER_PAGE))
    rows, total = queries.page_rows(articles, (last - 1) * PER_PAGE)
    return Page(rows, last, max(1, -(-total // PER_PAGE)))


def own_waiting(member: Membership) -> list[Waiting]:
    """The member's latest articles that others cannot read yet."""
    return queries.own_waiting(member, published().rule())
