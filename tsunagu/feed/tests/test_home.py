"""The home feed: every app's news in one list, newest first, pinned announcements on top."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.boards.models import Thread, ThreadKind
from tsunagu.boards.tests.helpers import make_category, make_thread
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.tests.helpers import make_event
from tsunagu.feed.actions import visit_key
from tsunagu.feed.models import Visit, Welcome
from tsunagu.news.actions import do_create_article, do_set_pinned
from tsunagu.notify.models import Notification
from tsunagu.profiles.models import LifeUpdate, Profile, Tag
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.actions import do_leave_network
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def home(world: World) -> str:
    return f"/n/{world.net_a.slug}/"


def article(world: World, title: str, **extra: Any) -> Any:
    with scope(network=world.net_a):
        return do_create_article(
            world.operator_a, kind="company_news", title=title, body="本文", **extra
        )


def titles_in_order(page: str, titles: list[str]) -> list[str]:
    found = [(page.find(t), t) for t in titles if t in page]
    return [t for _, t in sorted(found)]


def test_the_feed_brings_every_kind_of_news_together_newest_first(world: World) -> None:
    newcomer = make_member(world.net_a, make_user(name="新入 太郎"))
    with scopes_disabled():
        LifeUpdate.objects.create(
            network=world.net_a, membership=world.alumni_a, body="福岡に引っ越しました"
        )
    make_event(world.net_a, title="秋の交流会")
    make_thread(world.employee_a, title="業務効率化ツールの話")
    article(world, "新規事業のお知らせ")
    page = world.client(world.supporter_a).get(home(world)).content.decode()
    expected = [
        "新規事業のお知らせ",
        "業務効率化ツールの話",
        "秋の交流会",
        "福岡に引っ越しました",
        "新入 太郎さんがネットワークに参加しました。",
    ]
    feed = page[page.index('id="feed-items"') :]
    assert titles_in_order(feed, expected) == expected
    assert newcomer.pk  # the newcomer is among the new members


def test_pinned_announcements_come_first(world: World) -> None:
    pinned = article(world, "【重要】総会のお知らせ")
    with scope(network=world.net_a):
        do_set_pinned(world.operator_a, pinned, True)
    make_thread(world.alumni_a, title="あとから立ったスレッド")
    page = world.client(world.alumni_a).get(home(world)).content.decode()
    assert page.index("【重要】総会のお知らせ") < page.index("あとから立ったスレッド")
    assert page.index('id="feed-pinned"') < page.index('id="feed-items"')
    # Once unpinned, it takes its place among the rest.
    with scope(network=world.net_a):
        do_set_pinned(world.operator_a, pinned, False)
    page = world.client(world.alumni_a).get(home(world)).content.decode()
    assert 'id="feed-pinned"' not in page
    assert page.index("あとから立ったスレッド") < page.index("【重要】総会のお知らせ")


def test_new_since_the_last_visit_is_marked_and_stays_marked_while_reading(world: World) -> None:
    client = world.client(world.alumni_a)
    make_thread(world.employee_a, title="前からある話題")
    client.get(home(world))  # the first visit marks nothing
    with scopes_disabled():
        Visit.objects.filter(member=world.alumni_a).update(
            last_seen_at=timezone.now() - timedelta(hours=3)
        )
        Thread.objects.filter(title="前からある話題").update(
            created_at=timezone.now() - timedelta(hours=5)
        )
    cache.delete(visit_key(world.alumni_a))  # three hours on, it has expired
    make_thread(world.employee_a, title="留守中に立った話題")
    for _ in range(2):  # reloading keeps the marks
        page = client.get(home(world)).content.decode()
        new_items = re.findall(r'<li class="feed-item feed-item--new".*?</li>', page, re.S)
        assert any("留守中に立った話題" in item for item in new_items)
        assert not any("前からある話題" in item for item in new_items)


def ids_on(page: str) -> list[str]:
    return re.findall(r'href="/n/mitsuba-a/boards/t/(\d+)/"', page)


def test_the_feed_scrolls_by_keyset_without_gaps_or_repeats(world: World) -> None:
    category = make_category(world.net_a, "雑談")
    now = timezone.now()
    with scopes_disabled():
        Membership.objects.filter(network=world.net_a).update(created_at=now - timedelta(days=30))
        Thread.objects.bulk_create(
            Thread(
                network=world.net_a,
                category=category,
                author=world.alumni_a,
                title=f"話題 {i}",
                body="本文",
                body_html="<p>本文</p>",
                # Pairs share a time: the cursor still orders them by id.
                created_at=now - timedelta(minutes=i // 2),
            )
            for i in range(45)
        )
        expected = [
            str(pk)
            for pk in Thread.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
        ]
    client = world.client(world.alumni_a)
    page = client.get(home(world)).content.decode()
    seen = ids_on(page[page.index('id="feed-items"') :])
    more = re.search(
        r'<a class="button button--ghost" href="(/n/mitsuba-a/\?before=[0-9-]+)">', page
    )
    assert more, "a plain link for browsers without JavaScript"
    assert "もっと見る" in page
    # HTMX asks for the next pieces and swaps them in.
    next_url = more[1]
    pages = 1
    while next_url:
        fragment = client.get(next_url, HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in fragment
        seen += ids_on(fragment)
        found = re.search(r'hx-get="(/n/mitsuba-a/\?before=[0-9-]+)"', fragment)
        next_url = found[1] if found else ""
        pages += 1
    assert "これ以上はありません。" in fragment
    assert seen[: len(expected)] == expected
    assert len(seen) == len(set(seen))
    assert pages == 3  # 45 threads and 7 members, 20 a page


def test_a_plain_more_link_opens_a_full_page_and_a_broken_cursor_is_the_first_page(
    world: World,
) -> None:
    for i in range(25):
        make_thread(world.alumni_a, title=f"スレッド {i}")
    client = world.client(world.alumni_a)
    page = client.get(home(world)).content.decode()
    more = re.search(r'href="(/n/mitsuba-a/\?before=[0-9-]+)"', page)
    assert more
    response = client.get(more[1])
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    for broken in ("abc", "1-2", "99999999999999999999-1-1", "1-9-1", "-1-1-1", "１-1-1"):
        response = client.get(home(world) + f"?before={broken}")
        assert response.status_code == 200, broken
        assert "スレッド 24" in response.content.decode()


def test_newcomers_are_welcomed_with_one_click(world: World) -> None:
    newcomer = make_member(world.net_a, make_user(name="新入 花子"))
    client = world.client(world.supporter_a)
    page = client.get(home(world)).content.decode()
    assert f'action="/n/mitsuba-a/welcome/{newcomer.pk}/"' in page
    response = client.post(f"/n/mitsuba-a/welcome/{newcomer.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert "<span>1</span>" in response.content.decode()
    with scopes_disabled():
        note = Notification.objects.get(kind="feed_welcome")
        assert note.recipient_id == newcomer.user_id
    # Clicking again takes it back; the newcomer is told only once.
    response = client.post(f"/n/mitsuba-a/welcome/{newcomer.pk}/", HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    with scopes_disabled():
        assert not Welcome.objects.exists()
    # Welcoming again gives the stamp back without telling the newcomer a second time.
    for _click in range(3):
        client.post(f"/n/mitsuba-a/welcome/{newcomer.pk}/", HTTP_HX_REQUEST="true")
    with scopes_disabled():
        assert Welcome.objects.count() == 1
        assert Notification.objects.filter(kind="feed_welcome").count() == 1
        Welcome.objects.all().delete()
    # Nobody welcomes themselves, and a member of another network cannot be welcomed here.
    own = world.client(newcomer.user)
    assert f"/welcome/{newcomer.pk}/" not in own.get(home(world)).content.decode()
    own.post(f"/n/mitsuba-a/welcome/{newcomer.pk}/")
    assert client.post(f"/n/mitsuba-a/welcome/{world.alumni_b.pk}/").status_code == 404
    with scopes_disabled():
        assert not Welcome.objects.exists()


def skill(member: Membership, name: str, kind: str = "skill") -> None:
    with scopes_disabled():
        tag, _ = Tag.objects.get_or_create(
            network=member.network, kind=kind, name=name, normalized=normalize(name)
        )
        Profile.objects.get(membership=member).tags.add(tag)


def test_a_row_shared_between_readers_shows_each_their_own_marks_and_stamp(world: World) -> None:
    """A row's HTML is kept once for every reader (feed/items.py); whether it is new to them,
    whether they welcomed the newcomer and whether it is their own arrival are theirs."""
    newcomer = make_member(world.net_a, make_user(name="新入 次郎"))
    welcomer, other = world.client(world.supporter_a), world.client(world.employee_a)
    welcomer.get(home(world))
    welcomer.post(f"/n/mitsuba-a/welcome/{newcomer.pk}/")

    def stamp(client: Any) -> str:
        page = client.get(home(world)).content.decode()
        start = page.index(f'action="/n/mitsuba-a/welcome/{newcomer.pk}/"')
        return page[start : page.index("</form>", start)]

    assert 'aria-pressed="true"' in stamp(welcomer) and "<span>1</span>" in stamp(welcomer)
    assert 'aria-pressed="false"' in stamp(other) and "<span>1</span>" in stamp(other)
    assert "stamp--mine" not in stamp(other)
    own = world.client(newcomer.user).get(home(world)).content.decode()
    assert "新入 次郎" in own and f"/welcome/{newcomer.pk}/" not in own


def test_consultations_matching_the_members_skills_come_first(world: World) -> None:
    skill(world.employee_a, "経理")
    make_thread(
        world.alumni_a, kind=ThreadKind.CONSULTATION, title="経理システムの選び方", body="教えて"
    )
    make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="朝活の始め方", body="教えて")
    page = world.client(world.employee_a).get(home(world)).content.decode()
    block = page[page.index('id="feed-waiting"') : page.index('id="feed"')]
    assert block.index("経理システムの選び方") < block.index("朝活の始め方")
    assert "スキル・関心に一致：経理" in block
    # A member without that skill sees both, newest first, unmarked.
    other = world.client(world.operator_a).get(home(world)).content.decode()
    block = other[other.index('id="feed-waiting"') : other.index('id="feed"')]
    assert block.index("朝活の始め方") < block.index("経理システムの選び方")
    assert "一致" not in block


def test_supporters_see_the_consultations_waiting_for_an_answer(world: World) -> None:
    make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="副業の始め方を教えて")
    page = world.client(world.supporter_a).get(home(world)).content.decode()
    block = page[page.index('id="feed-waiting"') : page.index('id="feed"')]
    assert "副業の始め方を教えて" in block
    assert "サポーターとしての回答が" in block
    # The asker does not see their own question among those waiting for them.
    own = world.client(world.alumni_a).get(home(world)).content.decode()
    assert 'id="feed-waiting"' not in own


def test_events_for_another_audience_stay_out_of_the_feed(world: World) -> None:
    make_event(world.net_a, title="社員限定の勉強会", audience="employees")
    make_event(world.net_a, title="全員参加の交流会")
    alumni = world.client(world.alumni_a).get(home(world)).content.decode()
    assert "全員参加の交流会" in alumni
    assert "社員限定の勉強会" not in alumni
    assert "社員限定の勉強会" in world.client(world.employee_a).get(home(world)).content.decode()


def test_changes_show_at_once_despite_the_cache(world: World) -> None:
    client = world.client(world.alumni_a)
    client.get(home(world))
    thread = make_thread(world.employee_a, title="新しい話題")
    assert "新しい話題" in client.get(home(world)).content.decode()
    world.client(world.operator_a).post(
        f"/n/mitsuba-a/boards/t/{thread.pk}/moderate/", {"action": "hide"}
    )
    assert "新しい話題" not in client.get(home(world)).content.decode()
    assert "新しい話題" not in world.client(world.operator_a).get(home(world)).content.decode()


def test_a_scheduled_article_appears_when_its_time_comes(world: World) -> None:
    article(world, "まもなく公開", published_at=timezone.now() + timedelta(seconds=1.5))
    client = world.client(world.alumni_a)
    assert "まもなく公開" not in client.get(home(world)).content.decode()  # cached now
    time.sleep(1.6)
    assert "まもなく公開" in client.get(home(world)).content.decode()


def test_another_network_never_sees_this_feed(world: World) -> None:
    make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title=f"相談 {CANARY_A}")
    article(world, f"社内報 {CANARY_A}")
    make_event(world.net_a, title=f"交流会 {CANARY_A}")
    world.client(world.alumni_a).get(home(world))
    for member in (world.alumni_b, world.supporter_b, world.operator_b):
        page = world.client(member).get(f"/n/{world.net_b.slug}/").content.decode()
        assert CANARY_A not in page
        fragment = world.client(member).get(
            f"/n/{world.net_b.slug}/?before=99999999999999999-4-999", HTTP_HX_REQUEST="true"
        )
        assert CANARY_A not in fragment.content.decode()


def grow(world: World, count: int) -> None:
    category = make_category(world.net_a, f"カテゴリ {count}")
    for i in range(count):
        newcomer = make_member(world.net_a, make_user(name=f"会員 {count}-{i}"))
        make_thread(newcomer, category=category, title=f"話題 {count}-{i}")
        make_thread(newcomer, category=category, kind=ThreadKind.CONSULTATION, title=f"相談 {i}")
        make_event(world.net_a, title=f"イベント {count}-{i}")
        article(world, f"記事 {count}-{i}")
        with scopes_disabled():
            LifeUpdate.objects.create(network=world.net_a, membership=newcomer, body=f"近況 {i}")
            Welcome.objects.create(network=world.net_a, newcomer=newcomer, member=world.alumni_a)
    skill(world.alumni_a, "話題")


@pytest.mark.parametrize("which", ["first page", "first page, cache cold", "next page"])
def test_the_feed_runs_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any, which: str
) -> None:

    client = world.client(world.alumni_a)

    def load() -> None:
        url = home(world)
        if which == "next page":
            url += f"?before={int(time.time() * 1e6) - 1}-4-0"
        elif which == "first page, cache cold":
            cache.clear()
        client.get(url)

    grow(world, 3)
    client.get(home(world))
    load()
    with django_assert_num_queries(QUERIES[which]):
        load()
    grow(world, 30)
    load()
    with django_assert_num_queries(QUERIES[which]):
        load()


# Cold, the header also asks once whether the network has a link with another (collab/header.py).
QUERIES = {"first page": 2, "first page, cache cold": 25, "next page": 7}


def test_the_feed_speaks_english_to_those_who_chose_it(world: World) -> None:
    make_member(world.net_a, make_user(name="新入 太郎"))
    make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="経理の相談")
    client = world.client(world.employee_a)
    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get(home(world)).content.decode()
    for words in ("What is new", "Consultations waiting for an answer", "joined the network."):
        assert words in page
    assert "新着" not in page
    assert "新着" in world.client(world.operator_a).get(home(world)).content.decode()


def test_a_member_who_left_is_named_in_each_readers_own_language(world: World) -> None:
    english = world.client(world.supporter_a)
    english.post("/language/", {"language": "en", "next": "/"})
    make_thread(world.employee_a, title="退会前に立てた話題")
    do_leave_network(world.employee_a)
    # A reader in Japanese of the same audience builds the rows both share.
    world.client(world.alumni_a).get(home(world))
    page = english.get(home(world)).content.decode()
    item = re.search(
        r'<li class="feed-item[^>]*>(?:(?!</li>).)*退会前に立てた話題.*?</li>', page, re.S
    )
    assert item
    assert "former member" in item[0]
    assert "退会したメンバー" not in item[0]
    assert world.employee_a.user.name not in item[0]


def test_the_forms_of_the_home_page_and_its_htmx_header_share_a_working_token(
    world: World,
) -> None:
    newcomer = make_member(world.net_a, make_user(name="新入 次郎"))
    client = world.client(world.supporter_a)
    client.handler.enforce_csrf_checks = True
    page = client.get(home(world)).content.decode()
    header = re.search(r'"X-CSRFToken": "([A-Za-z0-9]+)"', page)
    assert header
    fields = set(re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page))
    assert fields == {header[1]}  # one masked token for the layout's forms and the feed's
    welcome = f"/n/mitsuba-a/welcome/{newcomer.pk}/"
    assert client.post(welcome, HTTP_HX_REQUEST="true").status_code == 403
    response = client.post(welcome, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=header[1])
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
