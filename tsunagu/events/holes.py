"""What is each reader's own in the events' shared blocks: the resolvers of their holes
(core/shared.py)."""

from __future__ import annotations

from tsunagu.core.shared import Resolver


def list_rows(*, new: set[int], statuses: dict[int, str]) -> dict[str, Resolver]:
    """An event list's marks of the reader: the events new since their last visit, and their
    own registration's status (its label) on the events they applied to."""
    return {
        "new": lambda pk: int(pk) in new,
        "registered": lambda pk: bool(statuses.get(int(pk))),
        "status": lambda pk: statuses.get(int(pk), ""),
    }
