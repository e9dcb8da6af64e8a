"""Demo data of the supporter programme and the outcome ledger, for ``seed_demo``.

Supporters have welcomed some of the newcomers (the others wait in the welcome queue), and the
office has recorded a year of outcomes, one of them still proposed by the opportunities app.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tsunagu.feed.actions import do_toggle_welcome
from tsunagu.tenancy.days import network_day
from tsunagu.tenancy.models import Membership, Network, Role, Status

from .ledger import do_record_outcome, propose_outcome
from .programme_models import OutcomeKind

# (kind, days ago, value in yen or None, how many members, note)
OUTCOMES = [
    (OutcomeKind.COMEBACK_HIRE, 320, 6_000_000, 1, "営業企画部にマネージャーとして再入社。"),
    (OutcomeKind.REFERRAL_HIRE, 250, 4_500_000, 2, "アルムナイの紹介でエンジニアを採用。"),
    (OutcomeKind.OUTSOURCING, 190, 1_200_000, 1, "新規事業の市場調査を業務委託で依頼。"),
    (OutcomeKind.SPEAKER, 130, None, 1, "社内勉強会「転職して見えたこと」に登壇。"),
    (OutcomeKind.BUSINESS_DEAL, 75, 8_800_000, 1, "転職先との物流システムの取引が成立。"),
    (OutcomeKind.SIDE_JOB, 40, 300_000, 1, "広報資料のデザインを副業で依頼。"),
    (OutcomeKind.MEDIA, 12, None, 0, "業界誌にアルムナイ制度の取材記事が掲載。"),
]


def seed_programme(network: Network, rng: random.Random) -> None:
    """Welcomes from the supporters and a year of outcomes; call inside the network's scope."""
    active = Membership.objects.filter(network=network, status=Status.ACTIVE)
    supporters = list(active.filter(role=Role.SUPPORTER).select_related("user", "network"))
    operator = active.filter(role=Role.OPERATOR).select_related("user", "network").first()
    others = list(
        active.filter(role__in=[Role.ALUMNI, Role.EMPLOYEE]).select_related("user").order_by("pk")
    )
    # Half of the newest members have been welcomed by a supporter or two; the rest wait.
    newest = others[len(others) // 2 :]
    for newcomer in newest[::2]:
        for supporter in rng.sample(supporters, k=min(len(supporters), rng.randint(1, 2))):
            do_toggle_welcome(supporter, newcomer)
    if operator is None:
        return
    today = network_day(timezone.now())
    for kind, days_ago, value, people, note in OUTCOMES:
        named = rng.sample(others, k=min(people, len(others)))
        do_record_outcome(
            operator,
            kind=kind,
            on=today - timedelta(days=days_ago),
            value_yen=value,
            note=note,
            members=named,
        )
    if others:
        # A hire the opportunities app noticed, waiting for the office to confirm it.
        propose_outcome(
            network.pk,
            OutcomeKind.COMEBACK_HIRE,
            today - timedelta(days=3),
            "demo.application",
            1,
            [others[0].pk],
        )
