"""Demo data: two Japanese alumni networks with operators, supporters, employees and alumni."""

from __future__ import annotations

import random
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scope

from tsunagu.accounts.models import User
from tsunagu.notify.actions import notify
from tsunagu.profiles.demo import FAMILY, GIVEN
from tsunagu.tenancy.actions import do_add_member, do_create_network
from tsunagu.tenancy.models import Membership, Network, Role

DEMO_PASSWORD = "tsunagu-demo"  # noqa: S105 - the documented demo password

MITSUBA_DESCRIPTION = """\
三ツ葉商事を卒業したアルムナイと現役社員をつなぐ、**公式**のコミュニティです。

- 「誰が今どこで働いているか」がわかる名簿
- 雑談ルーム・朝活ルーム・相談掲示板
- 年に一度のアルムナイ総会と、毎週のオンライン自己紹介リレー

会社の近況もお届けします。お気軽に「最近何してるの？」を投稿してください。
"""

HIDAMARI_DESCRIPTION = """\
ひだまりデザインのOB・OGが**有志で運営**している会です。

デザイン・編集・Web制作の仕事の相談や、副業・業務委託の紹介、年2回の飲み会をしています。
"""

KEY_PEOPLE: list[dict[str, Any]] = [
    {"email": "operator@example.com", "name": "佐藤 美咲", "networks": {"mitsuba": Role.OPERATOR}},
    {
        "email": "supporter@example.com",
        "name": "高橋 健太",
        "networks": {"mitsuba": Role.SUPPORTER},
    },
    {"email": "employee@example.com", "name": "鈴木 一郎", "networks": {"mitsuba": Role.EMPLOYEE}},
    {
        "email": "alumni@example.com",
        "name": "田中 花子",
        "networks": {"mitsuba": Role.ALUMNI, "hidamari": Role.ALUMNI},
    },
    {"email": "hidamari@example.com", "name": "伊藤 大輔", "networks": {"hidamari": Role.OPERATOR}},
    {"email": "admin@example.com", "name": "サイト管理者", "networks": {}, "site_admin": True},
]


class Command(BaseCommand):
    help = "Creates two demo alumni networks with Japanese members (password: tsunagu-demo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any network exists."
        )
        parser.add_argument("--members", type=int, default=40, help="Extra alumni per network.")
        parser.add_argument(
            "--past-events", type=int, default=24, help="Past events of the first network."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Network.objects.exists():
            self.stdout.write("Demo data already present.")
            self._print_logins()
            return
        backend = settings.EMAIL_BACKEND
        # Demo members get in-app notifications, but nobody needs a console full of e-mails.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        try:
            with transaction.atomic():
                self._seed(options["members"])
                seed_demo_events(options["past_events"])
                seed_demo_insights()
        finally:
            settings.EMAIL_BACKEND = backend
        self.stdout.write(self.style.SUCCESS("Demo data created."))
        self._print_logins()

    def _user(self, email: str, name: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            # Hashing is slow on purpose; every demo member shares one password, so hash it once.
            if not hasattr(self, "_password_hash"):
                self._password_hash = make_password(DEMO_PASSWORD)
            user = User.objects.create(email=email, name=name, password=self._password_hash)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _seed(self, extra_members: int) -> None:
        rng = random.Random(20261120)  # noqa: S311 - demo data, reproducible
        networks = {
            "mitsuba": do_create_network(
                name="三ツ葉商事 アルムナイネットワーク",
                slug="mitsuba",
                tagline="卒業しても、三ツ葉の仲間。",
                brand_color="#1f5fa8",
                description=MITSUBA_DESCRIPTION,
                eligibility="三ツ葉商事株式会社およびグループ会社を退職された方、現役社員の方",
                join_questions=["在籍していた部署と期間を教えてください", "参加のきっかけは？"],
            ),
            "hidamari": do_create_network(
                name="ひだまりデザイン OB・OG会",
                slug="hidamari",
                tagline="有志でつながる、ゆるやかな同窓会",
                brand_color="#c2541b",
                description=HIDAMARI_DESCRIPTION,
                eligibility="ひだまりデザインに在籍したことのある方",
            ),
        }
        for person in KEY_PEOPLE:
            user = self._user(person["email"], person["name"])
            if person.get("site_admin"):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            for slug, role in person["networks"].items():
                with scope(network=networks[slug]):
                    do_add_member(networks[slug], user, role=role)
        used: set[str] = {p["name"] for p in KEY_PEOPLE}
        for index, (slug, network) in enumerate(networks.items()):
            count = extra_members if index == 0 else max(extra_members // 3, 5)
            with scope(network=network):
                for number in range(count):
                    name = self._unique_name(rng, used)
                    user = self._user(f"{slug}{number + 1:03d}@example.com", name)
                    role = Role.EMPLOYEE if rng.random() < 0.2 else Role.ALUMNI
                    if number < 3:
                        role = Role.SUPPORTER
                    do_add_member(network, user, role=role)
        from tsunagu.profiles.demo import fill_demo_profiles

        for network in networks.values():
            with scope(network=network):
                fill_demo_profiles(network, rng)
        mitsuba = networks["mitsuba"]
        operator = User.objects.get(email="operator@example.com")
        with scope(network=mitsuba):
            from tsunagu.tenancy.access import filter_active_members

            everyone = list(filter_active_members(mitsuba).values_list("user_id", flat=True))
            notify(
                mitsuba,
                everyone,
                "announcement",
                params={"title": "2026年度 アルムナイ総会のご案内"},
                body="12月12日（土）14時から、本社20階ホールで総会を開きます。懇親会もあります。",
                actor=operator,
            )
        with scope(network=mitsuba):
            from tsunagu.boards.demo import seed_boards

            key = {
                email: Membership.objects.get(network=mitsuba, user__email=email)
                for email in (
                    "operator@example.com",
                    "supporter@example.com",
                    "employee@example.com",
                    "alumni@example.com",
                )
            }
            others = list(
                Membership.objects.filter(network=mitsuba, user__email__startswith="mitsuba")
                .select_related("user", "network")
                .order_by("pk")[:20]
            )
            seed_boards(mitsuba, [*key.values(), *others], rng)
            from tsunagu.news.demo import seed_news

            seed_news(mitsuba, [*key.values(), *others], rng)
        with scope(network=mitsuba):
            from tsunagu.onboarding.demo import seed_onboarding

            seed_onboarding(mitsuba, key["operator@example.com"], rng)
        with scope(network=mitsuba):
            from tsunagu.talk.demo import seed_talk

            seed_talk(mitsuba, [*key.values(), *others], rng)
        from tsunagu.careers.demo import seed_careers

        for network in networks.values():
            with scope(network=network):
                people = list(
                    Membership.objects.filter(network=network, status="active")
                    .select_related("user", "network")
                    .order_by("pk")[:30]
                )
                seed_careers(network, people, rng)
        from tsunagu.insights.demo import seed_programme

        for network in networks.values():
            with scope(network=network):
                seed_programme(network, rng)
        from tsunagu.surveys.demo import seed_surveys

        for network in networks.values():
            with scope(network=network):
                office = Membership.objects.filter(network=network, role=Role.OPERATOR).first()
                if office is not None:
                    seed_surveys(network, office, rng)
        from tsunagu.announce.demo import seed_announcements

        with scope(network=mitsuba):
            seed_announcements(mitsuba, key["operator@example.com"], rng)
        from tsunagu.consent.demo import seed_policy

        companies = {
            "mitsuba": ("三ツ葉商事株式会社", "alumni@mitsuba.example.com"),
            "hidamari": ("株式会社ひだまりデザイン", "obog@hidamari.example.com"),
        }
        for slug, network in networks.items():
            with scope(network=network):
                office = (
                    Membership.objects.filter(network=network, role=Role.OPERATOR)
                    .select_related("user", "network")
                    .first()
                )
                if office is not None:
                    company, contact = companies[slug]
                    seed_policy(network, office, company=company, contact=contact)
        from tsunagu.collab.demo import seed_links

        hidamari = networks["hidamari"]
        with scope(network=hidamari):
            hidamari_office = Membership.objects.select_related("user", "network").get(
                network=hidamari, user__email="hidamari@example.com"
            )
            hidamari_member = (
                Membership.objects.filter(network=hidamari, user__email__startswith="hidamari0")
                .select_related("user", "network")
                .order_by("pk")
                .first()
            )
        # Linked for their directories, events and rooms; one shared room with a conversation.
        seed_links(
            key["operator@example.com"],
            hidamari_office,
            [m for m in (others[0] if others else None, hidamari_member) if m is not None],
        )
        # Boards' long thread is inserted in bulk, without the signals that index posts.
        from tsunagu.feed.search import reindex_network

        for network in networks.values():
            reindex_network(network.pk)
        # Demo notifications stay in the app: a worker with real mail settings must not send them.
        from django.utils import timezone

        from tsunagu.notify.models import Notification

        for network in networks.values():
            with scope(network=network):
                Notification.objects.filter(network=network).update(emailed_at=timezone.now())

    @staticmethod
    def _unique_name(rng: random.Random, used: set[str]) -> str:
        while True:
            name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}"
            if name not in used:
                used.add(name)
                return name

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for person in KEY_PEOPLE:
            roles = ", ".join(f"{slug}: {role}" for slug, role in person["networks"].items())
            if person.get("site_admin"):
                roles = "site admin: /admin/"
            self.stdout.write(f"  {person['email']:<24} {person['name']}  ({roles})")


def seed_demo_insights() -> None:
    """A year of activity days and contributions, for the operators' dashboard."""
    from tsunagu.insights.demo_activity import seed_insights

    rng = random.Random(20261122)  # noqa: S311 - demo data, reproducible
    for network in Network.objects.order_by("pk"):
        seed_insights(network, rng)


def seed_demo_events(past_events: int) -> None:
    """Upcoming events of the first network, and past ones with who came (for the figures)."""
    from datetime import timedelta

    from django.utils import timezone

    from tsunagu.events.models import Event, Registration, RegistrationStatus

    mitsuba = Network.objects.get(slug="mitsuba")
    rng = random.Random(20261121)  # noqa: S311 - demo data, reproducible
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    with scope(network=mitsuba):
        people = list(
            User.objects.filter(memberships__network=mitsuba)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        alumni = User.objects.get(email="alumni@example.com")
        # The first event is the general assembly: the benchmark opens /events/1/ on a new database.
        upcoming = [
            Event(
                network=mitsuba,
                title="2026年度 アルムナイ総会",
                category="assembly",
                starts_at=now + timedelta(days=21, hours=14 - now.hour),
                ends_at=now + timedelta(days=21, hours=18 - now.hour),
                venue="三ツ葉商事 本社20階ホール",
                fee=3000,
                payment_note="当日受付で現金払い",
                capacity=250,
                description="## 式次第\n\n1. 事務局より活動報告\n2. 事業説明\n3. 懇親会",
                notes="名刺をお持ちください。服装は自由です。",
            ),
            Event(
                network=mitsuba,
                title="オンライン自己紹介リレー",
                category="meetup",
                starts_at=now + timedelta(days=3, hours=20 - now.hour),
                ends_at=now + timedelta(days=3, hours=21 - now.hour),
                online_url="https://meet.example.com/mitsuba-relay",
                capacity=30,
                description="毎週一人、近況を話します。聞くだけの参加も歓迎です。",
            ),
            Event(
                network=mitsuba,
                title="朝活 読書会",
                category="study",
                starts_at=now + timedelta(days=9, hours=7 - now.hour),
                ends_at=now + timedelta(days=9, hours=8 - now.hour),
                venue="丸の内 カフェ",
                capacity=8,
                notes="課題本を読んできてください。",
            ),
        ]
        for event in upcoming:
            event.save()
        Registration.objects.create(
            network=mitsuba, event=upcoming[0], user=alumni, status=RegistrationStatus.CONFIRMED
        )
        titles = ["交流会", "勉強会", "オフィスツアー", "ファミリーデー", "自己紹介リレー"]
        categories = ["meetup", "study", "tour", "family", "meetup"]
        past = [
            Event(
                network=mitsuba,
                title=f"第{n + 1}回 {titles[n % 5]}",
                category=categories[n % 5],
                starts_at=now - timedelta(days=7 * (past_events - n)),
                ends_at=now - timedelta(days=7 * (past_events - n), hours=-2),
                venue="三ツ葉商事 本社",
                capacity=20,
                description="",
            )
            for n in range(past_events)
        ]
        for event in past:  # save() renders the Markdown; bulk_create would not
            event.description_html = ""
        Event.objects.bulk_create(past, batch_size=500)
        registrations = []
        for event in past:
            for user_id in rng.sample(people, min(len(people), rng.randint(3, 8))):
                status = (
                    RegistrationStatus.ATTENDED
                    if rng.random() < 0.85
                    else RegistrationStatus.NO_SHOW
                )
                registrations.append(
                    Registration(network=mitsuba, event=event, user_id=user_id, status=status)
                )
        Registration.objects.bulk_create(registrations, batch_size=1000)
