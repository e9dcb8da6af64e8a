"""Signals other apps may listen to (the insights count hires through ``hired``)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a hire is committed, with network_id, opportunity_id, application_id, kind (the
# opportunity's Kind value) and on (the date). Nothing in it names the person hired.
hired = Signal()
