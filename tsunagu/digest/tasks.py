"""Sending the digests: a beat task finds each network's members who are due, in chunks that
several workers share; each member's digest is claimed (a DigestSent row) before it is sent,
so a restarted run, a second worker or a task the broker delivered twice sends no one twice."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import Enum

from celery import Task, shared_task
from django.db.models import Max
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts import delivery
from tsunagu.accounts.models import UndeliverableAddress
from tsunagu.tenancy.models import Membership, Network, Status

from .content import INTERVALS, Batch, Digest, build_digest, since_for, since_of
from .mail import MailParts, digest_message, zone_of
from .models import DigestPreference, DigestSent, DigestState, Frequency
from .prefs import default_frequency, frequency_for

logger = logging.getLogger(__name__)

CHUNK = 200
# Digests claimed in one statement: one commit for so many members instead of one each. A worker
# that dies leaves at most so many claimed and unsent, sent by a later run once their claims
# have expired (accounts/delivery.SENDING_EXPIRES).
CLAIMED_TOGETHER = 20
# Digests go from this hour of the member's own day, so that they find it in the morning.
SEND_HOUR = 8
# A digest is due a little before its full interval, so that an hourly beat that runs a few
# minutes later than last time does not push a weekly digest to the next day.
SLACK = timedelta(hours=12)


class Outcome(Enum):
    SENT = "sent"
    EMPTY = "empty"
    SKIPPED = "skipped"
    WAITING = "waiting"  # the mail server will be asked again
    FAILED = "failed"


def is_due(frequency: str, last: datetime | None, local_hour: int, now: datetime) -> bool:
    if frequency == Frequency.OFF or local_hour < SEND_HOUR:
        return False
    return last is None or now - last >= INTERVALS[frequency] - SLACK


@shared_task(acks_late=True)
def plan_digests() -> int:
    """Run every hour by Celery beat: queues the planning of each active network."""
    with scopes_disabled():
        network_ids = list(Network.objects.filter(is_active=True).values_list("pk", flat=True))
    for network_id in network_ids:
        plan_network_digests.delay(network_id)
    return len(network_ids)


@shared_task(acks_late=True)
def plan_network_digests(network_id: int) -> int:
    """Queues the members of one network whose digest is due, CHUNK at a time."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return 0
    now = timezone.now()
    due = 0
    with scope(network=network):
        chosen = dict(
            DigestPreference.objects.filter(network=network).values_list("user_id", "frequency")
        )
        # A digest still pending (a dead worker's, one waiting for the mail server) does not
        # count: its member is queued again, and the claim decides who sends it.
        last = dict(
            DigestSent.objects.filter(network=network)
            .exclude(state=DigestState.PENDING)
            .values("user_id")
            .annotate(last=Max("created_at"))
            .values_list("user_id", "last")
        )
        members = Membership.objects.filter(
            network=network, status=Status.ACTIVE, user__is_active=True
        ).values_list("user_id", "role", "user__time_zone")
        batch: list[int] = []
        for user_id, role, time_zone in members.iterator(chunk_size=2000):
            frequency = chosen.get(user_id) or default_frequency(role)
            hour = now.astimezone(zone_of(time_zone)).hour
            if not is_due(frequency, last.get(user_id), hour, now):
                continue
            batch.append(user_id)
            if len(batch) == CHUNK:
                send_digest_chunk.delay(network_id, batch)
                due += len(batch)
                batch = []
        if batch:
            send_digest_chunk.delay(network_id, batch)
            due += len(batch)
    return due


@shared_task(acks_late=True)
def send_digest_chunk(network_id: int, user_ids: list[int]) -> dict[str, int]:
    """Sends the digests of a chunk of members, each claimed on its own. What the members have
    in common (the network's news, the rows, the refusals) is asked once for the chunk."""
    counts: dict[str, int] = {}
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return counts
    now = timezone.now()
    with scope(network=network):
        chosen = dict(
            DigestPreference.objects.filter(network=network, user_id__in=user_ids).values_list(
                "user_id", "frequency"
            )
        )
        members = []
        for member in Membership.objects.filter(
            network=network, user_id__in=user_ids, status=Status.ACTIVE, user__is_active=True
        ).select_related("user"):
            member.network = network
            frequency = chosen.get(member.user_id) or default_frequency(member.role)
            if frequency != Frequency.OFF:
                members.append((member, frequency))
        rows = _rows(network, members, now)
        last_sent = dict(
            DigestSent.objects.filter(network=network, user_id__in=user_ids, state=DigestState.SENT)
            .values("user_id")
            .annotate(last=Max("sent_at"))
            .values_list("user_id", "last")
        )
        refused = delivery.refusals_of([m.user.email for m, _f in members])
        due = [(m, f) for m, f in members if rows[m.user_id].state == DigestState.PENDING]
        sinces = {m.user_id: since_of(m, f, last_sent.get(m.user_id), now) for m, f in due}
        batch = Batch(network, [m for m, _f in due], min(sinces.values(), default=now))
        parts = MailParts(network)
        # One connection to the mail server for the chunk; each mail's failure stays its own.
        with delivery.Sender() as sender:
            for start in range(0, len(due), CLAIMED_TOGETHER):
                group = due[start : start + CLAIMED_TOGETHER]
                claimed = delivery.claim_many(
                    DigestSent.objects.filter(
                        pk__in=[rows[m.user_id].pk for m, _f in group], state=DigestState.PENDING
                    ),
                    "sending_since",
                )
                for member, frequency in group:
                    row = rows[member.user_id]
                    if row.pk not in claimed:
                        outcome = Outcome.SKIPPED  # another worker is at it
                    else:
                        digest = build_digest(member, sinces[member.user_id], batch=batch)
                        outcome = _deliver(
                            network,
                            member,
                            frequency,
                            row,
                            digest,
                            refused.get(member.user.email.lower()),
                            sender=sender,
                            parts=parts,
                        )
                    counts[outcome.value] = counts.get(outcome.value, 0) + 1
    return counts


def _rows(
    network: Network, members: list[tuple[Membership, str]], now: datetime
) -> dict[int, DigestSent]:
    """Each member's digest row within their current interval: one of an earlier day that is
    still within it (sent, empty or still waiting), or a new one for today (their local date),
    created once however many workers ask."""
    user_ids = [m.user_id for m, _f in members]
    longest = max(INTERVALS.values())
    found: dict[int, DigestSent] = {}
    for row in DigestSent.objects.filter(
        network=network, user_id__in=user_ids, created_at__gt=now - longest
    ).order_by("created_at"):
        found[row.user_id] = row  # the latest
    rows: dict[int, DigestSent] = {}
    missing = []
    for member, frequency in members:
        latest = found.get(member.user_id)
        if latest is not None and latest.created_at > now - (INTERVALS[frequency] - SLACK):
            rows[member.user_id] = latest
        else:
            period = now.astimezone(zone_of(member.user.time_zone)).date().isoformat()
            missing.append(
                DigestSent(
                    network=network, user_id=member.user_id, period=period, frequency=frequency
                )
            )
    if missing:
        # Another worker may create the same rows at the same time: the unique constraint keeps
        # one of each, and both workers read back the same rows.
        DigestSent.objects.bulk_create(missing, ignore_conflicts=True)
        for row in DigestSent.objects.filter(
            network=network, user_id__in=[r.user_id for r in missing], created_at__gt=now - longest
        ).order_by("created_at"):
            rows[row.user_id] = row
    return rows


def _deliver(
    network: Network,
    member: Membership,
    frequency: str,
    row: DigestSent,
    digest: Digest,
    refused: UndeliverableAddress | None,
    task: Task | None = None,
    *,
    sender: delivery.Sender,
    parts: MailParts | None = None,
) -> Outcome:
    """Sends the claimed row's digest and records what became of it."""
    pending = DigestSent.objects.filter(pk=row.pk, state=DigestState.PENDING)
    if refused is not None:
        # Mailbox providers count mail sent to refusing addresses against the sender.
        pending.update(
            state=DigestState.FAILED,
            sending_since=None,
            error=f"not sent: the address refused mail ({refused.reason})"[:200],
        )
        return Outcome.FAILED
    if digest.is_empty:
        pending.update(state=DigestState.EMPTY, sending_since=None)
        return Outcome.EMPTY
    try:
        sender.send(digest_message(network, digest, frequency, parts))
    except delivery.Undelivered as failure:
        if failure.final:  # a refused address is noted by delivery
            pending.update(state=DigestState.FAILED, sending_since=None, error=failure.reason)
            return Outcome.FAILED
        pending.update(sending_since=None, error=failure.reason)
        if task is None:
            retry_digest.apply_async((network.pk, row.pk), countdown=delivery.pause(0))
            return Outcome.WAITING
        delivery.retry_later(task, failure)
        pending.update(state=DigestState.FAILED)  # the tries are spent
        return Outcome.FAILED
    pending.update(
        state=DigestState.SENT,
        sent_at=timezone.now(),
        sending_since=None,
        item_count=digest.item_count,
        error="",
    )
    return Outcome.SENT


@shared_task(bind=True, acks_late=True)
def retry_digest(task: Task, network_id: int, row_id: int) -> str:
    """Tries one member's digest again after the mail server did not take it, with the pauses
    of accounts/delivery.py; asks again whether the member still wants it."""
    network = Network.objects.filter(pk=network_id, is_active=True).first()
    if network is None:
        return Outcome.SKIPPED.value
    with scope(network=network):
        row = DigestSent.objects.filter(pk=row_id, state=DigestState.PENDING).first()
        if row is None:
            return Outcome.SKIPPED.value
        member = (
            Membership.objects.filter(
                network=network, user_id=row.user_id, status=Status.ACTIVE, user__is_active=True
            )
            .select_related("user", "network")
            .first()
        )
        frequency = frequency_for(member) if member is not None else Frequency.OFF
        pending = DigestSent.objects.filter(pk=row.pk, state=DigestState.PENDING)
        if member is None or frequency == Frequency.OFF:
            pending.update(state=DigestState.EMPTY, sending_since=None)
            return Outcome.SKIPPED.value
        if not delivery.claim(pending, "sending_since"):
            return Outcome.SKIPPED.value
        digest = build_digest(member, since_for(member, frequency))
        refused = delivery.refusal_of(member.user.email)
        with delivery.Sender() as sender:
            outcome = _deliver(
                network, member, frequency, row, digest, refused, task, sender=sender
            )
        return outcome.value
