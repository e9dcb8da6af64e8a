"""Surveys in the demo: a closed satisfaction survey with its results, and one open now.

Rows are written through the answering action, so they are what members would leave; no
invitation is sent (the survey is marked invited, the audience counted)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network

from .actions import Given, do_submit_response
from .audience import audience_members
from .batches import write_batch
from .models import Anonymity, Audience, Choice, Kind, Question, Survey

COMMENTS = [
    "総会の懇親会がとても楽しかったです。",
    "オンラインの勉強会をもっと増やしてほしいです。",
    "現役社員の方と話せる機会が貴重でした。",
    "地方在住なので、アーカイブ配信があると助かります。",
    "求人情報の共有があると嬉しいです。",
    "",
    "",
]


def _survey(network: Network, author: Membership, **fields: object) -> Survey:
    return Survey.objects.create(network=network, created_by=author.user, published=True, **fields)


def _question(
    survey: Survey, position: int, kind: str, text: str, labels: tuple[str, ...] = (), **kw: object
) -> Question:
    question = Question.objects.create(
        network_id=survey.network_id, survey=survey, position=position, kind=kind, text=text, **kw
    )
    Choice.objects.bulk_create(
        Choice(network_id=survey.network_id, question=question, label=label, position=n)
        for n, label in enumerate(labels, 1)
    )
    return question


def seed_surveys(network: Network, operator: Membership, rng: random.Random) -> None:
    now = timezone.now()
    closed = _survey(
        network, operator,
        title="2025年度 アルムナイ満足度アンケート",
        description="ネットワークの運営を良くするため、率直なご意見をお聞かせください。回答は匿名です。",
        anonymity=Anonymity.ANONYMOUS, audience=Audience.ALL,
        opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=30),
        results_for_respondents=True,
    )  # fmt: skip
    satisfaction = _question(
        closed, 1, Kind.SINGLE, "ネットワーク全体の満足度は?",
        ("満足", "やや満足", "やや不満", "不満"), required=True,
    )  # fmt: skip
    wishes = _question(
        closed, 2, Kind.MULTIPLE, "今後参加したい企画は?(複数選択可)",
        ("交流会", "勉強会", "社内見学", "キャリア相談"), allow_other=True,
    )  # fmt: skip
    nps = _question(closed, 3, Kind.NPS, "元同僚にこのネットワークを勧めたいと思いますか?")
    comment = _question(closed, 4, Kind.LONG, "ご意見・ご要望")
    members = list(audience_members(closed).select_related("user", "network"))
    for member in members[: max(len(members) * 2 // 3, 1)]:
        picked = rng.sample(list(wishes.choices.values_list("pk", flat=True)), rng.randint(1, 2))
        text = rng.choice(COMMENTS)
        options = list(satisfaction.choices.values_list("pk", flat=True))[:3]
        do_submit_response(member, closed, {
            satisfaction.pk: Given(choice_ids=[rng.choice(options)]),
            wishes.pk: Given(choice_ids=picked),
            nps.pk: Given(number=rng.choice([6, 7, 8, 8, 9, 9, 10, 10])),
            comment.pk: Given(text=text),
        })  # fmt: skip
    Survey.objects.filter(pk=closed.pk).update(
        opens_at=now - timedelta(days=45),
        closes_at=now - timedelta(days=15),
        invited_at=now - timedelta(days=45),
        reminded_at=now - timedelta(days=18),
        audience_size=len(members),
    )
    write_batch(closed.pk)  # closed: its anonymous answers are written, as the beat task would
    open_now = _survey(
        network, operator,
        title="秋の交流会 企画アンケート",
        description="秋に予定している交流会の内容を決めるためのアンケートです。",
        anonymity=Anonymity.NAMED, audience=Audience.ALUMNI,
        opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=11),
    )  # fmt: skip
    _question(
        open_now, 1, Kind.SINGLE, "参加しやすい曜日は?", ("平日夜", "土曜日", "日曜日"),
        required=True,
    )  # fmt: skip
    _question(
        open_now, 2, Kind.SCALE, "オンライン参加の希望度は?",
        help_text="1: 対面が良い … 5: オンラインが良い",
    )  # fmt: skip
    _question(open_now, 3, Kind.DATE, "都合の良い日があれば教えてください")
    _question(open_now, 4, Kind.SHORT, "話を聞いてみたい人・テーマ")
    Survey.objects.filter(pk=open_now.pk).update(
        invited_at=now - timedelta(days=3),
        audience_size=audience_members(open_now).count(),
    )
