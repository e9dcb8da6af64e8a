"""What is each reader's own in the feed's shared rows (feed/items.py): the resolvers of their
holes (core/shared.py)."""

from __future__ import annotations

from tsunagu.core.shared import Resolver


def items(
    *,
    new: set[tuple[str, str]],
    welcomes: dict[int, tuple[int, bool]],
    me: int,
    csrf: str,
) -> dict[str, Resolver]:
    """``new``: the (source, id) of the rows new since the reader's last visit; ``welcomes``:
    per newcomer, how many welcomed them and whether the reader did; ``me``: the reader's
    membership (no welcome stamp on their own arrival); their CSRF token."""

    def welcomed(pk: str) -> bool:
        return welcomes.get(int(pk), (0, False))[1]

    def count(pk: str) -> int:
        return welcomes.get(int(pk), (0, False))[0]

    return {
        "new": lambda source, pk: (source, pk) in new,
        "not_me": lambda pk: int(pk) != me,
        "csrf": lambda: csrf,
        "welcomed": lambda pk: "true" if welcomed(pk) else "false",
        "welcomed_class": lambda pk: " stamp--mine" if welcomed(pk) else "",
        "has_welcomes": lambda pk: count(pk) > 0,
        "welcomes": count,
    }
