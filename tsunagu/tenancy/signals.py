"""What tenancy tells the apps above it, which it does not know."""

from __future__ import annotations

from django.dispatch import Signal

# A member opened their network (the login, a page's live connection, joining), and the visit
# passed the throttle of ``do_note_seen``: sent at most once a quarter hour per member, and
# always for the first visit of the network's day. Arguments: ``membership_id``, ``at``.
member_seen = Signal()
