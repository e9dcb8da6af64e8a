"""Demo opportunities for both demo networks: used by the seed_demo command."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network, Role

from .actions import (
    FlagChoice,
    do_answer,
    do_create_opportunity,
    do_review_opportunity,
    do_set_flags,
    do_set_recruiter,
    do_set_status,
)
from .models import Opportunity, Recruiter, Status

MITSUBA = [
    {
        "kind": "comeback",
        "title": "カムバック採用：法人営業マネージャー（東京）",
        "employment_form": "full_time",
        "description": (
            "三ツ葉商事の法人営業部で、**マネージャー候補**としてチームを率いていただきます。\n\n"
            "## こんな方を歓迎します\n\n- 当社での営業経験がある方\n"
            "- 他社で新しい経験を積んできた方\n\n"
            "まずはカジュアルにお話ししましょう。今の仕事を辞める前提でなくて大丈夫です。"
        ),
        "location": "東京都千代田区（本社）",
        "remote": "hybrid",
        "compensation": "年収800万〜1,100万円（経験に応じて）",
        "starts": "2027年4月〜（相談可）",
        "days": 45,
        "contact_person": "人事部 採用担当",
        "audience": "alumni",
    },
    {
        "kind": "career",
        "title": "キャリア採用：物流DX推進リーダー",
        "employment_form": "full_time",
        "description": (
            "物流部門のデジタル化を進めるリーダーを募集します。データ分析の経験を歓迎します。"
        ),
        "location": "横浜",
        "remote": "hybrid",
        "compensation": "年収700万円〜",
        "starts": "入社時期は相談",
        "days": 30,
        "contact_person": "デジタル推進室",
        "audience": "all",
    },
    {
        "kind": "side_job",
        "title": "副業：新規事業「みつば Cloud」のUXリサーチ（週5時間〜）",
        "employment_form": "freelance",
        "description": (
            "中小企業向けクラウドのユーザーインタビューを手伝ってくださる方を探しています。"
        ),
        "location": "",
        "remote": "remote",
        "compensation": "時給4,000円",
        "starts": "2027年1月〜3か月",
        "days": 20,
        "contact_person": "新規事業部 鈴木",
        "audience": "all",
    },
    {
        "kind": "collaboration",
        "title": "登壇のお願い：社内勉強会「外から見た三ツ葉」",
        "employment_form": "",
        "description": (
            "現役社員向けの勉強会で、アルムナイの皆さんに30分ほどお話しいただけませんか。"
        ),
        "location": "オンライン",
        "remote": "remote",
        "compensation": "謝礼あり",
        "starts": "2027年2月",
        "days": 2,
        "contact_person": "広報部",
        "audience": "alumni",
    },
]

MEMBER_POSTS = [
    {
        "kind": "outsourcing",
        "title": "業務委託：経理の月次決算サポート",
        "employment_form": "freelance",
        "description": (
            "独立して会計事務所をしています。月次決算を手伝っていただける方を探しています。"
        ),
        "location": "",
        "remote": "remote",
        "compensation": "月10万円〜（稼働に応じて）",
        "starts": "すぐにでも",
        "days": 25,
        "contact_person": "",
        "audience": "all",
    },
    {
        "kind": "referral",
        "title": "紹介依頼：医療業界に詳しい方をご存じないですか",
        "employment_form": "",
        "description": (
            "新規事業の壁打ち相手として、医療業界に詳しい方を探しています。"
            "お心当たりがあれば、ご本人の了承を得たうえで「紹介できます」とお知らせください。"
        ),
        "location": "",
        "remote": "remote",
        "compensation": "",
        "starts": "",
        "days": 14,
        "contact_person": "",
        "audience": "all",
    },
]

HIDAMARI = [
    {
        "kind": "outsourcing",
        "title": "業務委託：雑誌のエディトリアルデザイン（月2本）",
        "employment_form": "freelance",
        "description": "OB・OGの皆さんに、季刊誌の誌面デザインをお願いしたいです。",
        "location": "",
        "remote": "remote",
        "compensation": "1本あたり8万円",
        "starts": "2027年1月号から",
        "days": 21,
        "contact_person": "",
        "audience": "all",
    },
    {
        "kind": "side_job",
        "title": "副業：Webサイトのリニューアル（デザイン・コーディング）",
        "employment_form": "freelance",
        "description": "地域の商店街のWebサイトを一緒に作ってくれる方を探しています。",
        "location": "京都",
        "remote": "hybrid",
        "compensation": "30万円（一式）",
        "starts": "2月〜",
        "days": 30,
        "contact_person": "",
        "audience": "all",
    },
]


def _post(member: Membership, spec: dict[str, Any]) -> Opportunity:
    data = dict(spec)
    days = int(data.pop("days"))
    return do_create_opportunity(
        member, deadline=timezone.localdate() + timedelta(days=days), **data
    )


def seed_careers(network: Network, members: list[Membership], rng: random.Random) -> None:
    """Opportunities of the company and of members, with answers at several stages."""
    operator = next(m for m in members if m.role == Role.OPERATOR)
    employees = [m for m in members if m.role == Role.EMPLOYEE]
    alumni = [m for m in members if m.role in (Role.ALUMNI, Role.SUPPORTER)]
    company = employees[0] if employees else operator
    if network.slug == "mitsuba":
        company_specs, member_specs = MITSUBA, MEMBER_POSTS
    else:
        company_specs, member_specs = HIDAMARI[:1], HIDAMARI[1:]
    posted = [
        _post(company if i % 2 == 0 else operator, spec) for i, spec in enumerate(company_specs)
    ]
    for index, spec in enumerate(member_specs):
        if not alumni:
            break
        poster = alumni[-1 - index]
        opening = _post(poster, spec)
        if index == 0:
            do_review_opportunity(operator, opening, approve=True)
            posted.append(opening)
        # the others wait in the operators' approval queue
    if employees and not Recruiter.objects.filter(network=network).exists():
        do_set_recruiter(operator, employees[0], True)
    for person in alumni[:8]:
        flags = rng.sample(["side_job", "outsourcing", "comeback", "speaking"], k=2)
        do_set_flags(
            person,
            [FlagChoice(flag, rng.choice(["recruiters", "operators", "me"])) for flag in flags],
        )
    first = posted[0]
    stages = [Status.NEW, Status.CONTACT, Status.INTERVIEW, Status.OFFER]
    answering = [m for m in alumni if m.pk != first.poster_id][:6]
    for index, person in enumerate(answering):
        mode = "apply" if index % 2 else "interest"
        message = (
            "ご無沙汰しています。ぜひ一度お話を伺いたいです。"
            if mode == "interest"
            else ("前職での経験を活かして、もう一度三ツ葉で働きたいと考えています。")
        )
        found = do_answer(person, first, mode=mode, message=message)
        stage = stages[index % len(stages)]
        if stage != Status.NEW:
            do_set_status(operator, found, stage)
