"""Assertions that a write moves a row's revision on, or leaves it (core/revisions.py).

As Misago's ``assert_invalidates_cache``: a test of a write that changes what a shared page
shows wraps the write in ``assert_bumps_revision(parent)``, and fails if the declaration that
should move the page on is missing or wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import Model
from django_scopes import scopes_disabled

from tsunagu.core.revisions import FIELD


def _revision(row: Model) -> int | None:
    with scopes_disabled():
        found = type(row)._base_manager.filter(pk=row.pk).values_list(FIELD, flat=True)
        return found.first()


@contextmanager
def assert_bumps_revision(row: Model) -> Iterator[None]:
    """Fails unless the block moves ``row``'s revision on (and the row is still there)."""
    before = _revision(row)
    yield
    after = _revision(row)
    name = f"{type(row).__name__} {row.pk}"
    assert after is not None, f"{name} is gone"
    assert before is not None and after > before, f"{name}: the revision stayed at {before}"


@contextmanager
def assert_keeps_revision(row: Model) -> Iterator[None]:
    """Fails if the block moves ``row``'s revision on: what its shared page shows is unchanged,
    and its readers keep reading the cached page."""
    before = _revision(row)
    yield
    after = _revision(row)
    assert after == before, f"{type(row).__name__} {row.pk}: the revision moved {before} → {after}"
