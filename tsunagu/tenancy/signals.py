"""What tenancy tells the apps above it, which it does not know."""

from __future__ import annotations

from django.dispatch import Signal

# A member opened their network (the login, a page's live connection, joining), and the visit
# passed the throttle of ``do_note_seen``: sent at most once a quarter hour per member, and
# always for the first visit of the network's day. Arguments: ``membership_id``, ``at``.
member_seen = Signal()

# Memberships were written in bulk (``bulk_create``/``bulk_update`` skip ``post_save``): the
# apps that keep figures about a network's members count them again. Argument: ``network_id``.
members_written_in_bulk = Signal()
