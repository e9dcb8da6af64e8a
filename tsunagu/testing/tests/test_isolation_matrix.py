"""Every URL the site knows, requested by everyone who must not see network A's data.

The matrix walks the resolver, so a page added later is covered the day it is added: a URL
pattern that is not classified below, or that takes a parameter we cannot fill, fails the test.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.announce.tests.helpers import make_draft
from tsunagu.boards.actions import do_add_comment, do_create_thread, do_report
from tsunagu.boards.models import Attachment, ThreadKind
from tsunagu.boards.tests.helpers import make_category
from tsunagu.careers.actions import FlagChoice, do_answer, do_create_opportunity, do_set_flags
from tsunagu.careers.models import OpportunityFile
from tsunagu.careers.tests.helpers import pdf_bytes
from tsunagu.collab.tests.helpers import COHOST_PAGES, link_with_a_third_network, shared_room_of
from tsunagu.consent.actions import do_record_consent, do_save_draft
from tsunagu.consent.models import HowGiven
from tsunagu.consent.tests.helpers import publish
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.events.models import Photo, Registration, Series
from tsunagu.events.tests.helpers import make_event
from tsunagu.insights.ledger import do_record_outcome
from tsunagu.insights.programme_models import Award, AwardKind, OutcomeKind
from tsunagu.news.actions import do_add_comment as do_add_article_comment
from tsunagu.news.actions import do_create_article
from tsunagu.notify.actions import notify
from tsunagu.notify.tokens import make_token
from tsunagu.onboarding.models import Application, ExitCode, ImportBatch, Invitation, InviteLink
from tsunagu.privacy.models import DataExport
from tsunagu.profiles.models import LifeUpdate
from tsunagu.push.models import PushSubscription
from tsunagu.surveys.actions import Given, do_submit_response
from tsunagu.surveys.models import Kind
from tsunagu.surveys.tests.helpers import add_question, choice_ids, make_survey
from tsunagu.talk.actions import do_send_message
from tsunagu.talk.models import Attachment as TalkAttachment
from tsunagu.talk.models import Room, RoomKind
from tsunagu.talk.tests.helpers import make_room
from tsunagu.tenancy.models import Membership, Network, Status
from tsunagu.testing.world import CANARY_A, World

YEAR = timedelta(days=365)

# What each URL is allowed to show to people outside network A.
PUBLIC = "public"  # anyone may open it; it must never show A's private data
OWN = "own"  # the visitor's own account pages: fine to open, never A's data
STAFF = "staff"  # the site admin only: nobody in the matrix is staff
MEMBERS = "members"  # pages of one network: only its active members get a 2xx

CLASSIFIED_BY_NAME: dict[str, str] = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    "livez": PUBLIC,
    "brand_css": PUBLIC,  # a colour named in its own address
    "set_language": PUBLIC,
    "account_settings": OWN,
    # The person's own data: an export of someone else is missing (404).
    "privacy:overview": OWN,
    "privacy:request_export": OWN,
    "privacy:download": OWN,
    "privacy:delete": OWN,
    "privacy:cancel": OWN,
    "after_login": OWN,  # back to the visitor's own pending invitation, or the front door
    "offboarding_openapi": PUBLIC,  # the hook's description, the same for every network
    # The installable app: the same for everyone, holding nobody's data (the offline page is
    # kept by browsers for whoever uses them next).
    "push:manifest": PUBLIC,
    "push:service_worker": PUBLIC,
    "push:offline": PUBLIC,
    # A device belongs to its account: another account's device is missing (404).
    "push:subscribe": OWN,
    "push:unsubscribe": OWN,
    "push:remove_device": OWN,
    # The mail provider's bounces: 404 unless BOUNCE_WEBHOOK_SECRET is set, then 401 without it;
    # it answers only counts, never who is a member of what.
    "bounce_webhook": PUBLIC,
    "feed:home": MEMBERS,
    "feed:search": MEMBERS,
    "feed:welcome": MEMBERS,
    "tenancy:about": PUBLIC,
    # Leaving: outsiders and members of other networks get a 404 (nothing to leave).
    "tenancy:leave": MEMBERS,
    "tenancy:manage_settings": MEMBERS,
    "tenancy:manage_members": MEMBERS,
    "tenancy:manage_member_change": MEMBERS,
    "notify:list": MEMBERS,
    "notify:read_all": MEMBERS,
    "notify:open": MEMBERS,
    "notify:preferences": MEMBERS,
    "notify:mailbox_later": MEMBERS,
    "notify:unsubscribe": PUBLIC,
    # The digest's one-click unsubscribe: the signed token is the proof, and visitors hold only
    # a notification kind's token, which it refuses. The preview is the operators'.
    "digest:unsubscribe": PUBLIC,
    "digest:preview": MEMBERS,
    "consent:policy": MEMBERS,
    "consent:manage": MEMBERS,
    "consent:draft": MEMBERS,
    "consent:publish": MEMBERS,
    "announce:list": MEMBERS,
    "announce:monthly_cap": MEMBERS,
    "announce:compose": MEMBERS,
    "announce:audience_count": MEMBERS,
    "announce:detail": MEMBERS,
    "announce:edit": MEMBERS,
    "announce:preview": MEMBERS,
    "announce:test": MEMBERS,
    "announce:send": MEMBERS,
    "announce:delete": MEMBERS,
    "profiles:directory": MEMBERS,
    "profiles:detail": MEMBERS,
    "profiles:photo": MEMBERS,
    "profiles:me": MEMBERS,
    "profiles:edit": MEMBERS,
    "profiles:confirm_employer": MEMBERS,
    "profiles:post_update": MEMBERS,
    "profiles:delete_update": MEMBERS,
    "profiles:roster": MEMBERS,
    "profiles:roster_export": MEMBERS,
    "audit:log": MEMBERS,
    "audit:export": MEMBERS,
    "audit:my_access": MEMBERS,
    "events:list": MEMBERS,
    "events:create": MEMBERS,
    "events:month": MEMBERS,
    "events:series_create": MEMBERS,
    "events:series": MEMBERS,
    "events:present": MEMBERS,
    "events:figures": MEMBERS,
    "events:figures_csv": MEMBERS,
    "events:detail": MEMBERS,
    "events:edit": MEMBERS,
    "events:register": MEMBERS,
    "events:cancel": MEMBERS,
    "events:call_off": MEMBERS,
    "events:ics": MEMBERS,
    "events:cover": MEMBERS,
    "events:description_image": MEMBERS,
    "events:delete": MEMBERS,
    "events:photo": MEMBERS,
    "events:feedback": MEMBERS,
    "events:report": MEMBERS,
    "events:participants": MEMBERS,
    "events:registration_update": MEMBERS,
    "events:feed_rotate": MEMBERS,
    # A calendar application's subscription: no login, the token is the secret. Visitors hold
    # only a token for another purpose (an unsubscribe token of A's alumni), which must not open it.
    "events:feed_mine": PUBLIC,
    "events:feed_all": PUBLIC,
    "boards:index": MEMBERS,
    "boards:category": MEMBERS,
    "boards:unanswered": MEMBERS,
    "boards:new_thread": MEMBERS,
    "boards:search": MEMBERS,
    "boards:thread": MEMBERS,
    "boards:thread_edit": MEMBERS,
    "boards:thread_history": MEMBERS,
    "boards:comment": MEMBERS,
    "boards:thread_react": MEMBERS,
    "boards:subscription": MEMBERS,
    "boards:thread_moderate": MEMBERS,
    "boards:thread_report": MEMBERS,
    "boards:poll_vote": MEMBERS,
    "boards:comment_goto": MEMBERS,
    "boards:comment_edit": MEMBERS,
    "boards:comment_history": MEMBERS,
    "boards:comment_react": MEMBERS,
    "boards:best_answer": MEMBERS,
    "boards:comment_moderate": MEMBERS,
    "boards:comment_report": MEMBERS,
    "boards:attachment": MEMBERS,
    "boards:moderation": MEMBERS,
    "boards:resolve_report": MEMBERS,
    "boards:manage_categories": MEMBERS,
    "boards:manage_category": MEMBERS,
    "onboarding:console": MEMBERS,
    "insights:dashboard": MEMBERS,
    "insights:export": MEMBERS,
    "insights:chart": MEMBERS,
    "insights:settings": MEMBERS,
    "onboarding:members": MEMBERS,
    "onboarding:members_bulk": MEMBERS,
    "onboarding:settings": MEMBERS,
    "onboarding:import_upload": MEMBERS,
    "onboarding:import_mapping": MEMBERS,
    "onboarding:import_rejections": MEMBERS,
    "onboarding:invitations": MEMBERS,
    "onboarding:invitations_send": MEMBERS,
    "onboarding:do_not_invite": MEMBERS,
    "onboarding:invitation_action": MEMBERS,
    "onboarding:links": MEMBERS,
    "onboarding:exit_codes": MEMBERS,
    "onboarding:exit_code": MEMBERS,
    "onboarding:link_revoke": MEMBERS,
    "onboarding:applications": MEMBERS,
    "onboarding:decide": MEMBERS,
    "onboarding:member_invite": MEMBERS,
    # Open to people outside the network by design: applying, and invitations whose token is the
    # secret. Visitors hold only a token for another purpose, which must not open anything.
    "onboarding:apply": PUBLIC,
    "onboarding:accept_invitation": PUBLIC,
    "onboarding:accept_link": PUBLIC,
    "onboarding:exit_register": PUBLIC,  # the leaver's phone: the code is the proof
    "onboarding:stop_invitations": PUBLIC,  # the invitation's own token is the proof
    # The HR system's hook: a key, not a login; without A's key it answers 401.
    "onboarding:offboarding_api": PUBLIC,
    "news:list": MEMBERS,
    "news:create": MEMBERS,
    "news:manage": MEMBERS,
    "news:detail": MEMBERS,
    "news:edit": MEMBERS,
    "news:delete": MEMBERS,
    "news:cover": MEMBERS,
    "news:react": MEMBERS,
    "news:comment": MEMBERS,
    "news:review": MEMBERS,
    "news:pin": MEMBERS,
    "news:comment_delete": MEMBERS,
    "news:feed_rotate": MEMBERS,
    # A feed reader's subscription: no login, the token is the secret (as the calendar feeds).
    "news:feed_rss": PUBLIC,
    "news:feed_atom": PUBLIC,
    "careers:list": MEMBERS,
    "careers:create": MEMBERS,
    "careers:mine": MEMBERS,
    "careers:open_to": MEMBERS,
    "careers:talent": MEMBERS,
    "careers:manage": MEMBERS,
    "careers:recruiter": MEMBERS,
    "careers:detail": MEMBERS,
    "careers:edit": MEMBERS,
    "careers:close": MEMBERS,
    "careers:delete": MEMBERS,
    "careers:review": MEMBERS,
    "careers:answer": MEMBERS,
    "careers:answers": MEMBERS,
    "careers:answers_export": MEMBERS,
    "careers:file": MEMBERS,
    "careers:answer_status": MEMBERS,
    "careers:answer_withdraw": MEMBERS,
    "careers:answer_cv": MEMBERS,
    "talk:index": MEMBERS,
    "talk:people": MEMBERS,
    "talk:office": MEMBERS,
    "talk:new_group": MEMBERS,
    "talk:direct": MEMBERS,
    "talk:attachment": MEMBERS,
    "talk:manage": MEMBERS,
    "talk:manage_room": MEMBERS,
    "talk:room": MEMBERS,
    "talk:send": MEMBERS,
    "talk:join": MEMBERS,
    "talk:leave": MEMBERS,
    "talk:read": MEMBERS,
    "talk:search": MEMBERS,
    "talk:files": MEMBERS,
    "talk:members": MEMBERS,
    "talk:mentions": MEMBERS,
    "talk:thread": MEMBERS,
    "talk:react": MEMBERS,
    "talk:edit": MEMBERS,
    "talk:delete": MEMBERS,
    "talk:moderate": MEMBERS,
    "programme:welcome_queue": MEMBERS,
    "programme:ranking": MEMBERS,
    "programme:settings": MEMBERS,
    "programme:give_award": MEMBERS,
    "programme:withdraw_award": MEMBERS,
    "programme:ledger": MEMBERS,
    "programme:ledger_export": MEMBERS,
    "programme:quarter_report": MEMBERS,
    "programme:quarter_report_csv": MEMBERS,
    "programme:ledger_edit": MEMBERS,
    "programme:ledger_decide": MEMBERS,
    "surveys:list": MEMBERS,
    "surveys:create": MEMBERS,
    "surveys:copy": MEMBERS,
    "surveys:answer": MEMBERS,
    "surveys:draft": MEMBERS,
    "surveys:edit_link": MEMBERS,
    "surveys:edit": MEMBERS,
    "surveys:questions": MEMBERS,
    "surveys:section_add": MEMBERS,
    "surveys:question_edit": MEMBERS,
    "surveys:question_delete": MEMBERS,
    "surveys:publish": MEMBERS,
    "surveys:close": MEMBERS,
    "surveys:results": MEMBERS,
    "surveys:crosstab": MEMBERS,
    "surveys:export_csv": MEMBERS,
    "surveys:export_xlsx": MEMBERS,
    # Links between networks and shared rooms (test_link_isolation, test_shared_room_isolation).
    **{f"collab:{name}": MEMBERS for name in ("links", "answer", "revoke", "sharing", "people")},
    **{f"collab:{name}": MEMBERS for name in ("seen", "disclosures_export", "withdraw", "rooms")},
    **{f"collab:room{n}": MEMBERS for n in ("", "_create", "_send", "_join", "_leave", "_export")},
    **dict.fromkeys(COHOST_PAGES, MEMBERS),
}


def classify(route: str, name: str | None) -> str | None:
    if name in CLASSIFIED_BY_NAME:
        return CLASSIFIED_BY_NAME[name]
    if route.startswith("admin/"):
        return PUBLIC if name in {"admin:login", "admin:logout"} else STAFF
    if route.startswith("accounts/") and name and name.startswith(("account_", "mfa_")):
        return OWN  # allauth's pages act on the visitor's own account
    if route.startswith("^media/"):
        return PUBLIC  # media files: served only while DEBUG
    return None


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route) + re.findall(r"\(\?P<(\w+)>", self.route)

    def build(self, values: dict[str, str]) -> str:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], self.route)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], path)
        path = path.replace("^", "").replace("$", "")
        return "/" + path


def all_routes() -> Iterator[Route]:
    def walk(patterns: list, prefix: str, namespace: str | None) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield Route(prefix + str(p.pattern), name)

    yield from walk(get_resolver().url_patterns, "", None)


def values_from_network_a(world: World) -> dict[str, str]:
    """Real identifiers of A's objects, so each page is asked for something that exists."""
    alumni = world.alumni_a
    with scope(network=world.net_a):
        [notification] = notify(
            world.net_a, [alumni.user], "announcement", params={"title": CANARY_A}, body=CANARY_A
        )
        update = LifeUpdate.objects.create(
            network=world.net_a, membership=alumni, body=f"転職しました {CANARY_A}"
        )
        category = make_category(world.net_a, name=f"相談 {CANARY_A}")
        thread = do_create_thread(
            world.employee_a,
            category=category,
            kind=ThreadKind.CONSULTATION,
            title=f"補助金の使い方 {CANARY_A}",
            body=f"教えてください {CANARY_A}",
        )
        comment = do_add_comment(
            alumni,
            thread,
            body=f"回答です {CANARY_A}",
            attachment=SimpleUploadedFile(f"{CANARY_A}.pdf", f"%PDF-1.4 {CANARY_A}".encode()),
        )
        attachment = Attachment.objects.get(comment=comment)
        report = do_report(alumni, thread, comment, f"通報 {CANARY_A}")
        article = do_create_article(
            world.operator_a,
            kind="company_news",
            title=f"社内報 {CANARY_A}",
            body=f"新規事業を始めます {CANARY_A}",
            tags=[f"新規事業{CANARY_A[-6:]}"],
            cover=SimpleUploadedFile("cover.png", image_bytes()),
        )
        article_comment = do_add_article_comment(alumni, article, body=f"応援します {CANARY_A}")
        do_create_article(
            alumni, kind="column", title=f"承認待ちのコラム {CANARY_A}", body=CANARY_A
        )
        room = Room.objects.get(network=world.net_a, is_default=True)
        talk_message, _new = do_send_message(
            alumni,
            room,
            body=f"雑談です {CANARY_A} https://example.jp/{CANARY_A}",
            client_id="matrix-1",
            upload=SimpleUploadedFile(f"{CANARY_A}.pdf", f"%PDF-1.4 {CANARY_A}".encode()),
        )
        talk_file = TalkAttachment.objects.get(message=talk_message)
        opportunity = do_create_opportunity(
            world.employee_a,
            kind="comeback",
            title=f"カムバック採用 {CANARY_A}",
            description=f"戻ってきませんか {CANARY_A}",
            remote="hybrid",
            compensation=f"年収 {CANARY_A}",
            audience="all",
            attachment=SimpleUploadedFile(f"{CANARY_A}.pdf", f"%PDF-1.4 {CANARY_A}".encode()),
        )
        opportunity_file = OpportunityFile.objects.get(opportunity=opportunity)
        job_application = do_answer(
            alumni,
            opportunity,
            mode="apply",
            message=f"応募します {CANARY_A}",
            cv=SimpleUploadedFile(f"履歴書{CANARY_A}.pdf", pdf_bytes(CANARY_A)),
        )
        do_set_flags(alumni, [FlagChoice("comeback", "recruiters")])
    email = EmailAddress.objects.get(user=alumni.user)
    with scope(network=world.net_a):
        batch = ImportBatch.objects.create(
            network=world.net_a, filename=f"{CANARY_A}.csv", file="imports/missing.csv",
            kind="csv", headers=[CANARY_A],
            rejections=[{"line": 2, "reason": CANARY_A, "cells": [CANARY_A]}],
        )  # fmt: skip
        invitation = Invitation.objects.create(
            network=world.net_a, email="invitee@example.jp", name=f"招待 {CANARY_A}", status="sent"
        )
        link = InviteLink.objects.create(network=world.net_a, label=f"LINE {CANARY_A}")
        exit_code = ExitCode.objects.create(
            network=world.net_a,
            name=f"退職 {CANARY_A}",
            left_on=timezone.localdate(),
            expires_at=timezone.now() + ExitCode.VALID,
        )
        applicant = world.outsider.__class__.objects.create_user(
            email=f"applicant@{world.net_a.slug}.example.jp",
            password="x-pass-123",
            name=f"申請 {CANARY_A}",
        )
        Membership.objects.create(
            network=world.net_a, user=applicant, status=Status.PENDING, role="alumni"
        )
        application = Application.objects.create(
            network=world.net_a, user=applicant, answers=[{"question": "?", "answer": CANARY_A}]
        )
    event = make_event(
        world.net_a,
        title=f"総会 {CANARY_A}",
        description=CANARY_A,
        report=CANARY_A,
        online_url="https://meet.example.jp/" + CANARY_A,
    )
    with scopes_disabled():
        series = Series.objects.create(network=world.net_a, title=f"自己紹介リレー {CANARY_A}")
        event.series = series
        event.save()
        registration = Registration.objects.create(
            network=world.net_a, event=event, user=alumni.user, status="confirmed"
        )
        event.cover.save("cover.png", ContentFile(canary_png()))
        photo = Photo.objects.create(
            network=world.net_a, event=event, image=ContentFile(canary_png(), name="photo.png")
        )
    with scope(network=world.net_a):
        award = Award.objects.create(
            network=world.net_a, year=2026, kind=AwardKind.MOST_ACTIVE, member=alumni
        )
        outcome = do_record_outcome(
            world.operator_a,
            kind=OutcomeKind.BUSINESS_DEAL,
            on=timezone.localdate() - timedelta(days=1),
            note=f"商談 {CANARY_A}",
            members=[alumni],
        )
    announcement = make_draft(world.operator_a, subject=f"一斉メール {CANARY_A}", body=CANARY_A)
    survey = make_survey(world.net_a, title=f"満足度調査 {CANARY_A}", description=CANARY_A)
    survey_question = add_question(
        survey, f"ご意見 {CANARY_A}", Kind.SINGLE, (f"満足 {CANARY_A}", "不満")
    )
    with scope(network=world.net_a):
        do_submit_response(
            alumni, survey, {survey_question.pk: Given(choice_ids=[choice_ids(survey_question)[0]])}
        )
    # A's policy, accepted by A's members (so they are not stopped by the gate), and a draft.
    # The published text is shown to applicants; the draft is the operators' alone.
    policy = publish(world.operator_a)
    with scope(network=world.net_a):
        for member in (world.operator_a, world.supporter_a, world.employee_a, alumni):
            do_record_consent(member, policy, how=HowGiven.PAGE)
        do_save_draft(world.operator_a, purpose=f"下書き {CANARY_A}", policy=CANARY_A)
    device, _new = PushSubscription.objects.get_or_create(
        endpoint=f"https://fcm.googleapis.com/fcm/send/{CANARY_A}",
        defaults={"user": alumni.user, "p256dh": "BAx", "auth": "x", "label": f"iPhone {CANARY_A}"},
    )
    network_link = link_with_a_third_network(world.operator_a, alumni, CANARY_A)
    export = DataExport.objects.create(
        user=alumni.user,
        ready_at=timezone.now(),
        expires_at=timezone.now() + DataExport.VALID,
    )
    export.file.save("exports/matrix.zip", ContentFile(CANARY_A.encode()), save=True)
    return {
        "export_id": str(export.pk),
        "subscription_id": str(device.pk),
        "award_id": str(award.pk),
        "outcome_id": str(outcome.pk),
        "survey_id": str(survey.pk),
        "announcement_id": str(announcement.pk),
        "question_id": str(survey_question.pk),
        "network_slug": world.net_a.slug,
        "membership_id": str(world.operator_a.pk),
        "notification_id": str(notification.pk),
        "update_id": str(update.pk),
        "category_id": str(category.pk),
        "thread_id": str(thread.pk),
        "comment_id": str(comment.pk),
        "report_id": str(report.pk),
        "attachment_id": str(attachment.pk),
        "article_id": str(article.pk),
        "article_comment_id": str(article_comment.pk),
        "token": make_token(alumni.user_id, world.net_a.pk, "announcement"),
        "key": EmailConfirmationHMAC(email).key,
        "uidb36": user_pk_to_url_str(alumni.user),
        "app_label": "tenancy",
        "object_id": str(world.net_a.pk),
        "url": "tenancy/network/",
        "path": "networks/logos/a.png",
        "content_type_id": str(ContentType.objects.get_for_model(Network).pk),
        "id": str(world.operator_a.user_id),
        "event_id": str(event.pk),
        "registration_id": str(registration.pk),
        "series_id": str(series.pk),
        "photo_id": str(photo.pk),
        "feed_token": make_token(alumni.user_id, world.net_a.pk, "announcement"),
        "batch_id": str(batch.pk),
        "invitation_id": str(invitation.pk),
        "link_id": str(link.pk),
        "code_id": str(exit_code.pk),
        "exit_token": "x" * 43,  # a code nobody was given: the real one is the leaver's own
        "application_id": str(application.pk),
        "invite_token": make_token(alumni.user_id, world.net_a.pk, "announcement"),
        "room_id": str(room.pk),
        "message_id": str(talk_message.pk),
        "file_id": str(talk_file.pk),
        "opportunity_id": str(opportunity.pk),
        "opportunity_file_id": str(opportunity_file.pk),
        "job_application_id": str(job_application.pk),
        "chart_name": "active",
        "collab_link_id": str(network_link.pk),
        "shared_room_id": str(shared_room_of(network_link).pk),
    }


def canary_png() -> bytes:
    """A real image that carries the canary in a text chunk: served bytes can be searched."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", CANARY_A)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


@dataclass
class Visitor:
    """A client that stays logged in as its user: a request that logs it out (the logout page)
    is followed by a new login, so every request of the matrix is made as that visitor."""

    user: User | None
    client: Client

    def request(self, method: str, url: str) -> HttpResponse:
        if self.user is not None and SESSION_KEY not in self.client.session:
            self.client.force_login(self.user)
        if self.user is not None:
            assert self.client.session[SESSION_KEY] == str(self.user.pk)
        return getattr(self.client, method)(url)


def visitors(world: World) -> dict[str, Visitor]:
    with scopes_disabled():
        suspended = Membership.objects.create(
            network=world.net_a,
            user=world.outsider.__class__.objects.create_user(
                email="suspended@example.jp", password="x-pass-123", name="停止 中"
            ),
            role="alumni",
            status=Status.SUSPENDED,
        )
    users: dict[str, User | None] = {
        "anonymous": None,
        "outsider": world.outsider,
        "alumni of B": world.alumni_b.user,
        "supporter of B": world.supporter_b.user,
        "operator of B": world.operator_b.user,
        "suspended member of A": suspended.user,
    }
    return {who: Visitor(user, world.client(user)) for who, user in users.items()}


def snapshot(world: World) -> list[tuple]:
    with scopes_disabled():
        return list(
            Membership.objects.filter(network=world.net_a)
            .order_by("pk")
            .values_list("pk", "role", "status")
        )


@pytest.mark.django_db
def test_every_url_pattern_is_in_the_matrix(world: World) -> None:
    values = values_from_network_a(world)
    unclassified = [r for r in all_routes() if classify(r.route, r.name) is None]
    unfillable = [(r.route, p) for r in all_routes() for p in r.params if p not in values]
    assert not unclassified, f"classify these URL patterns in the isolation matrix: {unclassified}"
    assert not unfillable, f"give the isolation matrix a value for these parameters: {unfillable}"


@pytest.mark.django_db
def test_nobody_outside_network_a_sees_its_pages_or_data(
    world: World, django_capture_on_commit_callbacks
) -> None:
    values = values_from_network_a(world)
    clients = visitors(world)
    before = snapshot(world)
    failures: list[str] = []
    for route in all_routes():
        category = classify(route.route, route.name)
        if category is None or any(p not in values for p in route.params):
            continue  # reported by the test above
        url = route.build(values)
        for who, visitor in clients.items():
            for method in ("get", "post"):
                response = visitor.request(method, url)
                body = response.content.decode("utf-8", "replace")
                where = f"{method.upper()} {url} as {who} ({category})"
                if CANARY_A in body or CANARY_A in response.get("Location", ""):
                    failures.append(f"{where}: shows network A's private data")
                if response.status_code >= 500:
                    failures.append(f"{where}: server error {response.status_code}")
                if category in (MEMBERS, STAFF) and 200 <= response.status_code < 300:
                    failures.append(f"{where}: answered {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot(world) == before, "a request from outside changed network A's memberships"


@pytest.mark.django_db
def test_members_of_b_get_404_for_a_objects_through_their_own_network(world: World) -> None:
    """Pages under B's address with A's identifiers: 'missing' and 'not yours' look alike, even
    after A's members filled the caches with those very pages."""
    a_values = values_from_network_a(world)
    values = a_values | {"network_slug": world.net_b.slug}
    object_params = {
        "membership_id",
        "notification_id",
        "update_id",
        "event_id",
        "registration_id",
        "series_id",
        "photo_id",
        "category_id",
        "thread_id",
        "comment_id",
        "report_id",
        "attachment_id",
        "batch_id",
        "invitation_id",
        "link_id",
        "code_id",
        "application_id",
        "article_id",
        "article_comment_id",
        "room_id",
        "message_id",
        "file_id",
        "opportunity_id",
        "opportunity_file_id",
        "job_application_id",
        "survey_id",
        "question_id",
        "announcement_id",
        "collab_link_id",
        "shared_room_id",
    }
    routes = [
        route
        for route in all_routes()
        if classify(route.route, route.name) == MEMBERS and object_params & set(route.params)
    ]
    for member in (world.alumni_a, world.operator_a):
        client = world.client(member)
        for route in routes:
            client.get(route.build(a_values))  # A's own pages, now in the caches
    checked = 0
    for route in routes:
        url = route.build(values)
        for member in (world.alumni_b, world.supporter_b, world.operator_b):
            client = world.client(member)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                checked += 1
                assert response.status_code in (403, 404, 405), (url, member.role, method)
                assert CANARY_A not in response.content.decode()
    assert checked >= 12


@pytest.mark.django_db
def test_network_a_members_do_see_their_own_data(world: World) -> None:
    """The canary is visible where it should be, so the matrix above can fail."""
    operator = world.client(world.operator_a)
    response = operator.get(f"/n/{world.net_a.slug}/manage/console/members/")
    assert response.status_code == 200
    assert CANARY_A in response.content.decode()
    alumni = world.client(world.alumni_a)
    values_from_network_a(world)
    response = alumni.get(f"/n/{world.net_a.slug}/notifications/")
    assert response.status_code == 200
    assert CANARY_A in response.content.decode()
    for page in ("members/", f"members/{world.alumni_a.pk}/", "manage/roster/export.csv"):
        response = operator.get(f"/n/{world.net_a.slug}/{page}")
        assert response.status_code == 200, page
        assert CANARY_A in response.content.decode("utf-8-sig"), page
    response = alumni.get(f"/n/{world.net_a.slug}/events/")
    assert response.status_code == 200
    assert CANARY_A in response.content.decode()
    for page in ("", "news/", "search/?q=カナリア", "search/?q=" + CANARY_A[-6:]):
        response = alumni.get(f"/n/{world.net_a.slug}/{page}")
        assert response.status_code == 200, page
        assert CANARY_A in response.content.decode(), page


@pytest.mark.django_db
def test_unknown_network_is_a_404_for_everyone(world: World) -> None:
    for client in (world.client(None), world.client(world.operator_a)):
        assert client.get("/n/no-such-network/").status_code == 404
        assert client.get("/n/no-such-network/manage/").status_code == 404


B_LISTS = (
    "",  # the home feed
    "boards/",
    "boards/consultations/unanswered/",
    "boards/search/?q=カナリア",
    "talk/",
    "events/",
    "events/?past=1",
    "news/",
    "careers/",
    "careers/?q=カナリア",
    "careers/mine/",
    "members/",
    "members/?q=カナリア",
    "search/?q=カナリア",
    "search/?q=" + CANARY_A[-6:],
    "policy/",
)


@pytest.mark.django_db
def test_b_lists_never_show_what_a_members_warmed_into_the_caches(world: World) -> None:
    """A's members fill every shared and cached list first; B's members, on B's own lists,
    then never see A's canary (a statement that forgot its network would show it here)."""
    values_from_network_a(world)
    make_room(world.operator_a, name=f"部屋 {CANARY_A}", kind=RoomKind.OPEN)
    make_event(world.net_a, title=f"交流会 {CANARY_A}")
    make_event(world.net_a, title=f"昨年の交流会 {CANARY_A}", starts_at=timezone.now() - YEAR)
    make_event(world.net_b, title="ひだまり交流会")
    make_room(world.operator_b, name="ひだまり雑談", kind=RoomKind.OPEN)
    a_members = (world.operator_a, world.supporter_a, world.employee_a, world.alumni_a)
    for member in a_members:
        client = world.client(member)
        for page in B_LISTS:
            response = client.get(f"/n/{world.net_a.slug}/{page}")
            assert response.status_code == 200, (page, member.role)
    # The canary is on A's own lists, so the check below can fail.
    a_talk = world.client(world.alumni_a).get(f"/n/{world.net_a.slug}/talk/")
    assert CANARY_A in a_talk.content.decode()
    failures = []
    for member in (world.operator_b, world.supporter_b, world.alumni_b):
        client = world.client(member)
        for page in B_LISTS:
            response = client.get(f"/n/{world.net_b.slug}/{page}")
            assert response.status_code == 200, (page, member.role)
            if CANARY_A in response.content.decode():
                failures.append(f"{page} as {member.role} of B")
    assert not failures, failures
