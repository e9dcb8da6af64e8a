"""A member with something of every kind, in two networks, and other people's rows beside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, record
from tsunagu.boards.actions import do_add_comment, do_create_thread, do_toggle_reaction
from tsunagu.boards.models import ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.careers.actions import do_answer, do_create_opportunity
from tsunagu.careers.tests.helpers import pdf_bytes
from tsunagu.collab.tests.helpers import join, link_networks, open_room, say
from tsunagu.core.testing.factories import make_member
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.digest.models import DigestPreference
from tsunagu.events.models import Registration
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_add_comment as do_comment_article
from tsunagu.news.actions import do_create_article
from tsunagu.news.actions import do_toggle_reaction as do_stamp_article
from tsunagu.notify.models import NotificationPreference
from tsunagu.onboarding.models import Invitation
from tsunagu.profiles.models import LifeUpdate, Profile
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.models import Kind
from tsunagu.surveys.tests.helpers import add_question, make_survey
from tsunagu.talk.actions import do_send_message
from tsunagu.talk.actions import do_toggle_reaction as do_stamp_message
from tsunagu.talk.models import Room
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World

OTHERS = "他人の書き込み-4c1d"


@dataclass
class Filled:
    member_a: Membership
    member_b: Membership
    canary: str
    objects: dict[str, Any] = field(default_factory=dict)


def fill(world: World, canary: str) -> Filled:
    """alumni_a, also a member of network B, with the canary in every field they can fill."""
    person = world.alumni_a
    user = person.user
    user.name = f"田中 花子 {canary}"
    user.save()
    member_b = make_member(world.net_b, user)
    filled = Filled(person, member_b, canary)
    for member in (person, member_b):
        net = member.network
        with scope(network=net):
            profile = Profile.objects.get(membership=member)
            for name in (
                "display_name", "name_kanji", "name_kana", "name_romaji", "last_department",
                "last_title", "current_employer", "current_role", "location", "can_help_with",
                "looking_for", "introduction", "links",
            ):  # fmt: skip
                setattr(profile, name, f"{name} {canary}")
            profile.contact_email = f"{canary.lower()}@contact.example.jp"
            profile.contact_phone = "090-0000-0000"
            profile.photo.save(f"{canary}.png", ContentFile(image_bytes()), save=False)
            profile.save()
            from tsunagu.profiles.indexing import reindex

            reindex(profile)
            LifeUpdate.objects.create(network=net, membership=member, body=f"転職 {canary}")
            operator = world.operator_a if net == world.net_a else world.operator_b
            category = make_category(net, name="雑談")
            thread = do_create_thread(
                member, category=category, kind=ThreadKind.DISCUSSION,
                title=f"題 {canary}", body=f"本文 {canary}",
                attachment=SimpleUploadedFile(f"添付{canary}.pdf", b"%PDF-1.4 " + canary.encode()),
            )  # fmt: skip
            do_add_comment(operator, thread, body=f"返信 {OTHERS}")
            do_add_comment(member, thread, body=f"コメント {canary}")
            do_toggle_reaction(member, thread, None, "like")
            room = Room.objects.get(network=net, is_default=True)
            do_send_message(operator, room, body=f"やあ {OTHERS}", client_id="o-1")
            message, _new = do_send_message(
                member, room, body=f"雑談 {canary} https://example.jp/{canary}",
                client_id="m-1",
                upload=SimpleUploadedFile(f"資料{canary}.pdf", b"%PDF-1.4 " + canary.encode()),
            )  # fmt: skip
            do_stamp_message(member, message, "like")
            article = do_create_article(
                operator, kind="company_news", title="社内報", body="お知らせ"
            )
            do_comment_article(member, article, body=f"応援 {canary}")
            do_stamp_article(member, article, "like")
            do_create_article(member, kind="column", title=f"コラム {canary}", body=canary)
            opportunity = do_create_opportunity(
                operator, kind="comeback", title="カムバック採用", description="募集",
                remote="hybrid", compensation="", audience="all",
            )  # fmt: skip
            do_answer(
                member, opportunity, mode="apply", message=f"応募 {canary}",
                cv=SimpleUploadedFile(f"履歴書{canary}.pdf", pdf_bytes(canary)),
            )  # fmt: skip
            NotificationPreference.objects.create(network=net, user=user, kind="announcement")
            DigestPreference.objects.create(network=net, user=user, frequency="monthly")
            Invitation.objects.create(
                network=net, email=user.email, name=f"招待 {canary}", status="accepted",
                membership=member,
            )  # fmt: skip
            record(operator, AuditAction.VIEW_PRIVATE_FIELDS, target=member, name=user.name)
        event = make_event(
            net, title="交流会", starts_at=timezone.now() - timezone.timedelta(days=3)
        )
        with scopes_disabled():
            Registration.objects.create(
                network=net, event=event, user=user, status="attended",
                answers=[{"question": "アレルギー", "answer": f"そば {canary}"}],
            )  # fmt: skip
        named = make_survey(net, title="満足度", anonymity="named")
        q_named = add_question(named, "ご意見", Kind.SHORT)
        anonymous = make_survey(net, title="匿名", anonymity="anonymous")
        q_anon = add_question(anonymous, "匿名のご意見", Kind.SHORT)
        with scope(network=net):
            do_submit_response(member, named, {q_named.pk: Given(text=f"名前つき {canary}")})
            do_submit_response(member, anonymous, {q_anon.pk: Given(text="匿名の回答-77aa")})
        filled.objects[net.slug] = {"thread": thread, "message": message, "room": room}
    # A room the two networks share, where the person wrote beside someone else.
    link = link_networks(world.operator_a, world.operator_b, ("rooms",))
    shared = open_room(world.operator_a, link, "合同勉強会")
    say(world.operator_a, shared, f"ようこそ {OTHERS}")
    join(person, shared)
    say(person, shared, f"合同 {canary}")
    return filled
