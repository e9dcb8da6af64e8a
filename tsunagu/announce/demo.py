"""An announcement in the demo: last month's invitation to the general meeting, sent to
everyone, with its delivery rows as the tasks would have left them (no mail leaves)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network

from .audience import audience_members
from .models import Announcement, Audience, Delivery, DeliveryState, State

BODY = """\
いつもアルムナイネットワークにご参加いただき、ありがとうございます。

今年も**アルムナイ総会**を開きます。現役社員も参加します。久しぶりの顔ぶれに会いに来てください。

- 日時: 12月12日（土）14:00〜17:00（懇親会つき）
- 会場: 本社20階ホール（オンライン参加もできます）

参加の申し込みはイベントページからお願いします。
"""


def seed_announcements(network: Network, operator: Membership, rng: random.Random) -> None:
    sent_at = timezone.now() - timedelta(days=12, hours=3)
    user_ids = list(audience_members(network.pk, Audience.ALL).values_list("user_id", flat=True))
    opted_out = set(rng.sample(user_ids, k=min(2, len(user_ids))))
    announcement = Announcement.objects.create(
        network=network,
        author=operator,
        key=uuid.UUID(int=rng.getrandbits(128)),
        subject="【ご案内】2026年度 アルムナイ総会を開きます",
        body=BODY,
        audience=Audience.ALL,
        state=State.DONE,
        sent_by=operator,
        sent_by_name=operator.user.name,
        queued_at=sent_at,
        finished_at=sent_at + timedelta(minutes=2),
        last_chunk_due_at=sent_at,
        notified_at=sent_at,
        audience_size=len(user_ids),
        sent_count=len(user_ids) - len(opted_out),
        skipped_count=len(opted_out),
    )
    Delivery.objects.bulk_create(
        Delivery(
            network=network,
            announcement=announcement,
            user_id=user_id,
            state=DeliveryState.SKIPPED if user_id in opted_out else DeliveryState.SENT,
            sent_at=None if user_id in opted_out else sent_at + timedelta(seconds=1),
        )
        for user_id in user_ids
    )
