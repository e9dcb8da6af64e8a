"""Two networks and an outsider: every test can ask "does the other network get a 404?"."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client

from tsunagu.accounts.models import User
from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.tenancy.models import Membership, Network, Role

# Text that only members of network A may ever see. The isolation tests fail wherever it leaks.
CANARY_A = "カナリアA-7f3e9c"


@dataclass
class World:
    net_a: Network
    net_b: Network
    operator_a: Membership
    supporter_a: Membership
    employee_a: Membership
    alumni_a: Membership
    operator_b: Membership
    supporter_b: Membership
    alumni_b: Membership
    outsider: User

    def client(self, who: User | Membership | None) -> Client:
        client = Client()
        if who is not None:
            user = who.user if isinstance(who, Membership) else who
            client.force_login(user)
        return client


def build_world() -> World:
    net_a = make_network(
        slug="mitsuba-a",
        name="三ツ葉商事 アルムナイ",
        description="三ツ葉商事を卒業した仲間のネットワークです。",
    )
    net_b = make_network(slug="hidamari-b", name="ひだまり OB・OG会")
    return World(
        net_a=net_a,
        net_b=net_b,
        operator_a=make_member(net_a, make_user(name=f"佐藤 美咲 {CANARY_A}"), role=Role.OPERATOR),
        supporter_a=make_member(
            net_a, make_user(name=f"高橋 健太 {CANARY_A}"), role=Role.SUPPORTER
        ),
        employee_a=make_member(net_a, make_user(name=f"鈴木 一郎 {CANARY_A}"), role=Role.EMPLOYEE),
        alumni_a=make_member(net_a, make_user(name=f"田中 花子 {CANARY_A}"), role=Role.ALUMNI),
        operator_b=make_member(net_b, make_user(name="伊藤 大輔"), role=Role.OPERATOR),
        supporter_b=make_member(net_b, make_user(name="渡辺 さくら"), role=Role.SUPPORTER),
        alumni_b=make_member(net_b, make_user(name="山本 翔太"), role=Role.ALUMNI),
        outsider=make_user(name="部外 者"),
    )
