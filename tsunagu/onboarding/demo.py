"""Onboarding in the demo: a roster partly invited, a link in use, an application waiting."""

from __future__ import annotations

import datetime
import random
from datetime import timedelta

from django.utils import timezone

from tsunagu.accounts.models import User
from tsunagu.tenancy.models import Membership, Network

from .actions import do_apply
from .models import Invitation, InvitationStatus, InviteLink, Source

FAMILY = ["松本", "井上", "木村", "林", "清水", "山崎", "森", "池田", "橋本", "阿部"]
GIVEN = ["悠斗", "葵", "湊", "凛", "陽翔", "紬", "大和", "芽依", "蒼", "杏"]
DEPARTMENTS = ["営業部 第一課", "人事部", "経理部", "開発部", "広報部", "海外事業部"]


def seed_onboarding(network: Network, operator: Membership, rng: random.Random) -> None:
    """Writes rows directly: no invitation mail leaves a demo."""
    now = timezone.now()
    today = timezone.localdate()
    invitations = []
    for i in range(30):
        left = today - timedelta(days=rng.randrange(20, 900))
        sent = i % 3 != 0
        invitations.append(
            Invitation(
                network=network,
                email=f"roster{i}@example.com",
                name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                department=rng.choice(DEPARTMENTS),
                joined_on=datetime.date(left.year - rng.randrange(3, 15), 4, 1),
                left_on=left,
                source=Source.ROSTER,
                status=InvitationStatus.SENT if sent else InvitationStatus.NEW,
                sent_at=now - timedelta(days=rng.randrange(1, 20)) if sent else None,
                expires_at=now + timedelta(days=40) if sent else None,
            )
        )
    Invitation.objects.bulk_create(invitations)
    InviteLink.objects.create(
        network=network,
        label="LINE 2015年入社グループ",
        max_uses=50,
        uses=7,
        expires_at=now + timedelta(days=30),
        created_by_id=operator.user_id,
    )
    applicant, _ = User.objects.get_or_create(
        email="applicant@example.com", defaults={"name": "前田 拓海"}
    )
    if not Membership.objects.filter(network=network, user=applicant).exists():
        answers = [
            {"question": q, "answer": a}
            for q, a in zip(
                network.join_questions or [],
                ["海外事業部に2014年から2021年まで在籍しました", "同期に誘われました"],
                strict=False,
            )
        ]
        do_apply(applicant, network, answers=answers, declared=True)
