"""The notification settings page: kinds grouped, only those of the member's role, a switch per
group and channel, the defaults, saving, and what a change of role does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.notify.actions import notify
from tsunagu.notify.kinds import EMAIL, INAPP, PUSH
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.notify.reads import wants
from tsunagu.notify.tokens import make_token
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .helpers import checkbox, submission

pytestmark = pytest.mark.django_db

URL = "/n/mitsuba-a/notifications/preferences/"
OPERATORS_ONLY = [
    "careers_pending",
    "news_pending",
    "insights_warnings",
    "join_application",
    "invitation_proposed",
]
BOARDS = ["boards_comment", "boards_mention", "boards_best_answer", "boards_consultation"]


def page(client: Client, **headers: Any) -> str:
    response = client.get(URL, **headers)
    assert response.status_code == 200
    return response.content.decode()


def save(client: Client, **changes: bool) -> None:
    response = client.post(URL, submission(page(client), **changes))
    assert response.status_code == 302


def test_an_alumna_sees_her_kinds_in_groups_and_none_of_the_operators(world: World) -> None:
    html = page(world.client(world.alumni_a))
    groups = re.findall(r'<h2 id="group-(\w+)"', html)
    assert groups == ["talk", "boards", "events", "news", "opportunities", "surveys", "network"]
    for key in OPERATORS_ONLY:
        assert checkbox(html, f"{key}.email") is None, key
    assert checkbox(html, "became_alumni.email") is None  # what employees hear when they leave
    for key in ("talk_direct", "event_new", "news_published", "careers_match", "welcome"):
        assert checkbox(html, f"{key}.email") is not None, key


def test_operators_and_employees_see_the_kinds_of_their_role(world: World) -> None:
    operator = page(world.client(world.operator_a))
    for key in OPERATORS_ONLY:
        assert checkbox(operator, f"{key}.inapp") is True, key
    employee = page(world.client(world.employee_a))
    assert checkbox(employee, "became_alumni.email") is True
    for key in OPERATORS_ONLY:
        assert checkbox(employee, f"{key}.inapp") is None, key
    supporter = page(world.client(world.supporter_a))
    assert checkbox(supporter, "boards_consultation.inapp") is True
    assert checkbox(supporter, "news_pending.inapp") is None


def test_direct_messages_and_mentions_come_by_email_unless_turned_off(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    html = page(world.client(world.alumni_a))
    for key in ("talk_direct", "talk_mention", "boards_mention"):
        assert checkbox(html, f"{key}.email") is True, key
        assert checkbox(html, f"{key}.push") is True, key
    # What cannot wait reaches the phone as well: the reminder the day before an event, and
    # where her application stands.
    for key in ("event_reminder", "careers_status"):
        assert checkbox(html, f"{key}.push") is True, key
    assert checkbox(html, "event_new.inapp") is True
    assert checkbox(html, "event_new.email") is False
    assert checkbox(html, "news_published.email") is False
    assert checkbox(html, "boards_comment.push") is False
    with scope(network=world.net_a), django_capture_on_commit_callbacks(execute=True):
        notify(
            world.net_a,
            [world.alumni_a.user],
            "talk_direct",
            params={"actor": "鈴木 一郎"},
            actor=world.employee_a.user,
        )
    assert [m.to for m in mail.outbox] == [[world.alumni_a.user.email]]


def test_saving_keeps_each_channel_and_only_what_differs_from_the_defaults(world: World) -> None:
    client = world.client(world.alumni_a)
    save(client, event_new__inapp=False, news_published__email=True, talk_direct__push=False)
    html = page(client)
    assert checkbox(html, "event_new.inapp") is False
    assert checkbox(html, "news_published.email") is True
    assert checkbox(html, "talk_direct.push") is False
    assert checkbox(html, "talk_direct.email") is True  # untouched
    with scopes_disabled():
        saved = NotificationPreference.objects.filter(user=world.alumni_a.user)
        assert {p.kind for p in saved} == {"event_new", "news_published", "talk_direct"}
    with scope(network=world.net_a):
        assert not wants(world.net_a, world.alumni_a.user_id, "talk_direct", PUSH)
        assert wants(world.net_a, world.alumni_a.user_id, "talk_direct", EMAIL)
        assert not wants(world.net_a, world.alumni_a.user_id, "event_new", INAPP)
    # Back to the defaults: nothing left to remember.
    save(client, event_new__inapp=True, news_published__email=False, talk_direct__push=True)
    with scopes_disabled():
        assert not NotificationPreference.objects.filter(user=world.alumni_a.user).exists()


def test_a_group_switch_turns_its_whole_group_on_and_off_without_javascript(
    world: World,
) -> None:
    client = world.client(world.alumni_a)
    html = page(client)
    assert checkbox(html, "group.boards.email") is False  # comments are not mailed by default
    assert checkbox(html, "group.talk.email") is True
    save(client, group__boards__email=True)
    html = page(client)
    assert all(checkbox(html, f"{key}.email") for key in BOARDS)
    assert checkbox(html, "group.boards.email") is True
    save(client, group__boards__email=False)
    html = page(client)
    assert not any(checkbox(html, f"{key}.email") for key in BOARDS)
    assert all(checkbox(html, f"{key}.inapp") for key in BOARDS)  # other channels stay
    assert checkbox(html, "talk_direct.email") is True  # other groups stay


def test_rows_decide_when_the_group_switch_is_left_alone(world: World) -> None:
    client = world.client(world.alumni_a)
    save(client, group__talk__inapp=True, talk_mention__inapp=False)  # on already: not flipped
    html = page(client)
    assert checkbox(html, "talk_mention.inapp") is False
    assert checkbox(html, "talk_direct.inapp") is True
    assert checkbox(html, "group.talk.inapp") is False  # no longer all on


def test_a_form_without_the_rows_changes_no_kind(world: World) -> None:
    client = world.client(world.alumni_a)
    assert client.post(URL, {"digest": "weekly"}).status_code == 302
    with scopes_disabled():
        assert not NotificationPreference.objects.exists()
    assert checkbox(page(client), "talk_direct.email") is True


def test_a_kind_turned_off_in_the_app_is_neither_listed_nor_mailed_by_default(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client(world.alumni_a)
    save(client, announcement__inapp=False, announcement__email=False)
    with scope(network=world.net_a), django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, [world.alumni_a.user], "announcement", params={"title": "総会"})
    with scopes_disabled():
        assert not Notification.objects.filter(recipient=world.alumni_a.user).exists()
    assert mail.outbox == []


def test_in_app_off_with_email_on_still_mails_but_lists_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client(world.alumni_a)
    save(client, announcement__inapp=False)
    with scope(network=world.net_a), django_capture_on_commit_callbacks(execute=True):
        notify(world.net_a, [world.alumni_a.user], "announcement", params={"title": "総会のご案内"})
    assert [m.to for m in mail.outbox] == [[world.alumni_a.user.email]]
    assert "総会のご案内" in mail.outbox[0].subject
    assert "総会のご案内" not in client.get("/n/mitsuba-a/notifications/").content.decode()
    home = client.get("/n/mitsuba-a/").content.decode()
    assert re.search(r"data-unread-count\s+hidden\s*>0<", home)
    assert "総会のご案内" not in home


def test_a_demoted_operator_loses_the_operators_kinds_at_once_and_keeps_the_choice(
    world: World,
) -> None:
    operator = world.client(world.operator_a)
    save(operator, news_pending__email=False)
    second = make_member(world.net_a, make_user(name="小林 次郎"), role=Role.OPERATOR)
    changed = world.client(second).post(
        f"/n/mitsuba-a/manage/members/{world.operator_a.pk}/",
        {"role": Role.ALUMNI, "status": "active"},
    )
    assert changed.status_code == 302
    html = page(operator)
    for key in OPERATORS_ONLY:
        assert checkbox(html, f"{key}.inapp") is None, key
    save(operator, talk_direct__email=False)  # saving as an alumna keeps the hidden choice
    with scope(network=world.net_a):
        assert notify(world.net_a, [world.operator_a.user], "news_pending", params={}) == []
        assert notify(world.net_a, [world.operator_a.user], "careers_pending", params={}) == []
        assert not wants(world.net_a, world.operator_a.user_id, "news_pending", EMAIL)
    world.client(second).post(
        f"/n/mitsuba-a/manage/members/{world.operator_a.pk}/",
        {"role": Role.OPERATOR, "status": "active"},
    )
    html = page(operator)
    assert checkbox(html, "news_pending.email") is False
    assert checkbox(html, "news_pending.inapp") is True


def test_notify_drops_members_whose_role_the_kind_is_not_for(world: World) -> None:
    members = [world.alumni_a.user, world.supporter_a.user, world.operator_a.user]
    with scope(network=world.net_a):
        sent = notify(world.net_a, members, "join_application", params={"name": "新人"})
    assert [n.recipient_id for n in sent] == [world.operator_a.user_id]


def test_the_one_click_unsubscribe_turns_off_only_the_email_of_its_kind(world: World) -> None:
    client = world.client(world.alumni_a)
    save(client, talk_direct__push=False)
    token = make_token(world.alumni_a.user_id, world.net_a.pk, "talk_direct")
    assert world.client(None).post(f"/n/mitsuba-a/unsubscribe/{token}/").status_code == 200
    html = page(client)
    assert checkbox(html, "talk_direct.email") is False
    assert checkbox(html, "talk_direct.inapp") is True
    assert checkbox(html, "talk_direct.push") is False


def test_the_page_reads_naturally_in_japanese(world: World) -> None:
    html = page(world.client(world.alumni_a), HTTP_ACCEPT_LANGUAGE="ja")
    assert "<h1>通知設定</h1>" in html
    assert '<th scope="col" class="prefs__channel">アプリ内</th>' in html
    assert "メール: 新しいダイレクトメッセージ" in html
    assert "プッシュ: トークルームのすべて" in html
    assert '<h2 id="group-news">ニュース・コラム</h2>' in html
    assert '<h2 id="group-network">ネットワーク全般</h2>' in html
    assert "プッシュ通知は、受け取る設定をした端末にだけ届きます。" in html


def test_the_page_in_english(world: World) -> None:
    html = page(world.client(world.alumni_a), HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Notification settings</h1>" in html
    assert "E-mail: New direct messages" in html
    assert "Push: everything in Talk rooms" in html


def test_the_page_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    client = world.client(world.alumni_a)
    page(client)
    # The session (the member comes from the cache), the saved choices, the digest's choice,
    # whether the member's address refuses mail, and the member's push devices.
    with django_assert_num_queries(QUERIES):
        page(client)
    save(client, event_new__inapp=False, news_published__email=True, group__boards__push=True)
    page(client)
    with django_assert_num_queries(QUERIES):
        page(client)


QUERIES = 5
