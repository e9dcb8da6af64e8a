"""Writing an announcement: the composer, its audience count, bad input, drafts saved once, and
the composer filled in from an event or an article."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from tsunagu.announce.models import Announcement, Audience
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.events.tests.helpers import make_event
from tsunagu.news.actions import do_create_article
from tsunagu.profiles.models import Profile
from tsunagu.tenancy.models import Role
from tsunagu.testing.world import World

from .helpers import base, compose_data

pytestmark = pytest.mark.django_db


def drafts(world: World) -> list[Announcement]:
    with scopes_disabled():
        return list(Announcement.objects.filter(network=world.net_a))


def test_an_operator_writes_a_draft_and_sees_how_many_it_reaches(world: World) -> None:
    client = world.client(world.operator_a)
    page = client.get(base(world) + "new/")
    assert page.status_code == 200
    assert page.context["audience_count"] == 4  # everyone in network A

    answer = client.post(base(world) + "new/", compose_data(audience="employees"))
    [draft] = drafts(world)
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{draft.pk}/")
    assert draft.subject == "秋の総会のご案内" and draft.audience == Audience.EMPLOYEES
    assert draft.author_id == world.operator_a.pk and draft.is_draft
    detail = client.get(answer["Location"])
    assert detail.context["audience_count"] == 1  # the one employee
    assert "11月15日に本社で総会を開きます。" in detail.content.decode()


def test_the_audience_count_follows_the_composers_fields(world: World) -> None:
    with scopes_disabled():
        Profile.objects.filter(membership=world.alumni_a).update(
            left_on="2019-03-31", last_department="営業部 第二課"
        )
        Profile.objects.filter(membership=world.supporter_a).update(
            left_on="2012-03-31", last_department="営業部"
        )
    client = world.client(world.operator_a)
    count = base(world) + "audience/"

    def reaches(**query: str) -> int:
        answer = client.get(count, query, HTTP_HX_REQUEST="true")
        assert answer.status_code == 200
        return answer.context["audience_count"]

    assert reaches(audience="all") == 4
    assert reaches(audience="alumni") == 2  # the alumna and the supporter
    assert reaches(audience="employees") == 1
    assert reaches(audience="segment", department="営業") == 2
    assert reaches(audience="segment", left_from="2015", department="営業") == 1
    assert reaches(audience="segment", left_from="2020") == 0
    bad = {"audience": "segment", "left_from": "2020", "left_to": "2010"}
    assert client.get(count, bad).status_code == 400
    said = client.get(count, bad, HTTP_HX_REQUEST="true")  # htmx swaps only a 2xx answer
    assert said.status_code == 200 and said.context["audience_count"] is None


def test_an_empty_audience_is_shown_as_such_before_sending(world: World) -> None:
    client = world.client(world.operator_a)
    answer = client.post(base(world) + "new/", compose_data(audience="segment", left_from="2030"))
    [draft] = drafts(world)
    page = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE="ja")
    assert page.context["audience_count"] == 0
    assert 'data-count="0"' in page.content.decode()
    assert "この配信先には対象者がいないため、送信できません。" in page.content.decode()
    assert b"data-send-form" not in page.content  # no button to send to nobody


def test_a_subject_over_120_characters_is_refused_with_its_reason(world: World) -> None:
    client = world.client(world.operator_a)
    answer = client.post(base(world) + "new/", compose_data(subject="お" * 121))
    assert answer.status_code == 400
    [error] = answer.context["form"].errors.as_data()["subject"]
    assert error.code == "max_length"
    assert 'id="id_subject_error"' in answer.content.decode()
    assert drafts(world) == []
    exactly = client.post(base(world) + "new/", compose_data(subject="お" * 120))
    assert exactly.status_code == 302


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": ""},
        {"body": ""},
        {"audience": "everyone-everywhere"},
        {"audience": "segment", "left_from": "2020", "left_to": "2010"},
        {"audience": "segment", "left_from": "１９９９年"},
        {"source_url": "javascript:alert(1)"},
        {"key": "not-a-key"},
    ],
)
def test_bad_input_is_refused_with_a_400_and_saves_nothing(world: World, fields: dict) -> None:
    answer = world.client(world.operator_a).post(base(world) + "new/", compose_data(**fields))
    assert answer.status_code == 400
    assert answer.context["form"].errors
    assert drafts(world) == []


def test_the_same_composer_posted_twice_saves_one_draft(world: World) -> None:
    client = world.client(world.operator_a)
    data = compose_data()
    first = client.post(base(world) + "new/", data)
    second = client.post(base(world) + "new/", data)
    [draft] = drafts(world)
    assert first["Location"] == second["Location"]
    assert str(draft.key) == data["key"]
    client.post(base(world) + "new/", compose_data())  # a new composer: a new draft
    assert len(drafts(world)) == 2


def test_editing_a_draft_counts_a_new_version(world: World) -> None:
    client = world.client(world.operator_a)
    client.post(base(world) + "new/", compose_data())
    [draft] = drafts(world)
    page = client.get(f"{base(world)}{draft.pk}/edit/")
    assert page.status_code == 200 and "秋の総会のご案内" in page.content.decode()
    answer = client.post(
        f"{base(world)}{draft.pk}/edit/", compose_data(subject="総会の会場が変わりました")
    )
    assert answer.status_code == 302
    [draft] = drafts(world)
    assert draft.subject == "総会の会場が変わりました" and draft.revision == 1
    refused = client.post(f"{base(world)}{draft.pk}/edit/", compose_data(subject="x" * 200))
    assert refused.status_code == 400


def test_the_composer_is_filled_in_from_an_event(world: World) -> None:
    event = make_event(
        world.net_a,
        title="社員向け 新規事業説明会",
        description="新しい事業について、担当役員が説明します。" * 3,
        audience="employees",
    )
    page = world.client(world.operator_a).get(base(world) + f"new/?event={event.pk}")
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["subject"] == "社員向け 新規事業説明会"
    assert initial["source_url"] == f"http://testserver/n/{world.net_a.slug}/events/{event.pk}/"
    assert "渋谷オフィス 12階" in initial["body"] and "担当役員が説明します" in initial["body"]
    assert initial["audience"] == Audience.EMPLOYEES
    assert page.context["audience_count"] == 1


def test_the_composer_is_filled_in_from_an_article(world: World) -> None:
    from django_scopes import scope

    with scope(network=world.net_a):
        article = do_create_article(
            world.operator_a,
            kind="company_news",
            title="新社長就任のお知らせ",
            body="4月1日付で新社長が就任しました。" + "詳しくは本文をご覧ください。" * 40,
            tags=[],
        )
    page = world.client(world.operator_a).get(base(world) + f"new/?article={article.pk}")
    initial = page.context["form"].initial
    assert initial["subject"] == "新社長就任のお知らせ"
    assert initial["source_url"].endswith(f"/n/{world.net_a.slug}/news/{article.pk}/")
    assert initial["body"].startswith("4月1日付で新社長が就任しました。")
    assert len(initial["body"]) <= 300


def test_another_networks_event_or_article_does_not_fill_the_composer(world: World) -> None:
    theirs = make_event(world.net_b, title="ひだまりの内輪の集い")
    for query in (f"?event={theirs.pk}", "?event=999999", "?article=999999", "?event=x"):
        page = world.client(world.operator_a).get(base(world) + "new/" + query)
        assert page.status_code == 404, query
        assert "ひだまりの内輪の集い" not in page.content.decode()


def test_the_events_and_articles_edit_pages_offer_to_announce_them(world: World) -> None:
    from django_scopes import scope

    event = make_event(world.net_a, title="秋の交流会")
    with scope(network=world.net_a):
        article = do_create_article(
            world.operator_a, kind="company_news", title="社内報 10月号", body="本文", tags=[]
        )
    client = world.client(world.operator_a)
    event_page = client.get(f"/n/{world.net_a.slug}/events/{event.pk}/edit/").content.decode()
    assert f"{base(world)}new/?event={event.pk}" in event_page
    article_page = client.get(f"/n/{world.net_a.slug}/news/{article.pk}/edit/").content.decode()
    assert f"{base(world)}new/?article={article.pk}" in article_page
    # A supporter who organises events is not an operator: no link to a page they cannot open.
    supporter = make_member(world.net_a, make_user(name="主催 者"), role=Role.SUPPORTER)
    with scope(network=world.net_a):
        from tsunagu.events.models import Organiser

        Organiser.objects.create(network=world.net_a, event=event, membership=supporter)
    page = world.client(supporter).get(f"/n/{world.net_a.slug}/events/{event.pk}/edit/")
    assert page.status_code == 200
    assert "manage/announcements/" not in page.content.decode()
