"""Revisions: a counter on a row that moves on whenever anything shown with it changes.

A page shared between readers (a thread's comments, a room's newest messages, an event's
participants, a survey's results) is cached under its parent's revision, which the page's
view reads with the row itself, at no extra cost. Each parent is declared once, in its app's
``ready()``:

    track_revision(Thread, children={Comment: "thread_id", Reaction: "thread_id"})

and from then on every save or delete of a child, and every save of the parent itself unless
``itself=False``, moves the parent's ``revision`` on, in the same transaction as the change: no
reader sees the change without the new revision, nor the new revision without the change. A
child names its parent by a field of its own (``"thread_id"``) or through another row
(``"message__room_id"``). Writes that send no signals (``bulk_create()``, ``update()``) call
``bump()`` or ``bump_where()`` themselves.

Tests use ``core.testing.revisions.assert_bumps_revision()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Model, Q
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

FIELD = "revision"


@dataclass(frozen=True)
class Child:
    """How a child names its parent, and whether creating one moves the parent on (a new talk
    message moves its room's ``last_seq`` instead)."""

    path: str
    created: bool = True


def track_revision(
    parent: type[Model],
    *,
    children: dict[type[Model], str | Child] | None = None,
    itself: bool = True,
) -> None:
    """Moves ``parent.revision`` on with every save or delete of one of ``children`` and, when
    ``itself``, every save of the parent but its creation."""
    if itself:

        def parent_saved(sender: type, instance: Model, created: bool, **kwargs: Any) -> None:
            if not created and not kwargs.get("raw"):
                bump(parent, instance.pk)

        post_save.connect(parent_saved, sender=parent, weak=False, dispatch_uid=_uid(parent))
    for model, spec in (children or {}).items():
        child = spec if isinstance(spec, Child) else Child(spec)
        _connect(parent, model, child)


def _uid(parent: type[Model], child: type[Model] | None = None) -> str:
    name = f"revision:{parent._meta.label}"
    return f"{name}:{child._meta.label}" if child is not None else name


def _connect(parent: type[Model], model: type[Model], child: Child) -> None:
    name, _sep, further = child.path.partition("__")
    link = model._meta.get_field(name)  # a foreign key, named by its field or its column
    through = link.related_model

    def changed(instance: Model, **kwargs: Any) -> None:
        if kwargs.get("raw") or (kwargs.get("created") and not child.created):
            return
        value = getattr(instance, link.attname)  # type: ignore[union-attr]
        if value is None:
            return
        if not further:
            bump(parent, value)
            return
        # Through another row: "message__room_id" is the room of the reaction's message.
        rows = through._base_manager.filter(pk=value)  # type: ignore[union-attr]
        bump_where(parent, Q(pk__in=rows.values(further)))

    def saved(sender: type, instance: Model, **kwargs: Any) -> None:
        changed(instance, **kwargs)

    def deleted(sender: type, instance: Model, **kwargs: Any) -> None:
        changed(instance, **kwargs)

    uid = _uid(parent, model)
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}:delete")


def bump(parent: type[Model], pk: object) -> None:
    """Moves one row's revision on (after a write that sent no signal)."""
    if pk is not None:
        bump_where(parent, Q(pk=pk))


def bump_where(parent: type[Model], *conditions: Q, **lookups: Any) -> None:
    """Moves the revision of every row matching the conditions on (a member who leaves: every
    thread they wrote in)."""
    with scopes_disabled():  # also from tasks and commands, outside a network's scope
        parent._base_manager.filter(*conditions, **lookups).update(**{FIELD: F(FIELD) + 1})
