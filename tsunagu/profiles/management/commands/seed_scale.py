"""A large network for benchmarks: ``manage.py seed_scale --members 100000``."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.tenancy.actions import do_create_network
from tsunagu.tenancy.models import Membership, Network, Role
from tsunagu.tenancy.signals import members_written_in_bulk

from ...demo import (
    DEPARTMENTS,
    EMPLOYERS,
    FAMILY,
    GIVEN,
    HELP,
    LOCATIONS,
    LOOKING,
    ROLES,
    TITLES,
    _reading,
    network_tags,
)  # fmt: skip
from ...directory import entry_for, forget_results
from ...models import DirectoryEntry, Profile
from ...normalize import normalize

BATCH = 2000


class Command(BaseCommand):
    help = "Creates (or grows) a network with many members and rich profiles, for benchmarks."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--slug", default="scale")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            self._run(options["members"], options["slug"], options["seed"])

    def _run(self, members: int, slug: str, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - benchmark data, reproducible
        network = Network.objects.filter(slug=slug).first() or do_create_network(
            name="大規模テスト商事 アルムナイ", slug=slug
        )
        tags = list(network_tags(network).values())
        skill_tags = [t for t in tags if t.kind == "skill"]
        interest_tags = [t for t in tags if t.kind == "interest"]
        start = Membership.objects.filter(network=network).count()
        password = make_password("tsunagu-demo")
        through = Profile.tags.through
        for offset in range(start, members, BATCH):
            count = min(BATCH, members - offset)
            with transaction.atomic():
                users = User.objects.bulk_create(
                    User(
                        email=f"{slug}-{offset + i:06d}@example.com",
                        name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                        password=password,
                    )
                    for i in range(count)
                )
                memberships = Membership.objects.bulk_create(
                    Membership(
                        network=network,
                        user=user,
                        role=Role.EMPLOYEE if rng.random() < 0.15 else Role.ALUMNI,
                    )
                    for user in users
                )
                profiles = [self._profile(rng, m) for m in memberships]
                links = []
                skills: dict[int, list[int]] = {}
                for profile in profiles:
                    chosen = rng.sample(skill_tags, 3) + rng.sample(interest_tags, 2)
                    profile.search_text = normalize(
                        profile.search_text + " " + " ".join(t.name for t in chosen)
                    )
                    links += [through(profile_id=profile.pk, tag_id=t.pk) for t in chosen]
                    skills[profile.pk] = [t.pk for t in chosen if t.kind == "skill"]
                Profile.objects.bulk_create(profiles)
                through.objects.bulk_create(links)
                entries = (
                    entry_for(p, m, skills[p.pk])
                    for p, m in zip(profiles, memberships, strict=True)
                )
                DirectoryEntry.objects.bulk_create(e for e in entries if e is not None)
            self.stdout.write(f"{offset + count} / {members}")
        forget_results(network.pk)
        members_written_in_bulk.send(sender=Membership, network_id=network.pk)
        self.stdout.write(self.style.SUCCESS(f"/n/{slug}/ has {members} members."))

    @staticmethod
    def _profile(rng: random.Random, membership: Membership) -> Profile:
        name = membership.user.name
        kana, romaji = _reading(name)
        joined = datetime.date(rng.randint(1985, 2020), 4, 1)
        employer, industry = rng.choice(EMPLOYERS)
        profile = Profile(
            membership_id=membership.pk,
            network_id=membership.network_id,
            name_kanji=name,
            name_kana=kana,
            name_romaji=romaji,
            joined_on=joined,
            left_on=joined + datetime.timedelta(days=rng.randint(400, 9000)),
            last_department=rng.choice(DEPARTMENTS),
            last_title=rng.choice(TITLES),
            current_employer=employer,
            current_role=rng.choice(ROLES),
            industry=industry,
            location=rng.choice(LOCATIONS),
            can_help_with=rng.choice(HELP),
            looking_for=rng.choice(LOOKING),
            sort_name=normalize(kana)[:100],
        )
        profile.search_text = normalize(
            " ".join(
                [
                    name,
                    kana,
                    romaji,
                    profile.last_department,
                    profile.last_title,
                    employer,
                    profile.current_role,
                    industry,
                    profile.location,
                    profile.can_help_with,
                    profile.looking_for,
                ]  # fmt: skip
            )
        )
        return profile
