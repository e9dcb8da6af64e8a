"""Demo talk rooms: the casual room, a morning-activity room, announcements, the weekly
self-introduction relay and a few conversations. Used by the seed_demo command."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from tsunagu.tenancy.models import Membership, Network

from .actions import (
    do_create_room,
    do_join_room,
    do_open_direct,
    do_open_office,
    do_send_message,
    do_toggle_reaction,
)
from .models import Message, Room, RoomKind, Stamp

CASUAL = [
    "昨日は元同期と渋谷で飲みました🍻 久しぶりに話せて楽しかったです！",
    "転職して3か月、ようやく新しい職場に慣れてきました。",
    "来月から福岡に転勤です。九州在住の方、ぜひ声をかけてください。",
    "子どもが生まれました！落ち着いたらまた集まりましょう。",
    "最近ランニングを始めました。皇居ランに行く方いますか？",
    "三ツ葉時代の上司にばったり会いました。世間は狭いですね。",
    "週末に鎌倉で写真を撮ってきました📷",
    "新しいサービスを立ち上げました。フィードバックをいただけると嬉しいです。",
]
MORNING = [
    "おはようございます☀ 今日は6時から英語の勉強をしました。",
    "朝活報告：読書30分。『イシューからはじめよ』を再読中です。",
    "おはようございます！今朝は5km走りました🏃",
    "今日の朝活は企画書の下書き。朝だと集中できますね。",
]
ANNOUNCEMENTS = [
    "【お知らせ】12月12日（土）にアルムナイ総会を開催します。詳細は近日公開します。",
    "【お知らせ】自己紹介リレーの録画は「自己紹介リレー」ルームのファイル一覧からご覧いただけます。",
]
RELAY = [
    "第12回の自己紹介リレー、ありがとうございました！録画はこちら: https://video.example.jp/relay/12",
    "次回は木村さんの番です。お楽しみに！",
    "資料を共有します: https://slides.example.jp/relay-12",
]


def _say(member: Membership, room: Room, body: str, number: int) -> Message:
    message, _created = do_send_message(
        member, room, body=body, client_id=f"demo-{room.pk}-{number}", rate_limited=False
    )
    return message


def seed_talk(network: Network, members: list[Membership], rng: random.Random) -> None:
    operator, supporter, employee, alumni, *others = members
    casual = Room.objects.get(network=network, is_default=True)
    morning = do_create_room(
        operator,
        kind=RoomKind.OPEN,
        name="朝活ルーム",
        description="朝の活動報告をどうぞ。毎朝6時〜8時がにぎわいます。",
    )
    news = do_create_room(operator, kind=RoomKind.ANNOUNCEMENT, name="事務局からのお知らせ")
    relay = do_create_room(
        operator,
        kind=RoomKind.OPEN,
        name="自己紹介リレー",
        description="毎週木曜21時のオンライン自己紹介リレーの録画・資料置き場です。",
    )
    do_create_room(operator, kind=RoomKind.ALUMNI, name="アルムナイ限定ラウンジ")
    do_create_room(operator, kind=RoomKind.EMPLOYEE, name="現役社員の部屋")
    do_create_room(operator, kind=RoomKind.CLOSED, name="サポーター会議", invitees=[supporter])
    talkers = [supporter, employee, alumni, *others]
    for member in talkers:
        for room in (morning, relay, news):
            do_join_room(member, room)
    for number, body in enumerate(CASUAL * 3, start=1):
        message = _say(rng.choice(talkers), casual, body, number)
        if rng.random() < 0.6:
            do_toggle_reaction(supporter, message, rng.choice(Stamp.values))
    welcome = _say(
        supporter, casual, "新しく参加された皆さん、ようこそ！🎉 気軽に話しかけてください。", 999
    )
    _reply = do_send_message(
        alumni,
        casual,
        body="ありがとうございます！よろしくお願いします。",
        client_id="demo-welcome-reply",
        thread_root=welcome,
        rate_limited=False,
    )
    for i, body in enumerate(MORNING * 2):
        _say(rng.choice(talkers), morning, body, i)
    for i, body in enumerate(ANNOUNCEMENTS):
        _say(operator, news, body, i)
    for i, body in enumerate(RELAY):
        _say(rng.choice([operator, supporter]), relay, body, i)
    pinned = Message.objects.filter(room=news).order_by("seq").first()
    if pinned is not None:
        pinned.is_pinned = True
        pinned.save(update_fields=["is_pinned"])
    direct = do_open_direct(alumni, supporter)
    _say(alumni, direct, "高橋さん、先日はありがとうございました。今度ランチでもいかがですか？", 1)
    _say(supporter, direct, "ぜひ！来週の水曜はいかがでしょう。", 2)
    office = do_open_office(alumni)
    _say(alumni, office, "総会の懇親会に家族も参加できますか？", 1)
    # Spread the demo over the last days, so the rooms do not all look written this minute.
    now = timezone.now()
    for message in Message.objects.filter(network=network).select_related("room"):
        message.created_at = now - timedelta(minutes=37 * (message.room.last_seq - message.seq))
        message.save(update_fields=["created_at"])
