"""Demo content for the boards: used by the seed_demo command and by the HTTP benchmark."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network

from .actions import PollSpec, do_add_comment, do_create_thread, do_mark_best_answer, do_vote
from .models import Category, Comment, Thread, ThreadKind

# The benchmark measures the first and the last page of this thread; it is the first thread
# seeded, so in a fresh database its id is 1.
LONG_THREAD_TITLE = "近況報告スレッド（みんなの「最近どう？」）"
LONG_THREAD_COMMENTS = 1000

CATEGORIES = [
    ("お知らせ", "事務局からのお知らせ"),
    ("雑談", "近況報告や趣味の話など、気軽にどうぞ"),
    ("仕事の相談", "業務の進め方、ツール、制度の使い方の相談"),
    ("キャリア・転職", "キャリアの悩みや求人の情報交換"),
]

UPDATES = [
    "最近、{place}に引っ越しました。近くの方がいたらぜひ！",
    "{company}で{role}をしています。三ツ葉時代の経験がとても役に立っています。",
    "子どもが生まれて育休中です。落ち着いたらまた飲みに行きましょう。",
    "週末は{hobby}にはまっています。同じ趣味の方、情報交換しませんか？",
    "独立して{role}として活動を始めました。ご相談があればお気軽にどうぞ。",
]
PLACES = ["福岡", "札幌", "名古屋", "京都", "シンガポール", "仙台"]
COMPANIES = ["物流スタートアップ", "外資系コンサル", "地方銀行", "SaaS企業", "NPO法人"]
ROLES = ["プロダクトマネージャー", "経理", "営業企画", "エンジニア", "人事"]
HOBBIES = ["キャンプ", "ランニング", "将棋", "パン作り", "写真"]


def seed_boards(network: Network, members: list[Membership], rng: random.Random) -> None:
    operator, supporter, employee, alumni, *others = members
    categories = [
        Category.objects.create(network=network, name=name, description=text, position=i)
        for i, (name, text) in enumerate(CATEGORIES)
    ]
    notice, chat, work, career = categories
    people = [supporter, employee, alumni, *others]

    long_thread = do_create_thread(
        operator,
        category=chat,
        kind=ThreadKind.DISCUSSION,
        title=LONG_THREAD_TITLE,
        body="卒業後の近況を気軽に書き込んでください。**ひとこと**でも大歓迎です。",
    )
    _bulk_comments(long_thread, people, LONG_THREAD_COMMENTS, rng)

    welcome = do_create_thread(
        operator,
        category=notice,
        kind=ThreadKind.DISCUSSION,
        title="掲示板の使い方",
        body=(
            "ようこそ！掲示板では、話題を立てたり、**相談**したりできます。\n\n"
            "- 相談には「ベストアンサー」を選べます\n- 困った投稿は「通報」から事務局へ"
        ),
    )
    welcome.is_pinned = True
    welcome.save(update_fields=["is_pinned"])

    question = do_create_thread(
        alumni,
        category=work,
        kind=ThreadKind.CONSULTATION,
        title="業務効率化のためのシステム、何を使っていますか？",
        body="従業員30名の会社で、経費精算と勤怠管理のシステムを検討しています。おすすめを教えてください。",
    )
    answer = do_add_comment(
        supporter,
        question,
        body="うちでは経費精算にクラウドの精算サービスを使っています。導入は1か月ほどでした。",
    )
    do_add_comment(
        employee, question, body="勤怠は給与計算と連携できるものが楽ですよ。", parent=answer
    )
    do_mark_best_answer(alumni, answer)

    do_create_thread(
        employee,
        category=work,
        kind=ThreadKind.CONSULTATION,
        title="IT導入補助金の申請、経験のある方いますか？",
        body="申請の流れと、つまずきやすい点を教えていただけると助かります。",
    )
    career_thread = do_create_thread(
        supporter,
        category=career,
        kind=ThreadKind.DISCUSSION,
        title="40代からのキャリアチェンジ",
        body="転職・独立を経験した方の話を聞かせてください。",
    )
    do_add_comment(alumni, career_thread, body="私は42歳で独立しました。最初の1年が勝負でした。")

    meeting = do_create_thread(
        operator,
        category=notice,
        kind=ThreadKind.DISCUSSION,
        title="次回のアルムナイ総会、どの形式がよいですか？",
        body="皆さんの希望を聞かせてください。",
        poll=PollSpec(
            question="参加しやすい形式は？",
            options=["本社で対面", "オンライン", "対面とオンラインの両方"],
        ),
    )
    choices = list(meeting.poll.options.all())
    for person in people[:12]:
        do_vote(person, meeting.poll, [rng.choice(choices).pk])


def _bulk_comments(
    thread: Thread, people: list[Membership], count: int, rng: random.Random
) -> None:
    start = timezone.now() - timedelta(days=count // 20)
    comments = []
    for number in range(1, count + 1):
        text = rng.choice(UPDATES).format(
            place=rng.choice(PLACES),
            company=rng.choice(COMPANIES),
            role=rng.choice(ROLES),
            hobby=rng.choice(HOBBIES),
        )
        comment = Comment(
            network=thread.network,
            thread=thread,
            number=number,
            author=people[number % len(people)],
            body=text,
            created_at=start + timedelta(minutes=number * 70),
        )
        comment.body_html = f"<p>{text}</p>\n"  # plain text from the lists above
        comments.append(comment)
    Comment.objects.bulk_create(comments, batch_size=500)
    Thread.objects.filter(pk=thread.pk).update(
        comment_seq=F("comment_seq") + count,
        comment_count=F("comment_count") + count,
        revision=F("revision") + 1,  # bulk inserts send no signals
        last_activity_at=comments[-1].created_at,
    )
