"""The event pages: listing, detail, creating and editing, applying, check-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.actions import VISIT_GAP
from tsunagu.events.models import (
    Audience,
    Event,
    ListVisit,
    Organiser,
    Registration,
    RegistrationStatus,
)
from tsunagu.events.tests.helpers import make_event
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.each_database

S = RegistrationStatus


def url(world: World, path: str = "", network=None) -> str:
    return f"/n/{(network or world.net_a).slug}/events/{path}"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def event_data(**overrides) -> dict:
    starts = timezone.now() + timedelta(days=10)
    data = {
        "title": "新春 総会 2027",
        "category": "assembly",
        "starts_at": local(starts),
        "ends_at": local(starts + timedelta(hours=3)),
        "venue": "東京国際フォーラム ホールB7",
        "online_url": "",
        "fee": "3000",
        "payment_note": "当日受付で現金払い",
        "capacity": "250",
        "waitlist": "on",
        "deadline": local(starts - timedelta(days=2)),
        "cancel_until": "",
        "audience": "all",
        "show_participants": "on",
        "description": "## 式次第\n\n- 開会挨拶\n- 懇親会<script>alert(1)</script>",
        "notes": "名刺をお持ちください。服装自由。",
        "questions_text": "懇親会に参加しますか?\n食物アレルギーはありますか?",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_operator_creates_an_event_with_sanitised_markdown(world: World) -> None:
    client = world.client(world.operator_a)
    response = client.post(url(world, "new/"), event_data())
    assert response.status_code == 302, response.content.decode()
    with scopes_disabled():
        event = Event.objects.get(title="新春 総会 2027")
    assert event.network == world.net_a
    assert "<h2>式次第</h2>" in event.description_html
    assert "<script>" not in event.description_html
    assert event.questions == ["懇親会に参加しますか?", "食物アレルギーはありますか?"]
    page = client.get(response["Location"]).content.decode()
    assert "東京国際フォーラム" in page and "名刺をお持ちください" in page
    assert "懇親会に参加しますか?" in page  # the question is asked in the apply form


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "ends_at", "end after it starts"),
        ({"deadline": "2099-01-01T10:00"}, "deadline", "before the event starts"),
        ({"capacity": "-5"}, "capacity", ""),
        ({"capacity": "0"}, "capacity", ""),
        ({"fee": "-100"}, "fee", ""),
        ({"online_url": "javascript:alert(1)", "venue": ""}, "online_url", ""),
        ({"online_url": "ftp://example.jp/x", "venue": ""}, "online_url", ""),
        ({"venue": "", "online_url": ""}, "venue", "venue or an online"),
        ({"starts_at": "not a date"}, "starts_at", ""),
    ],
)
@pytest.mark.django_db
def test_bad_event_input_shows_field_errors_and_saves_nothing(
    world: World, overrides: dict, field: str, message: str
) -> None:
    client = world.client(world.operator_a)
    client.cookies["django_language"] = "en"
    response = client.post(url(world, "new/"), event_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    with scopes_disabled():
        assert not Event.objects.exists()


@pytest.mark.django_db
def test_cover_must_be_a_real_image(world: World) -> None:
    client = world.client(world.operator_a)
    fake = SimpleUploadedFile("cover.png", b"not an image", content_type="image/png")
    response = client.post(url(world, "new/"), {**event_data(), "cover": fake})
    assert response.status_code == 200
    assert "cover" in response.context["form"].errors


@pytest.mark.django_db
def test_alumni_cannot_create_events_but_supporters_can_and_then_organise(world: World) -> None:
    assert world.client(world.alumni_a).get(url(world, "new/")).status_code == 403
    response = world.client(world.supporter_a).post(url(world, "new/"), event_data())
    assert response.status_code == 302
    with scopes_disabled():
        event = Event.objects.get()
        assert Organiser.objects.filter(event=event, membership=world.supporter_a).exists()
    supporter = world.client(world.supporter_a)
    assert supporter.get(url(world, f"{event.pk}/edit/")).status_code == 200
    assert supporter.get(url(world, f"{event.pk}/participants/")).status_code == 200
    alumni = world.client(world.alumni_a)
    assert alumni.get(url(world, f"{event.pk}/edit/")).status_code == 403
    assert alumni.get(url(world, f"{event.pk}/participants/")).status_code == 403


@pytest.mark.django_db
def test_where_the_network_allows_it_any_member_organises_their_own_event(world: World) -> None:
    operator = world.client(world.operator_a)
    settings_url = f"/n/{world.net_a.slug}/manage/"
    form = operator.get(settings_url).content.decode()
    assert "誰でもイベントを主催できる" in form
    data = {
        "name": world.net_a.name,
        "brand_color": "#2f5fd0",
        "members_may_create_events": "on",
    }
    assert operator.post(settings_url, data).status_code == 302
    alumni = world.client(world.alumni_a)
    assert alumni.get(url(world, "new/")).status_code == 200
    assert alumni.post(url(world, "new/"), event_data(title="OB有志の朝活")).status_code == 302
    with scopes_disabled():
        event = Event.objects.get(title="OB有志の朝活")
        assert Organiser.objects.filter(event=event, membership=world.alumni_a).exists()
    assert alumni.get(url(world, f"{event.pk}/edit/")).status_code == 200
    # Another alumni may organise their own events, not this one.
    assert world.client(world.employee_a).get(url(world, f"{event.pk}/edit/")).status_code == 403


@pytest.mark.django_db
def test_operator_names_organisers(world: World) -> None:
    client = world.client(world.operator_a)
    data = event_data(organisers=[str(world.supporter_a.pk)])
    assert client.post(url(world, "new/"), data).status_code == 302
    with scopes_disabled():
        event = Event.objects.get()
        assert list(
            Organiser.objects.filter(event=event).values_list("membership_id", flat=True)
        ) == [world.supporter_a.pk]


@pytest.mark.django_db
def test_online_url_is_shown_only_to_confirmed_participants(world: World) -> None:
    event = make_event(
        world.net_a, venue="", online_url="https://meet.example.jp/secret-room", capacity=1
    )
    other = make_member(world.net_a, make_user(name="木村 拓也"))
    alumni, second = world.client(world.alumni_a), world.client(other)
    detail = url(world, f"{event.pk}/")
    assert "secret-room" not in alumni.get(detail).content.decode()
    alumni.post(url(world, f"{event.pk}/register/"))
    second.post(url(world, f"{event.pk}/register/"))  # waitlisted
    assert "secret-room" in alumni.get(detail).content.decode()
    assert "secret-room" not in second.get(detail).content.decode()
    assert "secret-room" in world.client(world.operator_a).get(detail).content.decode()


@pytest.mark.django_db
def test_applying_through_the_page_saves_the_answers(world: World) -> None:
    event = make_event(world.net_a, questions=["懇親会に参加しますか?"])
    client = world.client(world.alumni_a)
    response = client.post(url(world, f"{event.pk}/register/"), {"q0": "はい、参加します"})
    assert response.status_code == 302
    with scopes_disabled():
        registration = Registration.objects.get(event=event)
    assert registration.status == S.CONFIRMED
    assert registration.answers == [
        {"question": "懇親会に参加しますか?", "answer": "はい、参加します"}
    ]
    page = client.get(response["Location"]).content.decode()
    assert "参加確定" in page  # the status, in Japanese
    again = client.post(url(world, f"{event.pk}/register/"), follow=True)
    assert "すでに申し込んでいます" in again.content.decode()


@pytest.mark.django_db
def test_too_long_answer_is_a_field_error_not_a_500(world: World) -> None:
    event = make_event(world.net_a, questions=["自己紹介"])
    client = world.client(world.alumni_a)
    response = client.post(url(world, f"{event.pk}/register/"), {"q0": "あ" * 1001})
    assert response.status_code == 200
    assert response.context["apply_form"].errors
    with scopes_disabled():
        assert not Registration.objects.exists()


@pytest.mark.django_db
def test_cancel_through_the_page_promotes_the_next(world: World) -> None:
    event = make_event(world.net_a, capacity=1)
    first, second = world.client(world.alumni_a), world.client(world.employee_a)
    first.post(url(world, f"{event.pk}/register/"))
    second.post(url(world, f"{event.pk}/register/"))
    first.post(url(world, f"{event.pk}/cancel/"))
    with scopes_disabled():
        assert Registration.objects.get(user=world.employee_a.user).status == S.CONFIRMED
    bell = second.get(f"/n/{world.net_a.slug}/notifications/").content.decode()
    assert "参加が確定しました" in bell


@pytest.mark.django_db
def test_listing_shows_upcoming_and_past_and_filters_by_category_and_keyword(
    world: World,
) -> None:
    now = timezone.now()
    make_event(world.net_a, title="朝活 読書会", category="study")
    make_event(world.net_a, title="夏の BBQ 大会", category="party")
    make_event(
        world.net_a, title="昨年の総会", category="assembly", starts_at=now - timedelta(days=30)
    )
    client = world.client(world.alumni_a)
    page = client.get(url(world)).content.decode()
    assert "朝活 読書会" in page and "夏の BBQ 大会" in page and "昨年の総会" not in page
    past = client.get(url(world), {"when": "past"}).content.decode()
    assert "昨年の総会" in past and "朝活 読書会" not in past
    study = client.get(url(world), {"category": "study"}).content.decode()
    assert "朝活 読書会" in study and "夏の BBQ 大会" not in study
    found = client.get(url(world), {"q": "読書"}).content.decode()
    assert "朝活 読書会" in found and "夏の BBQ 大会" not in found
    # Bad filter values are ignored, not a 500.
    assert client.get(url(world), {"category": "nope", "page": "x"}).status_code == 200


@pytest.mark.django_db
def test_audience_hides_events_from_other_groups(world: World) -> None:
    event = make_event(world.net_a, title="社員限定 オフィスツアー", audience=Audience.EMPLOYEES)
    alumni = world.client(world.alumni_a)
    assert "社員限定" not in alumni.get(url(world)).content.decode()
    assert alumni.get(url(world, f"{event.pk}/")).status_code == 404
    employee = world.client(world.employee_a)
    assert "社員限定" in employee.get(url(world)).content.decode()


@pytest.mark.django_db
def test_members_of_another_network_get_404_for_an_event(world: World) -> None:
    event = make_event(world.net_a, title=f"内部勉強会 {CANARY_A}")
    client = world.client(world.operator_b)
    for path in ("", "edit/", "participants/", "event.ics"):
        response = client.get(url(world, f"{event.pk}/{path}", network=world.net_b))
        assert response.status_code == 404, path
        assert CANARY_A not in response.content.decode()
    response = client.post(url(world, f"{event.pk}/register/", network=world.net_b))
    assert response.status_code == 404
    with scopes_disabled():
        assert not Registration.objects.exists()
    assert CANARY_A not in client.get(url(world, network=world.net_b)).content.decode()


@pytest.mark.django_db
def test_check_in_list_searches_by_name_and_checks_in_with_htmx(world: World) -> None:
    event = make_event(world.net_a)
    people = [
        make_member(world.net_a, make_user(name=n)) for n in ("青木 翼", "石井 純", "上田 優")
    ]
    for member in people:
        world.client(member).post(url(world, f"{event.pk}/register/"))
    client = world.client(world.operator_a)
    listing = client.get(url(world, f"{event.pk}/participants/"), {"q": "石井"}).content.decode()
    assert "石井 純" in listing and "青木 翼" not in listing
    fragment = client.get(
        url(world, f"{event.pk}/participants/"), {"q": "上田"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in fragment.content.decode() and "上田 優" in fragment.content.decode()
    with scopes_disabled():
        registration = Registration.objects.get(user=people[0].user)
    response = client.post(
        url(world, f"{event.pk}/participants/{registration.pk}/"),
        {"action": "attended"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "出席" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == S.ATTENDED
    # A nonsense action is explained, not a 500.
    response = client.post(
        url(world, f"{event.pk}/participants/{registration.pk}/"), {"action": "explode"}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_event_list_queries_do_not_grow_with_events(
    world: World, django_assert_max_num_queries
) -> None:
    client = world.client(world.alumni_a)
    client.get(url(world))  # warm the caches of the layout

    def fill(n: int) -> None:
        for i in range(n):
            event = make_event(world.net_a, title=f"勉強会 {i}", capacity=10)
            with scopes_disabled():
                Registration.objects.create(
                    network=world.net_a, event=event, user=world.alumni_a.user, status=S.CONFIRMED
                )

    fill(2)
    with django_assert_max_num_queries(10):
        assert client.get(url(world)).status_code == 200
    fill(18)
    with django_assert_max_num_queries(10):
        assert client.get(url(world)).status_code == 200


@pytest.mark.django_db
def test_event_page_queries_do_not_grow_with_participants(
    world: World, django_assert_max_num_queries
) -> None:
    event = make_event(world.net_a)
    client = world.client(world.alumni_a)
    client.get(url(world, f"{event.pk}/"))
    for i in range(30):
        member = make_member(world.net_a, make_user(name=f"参加者 {i}"))
        with scopes_disabled():
            Registration.objects.create(
                network=world.net_a, event=event, user=member.user, status=S.CONFIRMED
            )
    with django_assert_max_num_queries(14):
        page = client.get(url(world, f"{event.pk}/"))
    assert "参加者 29" in page.content.decode()


@pytest.mark.django_db
def test_events_created_since_the_last_visit_are_marked_new(world: World) -> None:
    make_event(world.net_a, title="既にあった勉強会")
    client = world.client(world.alumni_a)

    def later() -> None:  # everything so far happened a while ago: the next view is a new visit
        gap = VISIT_GAP + timedelta(seconds=1)
        with scopes_disabled():
            Event.objects.update(created_at=F("created_at") - gap)
            ListVisit.objects.update(seen_at=F("seen_at") - gap, new_since=F("new_since") - gap)
        cache.clear()  # what the cache kept of the visit has expired by then

    assert "badge--new" not in client.get(url(world)).content.decode()  # first visit
    make_event(world.net_a, title="新しい交流会")
    later()
    page = client.get(url(world)).content.decode()
    assert page.count("badge--new") == 1
    assert page.index("badge--new") > page.index("新しい交流会")
    again = client.get(url(world)).content.decode()  # back to the list during the same visit
    assert again.count("badge--new") == 1
    later()
    assert "badge--new" not in client.get(url(world)).content.decode()  # seen last time


@pytest.mark.django_db
def test_views_of_the_list_during_one_visit_write_nothing(
    world: World, django_assert_num_queries
) -> None:
    client = world.client(world.alumni_a)
    client.get(url(world))
    with CaptureQueriesContext(connection) as queries:
        client.get(url(world))
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


@pytest.mark.django_db
def test_month_calendar_shows_the_events_of_the_month(world: World) -> None:
    tokyo = timezone.get_current_timezone()
    from datetime import datetime

    make_event(
        world.net_a, title="12月の忘年会", starts_at=datetime(2030, 12, 20, 19, tzinfo=tokyo)
    )
    make_event(world.net_a, title="1月の新年会", starts_at=datetime(2031, 1, 10, 19, tzinfo=tokyo))
    client = world.client(world.alumni_a)
    page = client.get(url(world, "month/"), {"month": "2030-12"}).content.decode()
    assert "12月の忘年会" in page and "1月の新年会" not in page
    for bad in ("2030-13", "abc", "99999-1", ""):
        assert client.get(url(world, "month/"), {"month": bad}).status_code == 200


@pytest.mark.django_db
def test_the_list_shows_an_event_as_it_is_now_not_as_it_was_cached(world: World) -> None:
    event = make_event(world.net_a, title="朝活もくもく会", capacity=10)
    client = world.client(world.alumni_a)
    assert "0 / 10" in client.get(url(world)).content.decode()
    with scopes_disabled():
        Registration.objects.create(
            network=world.net_a, event=event, user=world.employee_a.user, status=S.CONFIRMED
        )
        event.title = "朝活もくもく会（会場変更）"
        event.save()
    page = client.get(url(world)).content.decode()
    assert "朝活もくもく会（会場変更）" in page and "1 / 10" in page
    client.cookies["django_language"] = "en"
    try:
        assert "places taken" in client.get(url(world)).content.decode()  # rows per language
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request switched this thread


@pytest.mark.django_db
def test_a_new_series_shows_on_the_list_at_once(world: World) -> None:
    from tsunagu.events.models import Series

    client = world.client(world.alumni_a)
    assert "自己紹介リレー" not in client.get(url(world)).content.decode()
    with scopes_disabled():
        series = Series.objects.create(network=world.net_a, title="自己紹介リレー")
    assert "自己紹介リレー" in client.get(url(world)).content.decode()
    with scopes_disabled():
        series.delete()
    assert "自己紹介リレー" not in client.get(url(world)).content.decode()


@pytest.mark.django_db
def test_the_list_pages_through_many_events_without_counting_them(
    world: World, django_assert_max_num_queries
) -> None:
    start = timezone.now() + timedelta(days=1)
    for i in range(25):
        make_event(
            world.net_a, title=f"連続講座 第{i + 1:02d}回", starts_at=start + timedelta(days=i)
        )
    client = world.client(world.alumni_a)
    first = client.get(url(world)).content.decode()
    assert "連続講座 第01回" in first and "連続講座 第20回" in first
    assert "連続講座 第21回" not in first and "?page=2" in first and "?page=0" not in first
    with django_assert_max_num_queries(6) as queries:
        second = client.get(url(world), {"page": "2"}).content.decode()
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)
    assert "連続講座 第21回" in second and "連続講座 第25回" in second
    assert "?page=1" in second and "?page=3" not in second
    assert client.get(url(world), {"page": "x"}).status_code == 200  # a bad number: page 1


@pytest.mark.django_db
def test_the_participant_list_and_counts_follow_every_application_and_cancellation(
    world: World,
) -> None:
    event = make_event(world.net_a, capacity=1, show_participants=True)
    reader = world.client(world.supporter_a)
    detail = url(world, f"{event.pk}/")

    def participants() -> str:
        html = reader.get(detail).content.decode()
        return html[html.index("<h1>") :]

    assert "0 / 1席" in participants()  # now cached for readers
    first, second = world.client(world.alumni_a), world.client(world.employee_a)
    first.post(url(world, f"{event.pk}/register/"))
    page = participants()
    assert world.alumni_a.user.name in page and "1 / 1席" in page
    second.post(url(world, f"{event.pk}/register/"))  # waitlisted: counted, not listed
    page = participants()
    assert world.employee_a.user.name not in page and "1人がキャンセル待ち" in page
    first.post(url(world, f"{event.pk}/cancel/"))  # the waiting member is promoted
    page = participants()
    assert world.employee_a.user.name in page and world.alumni_a.user.name not in page


@pytest.mark.django_db
def test_a_new_organiser_shows_on_the_event_page_at_once(world: World) -> None:
    operator = world.client(world.operator_a)
    assert operator.post(url(world, "new/"), event_data()).status_code == 302
    with scopes_disabled():
        event = Event.objects.get()
    detail = url(world, f"{event.pk}/")
    assert (
        world.supporter_a.user.name not in world.client(world.alumni_a).get(detail).content.decode()
    )
    edit = event_data(organisers=[str(world.supporter_a.pk)])
    assert operator.post(url(world, f"{event.pk}/edit/"), edit).status_code == 302
    assert world.supporter_a.user.name in world.client(world.alumni_a).get(detail).content.decode()


@pytest.mark.django_db
def test_a_cached_list_shows_a_new_or_edited_event_at_once(world: World) -> None:
    reader = world.client(world.alumni_a)  # organises nothing: the list is shared by audience
    assert "夏の納涼会" not in reader.get(url(world)).content.decode()  # now cached
    operator = world.client(world.operator_a)
    assert operator.post(url(world, "new/"), event_data(title="夏の納涼会")).status_code == 302
    assert "夏の納涼会" in reader.get(url(world)).content.decode()
    with scopes_disabled():
        event = Event.objects.get(title="夏の納涼会")
    edit = event_data(title="秋の納涼会")
    assert operator.post(url(world, f"{event.pk}/edit/"), edit).status_code == 302
    page = reader.get(url(world)).content.decode()
    assert "秋の納涼会" in page and "夏の納涼会" not in page


@pytest.mark.django_db
def test_the_participant_list_shows_only_when_someone_holds_a_place_and_escapes_names(
    world: World,
) -> None:
    event = make_event(world.net_a, capacity=5, show_participants=True)
    reader = world.client(world.supporter_a)
    detail = url(world, f"{event.pk}/")
    assert "<h2>参加者</h2>" not in reader.get(detail).content.decode()
    user = world.alumni_a.user
    user.name = "<b>山﨑</b> 太郎"
    user.save()
    assert world.client(world.alumni_a).post(url(world, f"{event.pk}/register/")).status_code == 302
    html = reader.get(detail).content.decode()
    assert "<h2>参加者</h2>" in html
    assert "<li>&lt;b&gt;山﨑&lt;/b&gt; 太郎</li>" in html
