from __future__ import annotations

import re

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled

from tsunagu.notify.actions import do_set_email_preference, notify
from tsunagu.notify.models import Notification, NotificationPreference
from tsunagu.notify.tokens import make_token
from tsunagu.testing.world import World

from .helpers import checkbox, submission


def announce(world: World, *members, title: str = "総会のご案内", body: str = "") -> None:  # type: ignore[no-untyped-def]
    with scope(network=world.net_a):
        notify(
            world.net_a,
            [m.user for m in members],
            "announcement",
            params={"title": title},
            body=body,
            url="/n/mitsuba-a/about/",
            actor=world.operator_a.user,
        )


@pytest.mark.django_db
def test_a_notification_shows_in_the_bell_and_the_list(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a, body="12月12日に本社で開催します。")
    client = world.client(world.alumni_a)
    home = client.get("/n/mitsuba-a/").content.decode()
    assert re.search(r"data-unread-count\s*>1<", home)
    page = client.get("/n/mitsuba-a/notifications/").content.decode()
    assert "総会のご案内" in page
    assert "12月12日に本社で開催します。" in page
    other = world.client(world.supporter_a).get("/n/mitsuba-a/").content.decode()
    assert re.search(r"data-unread-count\s+hidden\s*>0<", other)


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    world: World, django_capture_on_commit_callbacks
) -> None:
    announce(world, world.alumni_a)
    with scopes_disabled():
        notification = Notification.objects.get(recipient=world.alumni_a.user)
    client = world.client(world.alumni_a)
    client.handler.enforce_csrf_checks = True
    # Its button on the home page and on the list, with the page's token, opens it.
    for path in ("/n/mitsuba-a/", "/n/mitsuba-a/notifications/"):
        page = client.get(path).content.decode()
        assert "(未読)" in page
        button = re.search(
            r'<form method="post" action="([^"]+)"><input type="hidden" '
            r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)">\s*'
            r'<button class="linklike" type="submit">[^<]*総会のご案内',
            page,
        )
        assert button, path
        assert button[1] == f"/n/mitsuba-a/notifications/{notification.pk}/open/"
    response = client.post(button[1], {"csrfmiddlewaretoken": button[2]})
    assert response.status_code == 302
    assert response["Location"] == "/n/mitsuba-a/about/"
    with scopes_disabled():
        notification.refresh_from_db()
    assert notification.read_at is not None
    assert "(未読)" not in client.get("/n/mitsuba-a/notifications/").content.decode()
    assert client.get(f"/n/mitsuba-a/notifications/{notification.pk}/open/").status_code == 405


@pytest.mark.django_db
def test_someone_elses_notification_cannot_be_opened(world: World) -> None:
    announce(world, world.alumni_a)
    with scopes_disabled():
        notification = Notification.objects.get(recipient=world.alumni_a.user)
    response = world.client(world.supporter_a).post(
        f"/n/mitsuba-a/notifications/{notification.pk}/open/"
    )
    assert response.status_code == 404
    with scopes_disabled():
        notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.django_db
def test_mark_all_read_clears_the_badge(world: World) -> None:
    announce(world, world.alumni_a, title="一件目")
    announce(world, world.alumni_a, title="二件目")
    client = world.client(world.alumni_a)
    client.post("/n/mitsuba-a/notifications/read-all/")
    home = client.get("/n/mitsuba-a/").content.decode()
    assert re.search(r"data-unread-count\s+hidden\s*>0<", home)


@pytest.mark.django_db
def test_email_goes_out_in_the_recipients_language(
    world: World, django_capture_on_commit_callbacks
) -> None:
    world.supporter_a.user.language = "en"
    world.supporter_a.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a, world.supporter_a, title="総会")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english = by_recipient[world.supporter_a.user.email]
    japanese = by_recipient[world.alumni_a.user.email]
    assert "Announcement from 三ツ葉商事 アルムナイ: 総会" in english.subject
    assert "Announcement from" not in japanese.subject
    assert "総会" in japanese.subject
    assert "Unsubscribe" in english.body
    html = japanese.alternatives[0][0]
    assert "三ツ葉商事 アルムナイ" in html


@pytest.mark.django_db
def test_each_notification_is_emailed_once(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from tsunagu.notify.tasks import send_notification_emails

    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a)
    with scopes_disabled():
        ids = list(Notification.objects.values_list("pk", flat=True))
    send_notification_emails(world.net_a.pk, ids)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_kind_turned_off_sends_no_email_but_stays_in_app(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = world.client(world.alumni_a)
    url = "/n/mitsuba-a/notifications/preferences/"
    shown = client.get(url).content.decode()
    response = client.post(url, submission(shown, announcement__email=False))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a)
    assert mail.outbox == []
    with scopes_disabled():
        assert Notification.objects.filter(recipient=world.alumni_a.user).count() == 1
    page = client.get(url).content.decode()
    assert checkbox(page, "welcome.email") is True
    assert checkbox(page, "announcement.email") is False


@pytest.mark.django_db
def test_one_click_unsubscribe_from_the_email_link(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a)
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://testserver(/n/mitsuba-a/unsubscribe/[^/\s]+/)", message.body)
    assert link, message.body
    anonymous = world.client(None)
    shown = anonymous.get(link[1])
    assert shown.status_code == 200
    with scopes_disabled():
        assert not NotificationPreference.objects.exists()  # looking at the page changes nothing
    assert anonymous.post(link[1]).status_code == 200
    with scopes_disabled():
        pref = NotificationPreference.objects.get(user=world.alumni_a.user, kind="announcement")
    assert pref.email is False
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_forged_or_foreign_unsubscribe_token_is_refused(world: World) -> None:
    client = world.client(None)
    assert client.post("/n/mitsuba-a/unsubscribe/not-a-token/").status_code == 400
    token_for_a = make_token(world.alumni_a.user_id, world.net_a.pk, "announcement")
    assert client.post(f"/n/hidamari-b/unsubscribe/{token_for_a}/").status_code == 400
    with scopes_disabled():
        assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_suspended_members_get_no_email(world: World, django_capture_on_commit_callbacks) -> None:
    from tsunagu.notify.tasks import send_notification_email
    from tsunagu.tenancy.models import Membership, Status

    with scope(network=world.net_a):
        [notification] = notify(world.net_a, [world.alumni_a.user], "welcome")
        Membership.objects.filter(pk=world.alumni_a.pk).update(status=Status.SUSPENDED)
    assert send_notification_email(world.net_a.pk, notification.pk) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_preferences_are_per_network(world: World) -> None:
    from tsunagu.core.testing.factories import make_member
    from tsunagu.notify.reads import wants_email

    make_member(world.net_b, world.alumni_a.user)
    with scope(network=world.net_a):
        do_set_email_preference(world.net_a, world.alumni_a.user, "announcement", False)
        assert not wants_email(world.net_a, world.alumni_a.user_id, "announcement")
    with scope(network=world.net_b):
        assert wants_email(world.net_b, world.alumni_a.user_id, "announcement")


@pytest.mark.django_db
def test_an_unknown_kind_is_a_programming_error(world: World) -> None:
    with scope(network=world.net_a), pytest.raises(ValueError):
        notify(world.net_a, [world.alumni_a.user], "no-such-kind")


@pytest.mark.django_db
def test_the_bell_counts_a_notification_that_arrives_after_the_page_was_seen(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = world.client(world.alumni_a)
    assert re.search(
        r"data-unread-count\s+hidden\s*>0<", client.get("/n/mitsuba-a/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a, title="新着のお知らせ")
    home = client.get("/n/mitsuba-a/").content.decode()
    assert re.search(r"data-unread-count\s*>1<", home)
    assert "新着のお知らせ" in home


@pytest.mark.django_db
def test_cached_pages_never_put_a_password_hash_in_the_cache(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=True):
        announce(world, world.alumni_a)
    world.client(world.alumni_a).get("/n/mitsuba-a/")
    stored = b"".join(value for value in cache._cache.values())  # LocMemCache keeps pickles
    assert stored, "the home page is expected to cache what it reads"
    for member in (world.alumni_a, world.operator_a, world.supporter_a, world.employee_a):
        assert member.user.password.encode() not in stored


@pytest.mark.django_db
def test_notify_reaches_only_the_networks_active_members(world: World) -> None:
    from tsunagu.core.testing.factories import make_member
    from tsunagu.tenancy.models import Status
    from tsunagu.testing.world import CANARY_A

    suspended = make_member(world.net_a, status=Status.SUSPENDED)
    everyone = [world.alumni_a.user, world.alumni_b.user, world.outsider, suspended.user]
    # Its own rule, not only the scope's: here no scope narrows the queries.
    with scopes_disabled():
        sent = notify(world.net_a, everyone, "announcement", params={"title": CANARY_A})
    assert [n.recipient_id for n in sent] == [world.alumni_a.user_id]
    with scopes_disabled():
        assert not Notification.objects.exclude(recipient=world.alumni_a.user).exists()
