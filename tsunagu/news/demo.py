"""Demo content for news and columns: used by the seed_demo command."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network

from .actions import (
    do_add_comment,
    do_create_article,
    do_review_article,
    do_set_pinned,
    do_toggle_reaction,
)

COMMENTS = [
    "懐かしいです！現役の皆さん、応援しています。",
    "とても参考になりました。ありがとうございます。",
    "ぜひ協業のお話をさせてください。",
    "次の総会で詳しく聞かせてください！",
]


def seed_news(network: Network, members: list[Membership], rng: random.Random) -> None:
    operator, supporter, employee, alumni, *others = members
    now = timezone.now()
    general = do_create_article(
        operator,
        kind="announcement",
        title="2026年度 アルムナイ総会のご案内",
        body=(
            "12月12日（土）14時から、本社20階ホールで総会を開きます。\n\n"
            "- 第1部：会社の近況報告\n- 第2部：アルムナイによるパネルトーク\n- 懇親会\n\n"
            "お申し込みは**イベント**ページからどうぞ。"
        ),
        tags=["総会", "イベント"],
    )
    do_set_pinned(operator, general, True)
    news = do_create_article(
        operator,
        kind="company_news",
        title="社内報：新規事業「みつば Cloud」が始動しました",
        body=(
            "三ツ葉商事は、中小企業向けの業務クラウド事業を立ち上げました。\n\n"
            "アルムナイの皆さんの会社での**導入事例**や、協業のご相談をお待ちしています。"
        ),
        tags=["新規事業", "DX"],
    )
    do_create_article(
        operator,
        kind="industry",
        title="業界レポート：商社のDX最前線",
        body="生成AIの活用、物流のデジタル化など、業界の最新動向をまとめました。",
        tags=["DX", "業界動向"],
    )
    column = do_create_article(
        alumni,
        kind="column",
        title="コラム：退職して3年、三ツ葉で学んだこと",
        body=(
            "転職して気づいたのは、三ツ葉で鍛えられた**段取り力**の大切さでした。\n\n"
            "> 準備八割、本番二割\n\n先輩の口癖は今も私の支えです。"
        ),
        tags=["キャリア"],
    )
    do_review_article(operator, column, approve=True)
    report = do_create_article(
        supporter,
        kind="event_report",
        title="イベントレポート：朝活もくもく会 第10回",
        body="今回は12名が参加。テーマは「副業の始め方」でした。次回もお待ちしています！",
        tags=["朝活", "副業"],
    )
    do_review_article(operator, report, approve=True)
    do_create_article(
        employee,
        kind="life_story",
        title="ライフストーリー：育休から復職して",
        body="育休を1年取得して復職しました。制度を使ってよかったことを書きます。",
        tags=["育休", "働き方"],
    )  # waits in the operators' approval queue
    do_create_article(
        operator,
        kind="company_news",
        title="社内報：来月の新制度（予約投稿）",
        body="アルムナイ向けのカムバック採用制度を来月から始めます。",
        tags=["カムバック採用"],
        published_at=now + timedelta(days=3),
    )
    people = [supporter, employee, alumni, *others]
    for article in (general, news, column, report):
        for person in rng.sample(people, k=min(6, len(people))):
            do_toggle_reaction(person, article, rng.choice(["like", "clap", "thanks"]))
        for person in rng.sample(people, k=min(2, len(people))):
            do_add_comment(person, article, body=rng.choice(COMMENTS))
