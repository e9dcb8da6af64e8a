"""Demo links: the two demo networks linked for their directories, events and rooms, a few
members found across, and one shared room with a short conversation. Used by seed_demo."""

from __future__ import annotations

from django_scopes import scope

from tsunagu.tenancy.models import Membership

from .actions import (
    ACCEPT,
    do_answer_link,
    do_create_shared_room,
    do_join_shared_room,
    do_post_shared_message,
    do_request_link,
    do_set_opt_in,
)
from .models import Link, Scope

ROOM_NAME = "デザイン×商社 合同勉強会"
CONVERSATION = [
    (0, "三ツ葉商事アルムナイ事務局の佐藤です。ひだまりデザインの皆さん、よろしくお願いします！"),
    (1, "ひだまりデザイン OB・OG会の伊藤です。合同勉強会、楽しみにしています。"),
    (2, "第1回は「新規事業のブランディング」をテーマにしませんか？"),
    (1, "いいですね。ひだまり側からロゴ制作の事例を紹介できます。"),
    (0, "では1月の土曜午後で日程を調整します。会場は三ツ葉の本社をお貸しできます。"),
]


def seed_links(asker: Membership, answerer: Membership, others: list[Membership]) -> Link:
    """``asker`` (an operator of the first network) asks ``answerer``'s network to link, which
    accepts; ``others`` (members of either side) opt in to the directory, join the room and
    talk there with the two operators."""
    scopes = [Scope.DIRECTORY, Scope.EVENTS, Scope.ROOMS]
    with scope(network=asker.network):
        link = do_request_link(
            asker,
            slug=answerer.network.slug,
            scopes=scopes,
            message="デザインと商社、互いのアルムナイで学び合える場をつくりませんか。",
        )
    with scope(network=answerer.network):
        link = do_answer_link(answerer, link, ACCEPT)
    with scope(network=asker.network):
        room = do_create_shared_room(asker, link, name=ROOM_NAME)
    speakers = [asker, answerer, *others]
    for member in speakers[1:]:
        with scope(network=member.network):
            do_join_shared_room(member, room)
            do_set_opt_in(member, link.pk, visible=True)
    for who, body in CONVERSATION:
        member = speakers[min(who, len(speakers) - 1)]
        with scope(network=member.network):
            do_post_shared_message(member, room, body, rate_limited=False)
    return link
