"""News and columns: who writes what, approval, scheduling, covers, stamps and comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.accounts.middleware import TIME_ZONE_COOKIE
from tsunagu.core.forms import MAX_LENGTH
from tsunagu.core.testing.images import (
    assert_stripped,
    decoding_refused_above,
    photo_with_location,
    png_bomb,
)
from tsunagu.core.testing.messages import INVALID_CHOICE, REQUIRED, ja
from tsunagu.core.tests.test_images import image_bytes
from tsunagu.news.models import Article, NewsSettings, State
from tsunagu.news.tasks import announce_due_articles
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Status
from tsunagu.testing.world import CANARY_A, World

pytestmark = [pytest.mark.django_db, pytest.mark.each_database]


def url(world: World, rest: str = "") -> str:
    return f"/n/{world.net_a.slug}/news/{rest}"


def post_article(client: Any, world: World, **fields: Any) -> Any:
    data = {
        "kind": "column",
        "title": "退職して三年、いま思うこと",
        "body": "本文です。",
        "tags": "",
    }
    return client.post(url(world, "new/"), data | fields)


def only_article() -> Article:
    with scopes_disabled():
        return Article.objects.get()


def notified(kind: str) -> set[int]:
    with scopes_disabled():
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_an_operators_company_news_reaches_every_member(world: World) -> None:
    operator = world.client(world.operator_a)
    response = post_article(
        operator, world, kind="company_news", title="新規事業「みつば Cloud」を始めます"
    )
    assert response.status_code == 302
    article = only_article()
    assert article.state == State.PUBLISHED
    page = world.client(world.alumni_a).get(url(world)).content.decode()
    assert "新規事業「みつば Cloud」を始めます" in page
    assert "社内報" in page
    assert notified("news_published") == {
        world.alumni_a.user_id,
        world.supporter_a.user_id,
        world.employee_a.user_id,
    }


def test_a_members_column_waits_for_an_operator_then_is_published(world: World) -> None:
    alumni = world.client(world.alumni_a)
    response = post_article(alumni, world, title="転職して気づいた三ツ葉の良さ")
    assert response.status_code == 302
    article = only_article()
    assert article.state == State.PENDING
    assert notified("news_pending") == {world.operator_a.user_id}
    # Other members neither see it in the list nor open it.
    other = world.client(world.employee_a)
    assert "転職して気づいた" not in other.get(url(world)).content.decode()
    assert other.get(url(world, f"{article.pk}/")).status_code == 404
    # The author sees it waiting.
    mine = alumni.get(url(world)).content.decode()
    assert "転職して気づいた" in mine and "承認待ち" in mine
    # The operator finds it in the queue and approves it.
    operator = world.client(world.operator_a)
    assert "転職して気づいた" in operator.get(url(world, "manage/")).content.decode()
    operator.post(url(world, f"{article.pk}/review/"), {"decision": "approve"})
    assert only_article().state == State.PUBLISHED
    assert other.get(url(world, f"{article.pk}/")).status_code == 200
    assert notified("news_approved") == {world.alumni_a.user_id}
    assert world.employee_a.user_id in notified("news_published")


def test_a_turned_down_column_stays_hidden(world: World) -> None:
    post_article(world.client(world.alumni_a), world, title="宣伝です")
    article = only_article()
    world.client(world.operator_a).post(url(world, f"{article.pk}/review/"), {"decision": "reject"})
    assert only_article().state == State.REJECTED
    assert world.client(world.employee_a).get(url(world, f"{article.pk}/")).status_code == 404
    assert notified("news_rejected") == {world.alumni_a.user_id}


def test_networks_may_let_members_publish_without_approval(world: World) -> None:
    operator = world.client(world.operator_a)
    response = operator.post(url(world, "manage/"), {})  # the box unticked
    assert response.status_code == 302
    with scopes_disabled():
        assert not NewsSettings.objects.get(network=world.net_a).member_articles_need_approval
    post_article(world.client(world.alumni_a), world, kind="event_report", title="総会レポート")
    assert only_article().state == State.PUBLISHED
    assert "総会レポート" in world.client(world.employee_a).get(url(world)).content.decode()


def test_members_cannot_write_company_news_or_edit_others_articles(world: World) -> None:
    alumni = world.client(world.alumni_a)
    response = post_article(alumni, world, kind="company_news", title="偽の社内報")
    assert response.status_code == 400
    assert INVALID_CHOICE in response.content.decode()
    with scopes_disabled():
        assert not Article.objects.exists()
    post_article(world.client(world.operator_a), world, kind="announcement", title="お知らせ")
    article = only_article()
    response = alumni.post(
        url(world, f"{article.pk}/edit/"), {"kind": "column", "title": "改ざん", "body": "x"}
    )
    assert response.status_code == 403
    assert alumni.post(url(world, f"{article.pk}/delete/")).status_code == 403
    assert only_article().title == "お知らせ"


def test_a_members_edit_of_an_approved_column_goes_back_for_approval(world: World) -> None:
    alumni = world.client(world.alumni_a)
    post_article(alumni, world, title="私のキャリア")
    article = only_article()
    world.client(world.operator_a).post(
        url(world, f"{article.pk}/review/"), {"decision": "approve"}
    )
    alumni.post(
        url(world, f"{article.pk}/edit/"),
        {"kind": "column", "title": "私のキャリア（改訂）", "body": "書き直しました"},
    )
    article = only_article()
    assert article.title == "私のキャリア（改訂）"
    assert article.state == State.PENDING
    assert world.client(world.employee_a).get(url(world, f"{article.pk}/")).status_code == 404


def test_empty_and_oversized_articles_are_refused_in_japanese(world: World) -> None:
    operator = world.client(world.operator_a)
    response = post_article(operator, world, kind="announcement", title="　", body="")
    assert response.status_code == 400
    assert REQUIRED in response.content.decode()
    response = post_article(operator, world, kind="announcement", body="あ" * 20_001)
    assert response.status_code == 400
    assert ja(MAX_LENGTH, limit_value=20000, show_value=20001) in response.content.decode()
    response = post_article(operator, world, kind="announcement", tags="一 二 三 四 五 六")
    assert response.status_code == 400
    assert "タグは5個まで" in response.content.decode()
    # Eleven characters that each read as three ("㈱" is "(株)"): short typed, long stored.
    response = post_article(operator, world, kind="announcement", tags="㈱" * 11)
    assert response.status_code == 400
    assert "タグは30文字以内" in response.content.decode()
    with scopes_disabled():
        assert not Article.objects.exists()


def test_markdown_is_cleaned_of_scripts_handlers_and_dangerous_links(world: World) -> None:
    body = (
        "**太字**\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[罠](javascript:alert(1)) [罠2](data:text/html;base64,PHNjcmlwdD4=) [公式](https://example.jp)"
    )
    post_article(world.client(world.operator_a), world, kind="announcement", body=body)
    article = only_article()
    page = world.client(world.alumni_a).get(url(world, f"{article.pk}/")).content.decode()
    assert "<strong>太字</strong>" in page
    assert "<script>alert" not in page
    assert "<img src" not in page  # the tag and its handler stay text
    assert 'href="javascript:' not in page
    assert 'href="data:' not in page
    assert 'href="https://example.jp"' in page


def test_a_scheduled_article_stays_hidden_until_its_time_then_is_announced_once(
    world: World,
) -> None:
    later = timezone.localtime() + timedelta(days=1)
    operator = world.client(world.operator_a)
    post_article(
        operator,
        world,
        kind="company_news",
        title="来月の新制度",
        published_at=later.strftime("%Y-%m-%dT%H:%M"),
    )
    article = only_article()
    assert article.is_scheduled
    member = world.client(world.alumni_a)
    assert "来月の新制度" not in member.get(url(world)).content.decode()
    assert member.get(url(world, f"{article.pk}/")).status_code == 404
    assert "来月の新制度" not in member.get(f"/n/{world.net_a.slug}/").content.decode()
    assert "予約" in operator.get(url(world, f"{article.pk}/")).content.decode()
    assert f"{later:%Y/%m/%d %H:%M}に公開予定" in operator.get(url(world)).content.decode()
    assert announce_due_articles() == 0
    assert not notified("news_published")
    # Its time comes: no task is needed for members to see it.
    with scopes_disabled():
        Article.objects.filter(pk=article.pk).update(published_at=timezone.now())
    assert "来月の新制度" in member.get(url(world)).content.decode()
    assert member.get(url(world, f"{article.pk}/")).status_code == 200
    # The beat task tells the members, once.
    assert announce_due_articles() == 1
    assert announce_due_articles() == 0
    with scopes_disabled():
        assert Notification.objects.filter(kind="news_published").count() == 3


def test_a_deactivated_network_announces_nothing(world: World) -> None:
    operator = world.client(world.operator_a)
    later = timezone.localtime() + timedelta(days=1)
    post_article(
        operator, world, kind="company_news", title="休眠中のお知らせ",
        published_at=later.strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    with scopes_disabled():
        Article.objects.update(published_at=timezone.now())
        world.net_a.is_active = False
        world.net_a.save()
    assert announce_due_articles() == 0
    assert not notified("news_published")


def test_a_publishing_time_years_away_is_refused_with_a_reason(world: World) -> None:
    operator = world.client(world.operator_a)
    operator.cookies["tsunagu_tz"] = "America/Los_Angeles"  # 9999-12-31 23:59 here is 10000 in UTC
    response = post_article(operator, world, kind="announcement", published_at="9999-12-31T23:59")
    assert response.status_code == 400
    assert "10年以内" in response.content.decode()
    with scopes_disabled():
        assert not Article.objects.exists()


def test_a_cover_must_be_a_real_image_and_is_served_to_members_only(world: World) -> None:
    operator = world.client(world.operator_a)
    fake = SimpleUploadedFile("cover.png", b"<?php echo 1; ?>", content_type="image/png")
    response = post_article(operator, world, kind="announcement", cover=fake)
    assert response.status_code == 400
    assert "読み込める画像ではありません" in response.content.decode()
    real = SimpleUploadedFile("写真.png", image_bytes(), content_type="image/png")
    post_article(operator, world, kind="announcement", cover=real)
    article = only_article()
    assert "写真" not in article.cover.name  # never the uploader's name
    cover = url(world, f"{article.pk}/cover/")
    response = world.client(world.alumni_a).get(cover)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert world.client(world.alumni_b).get(cover).status_code in (302, 404)
    other = f"/n/{world.net_b.slug}/news/{article.pk}/cover/"
    assert world.client(world.alumni_b).get(other).status_code == 404


def test_an_article_with_a_cover_can_be_edited_and_its_cover_removed(world: World) -> None:
    operator = world.client(world.operator_a)
    real = SimpleUploadedFile("cover.png", image_bytes(), content_type="image/png")
    post_article(operator, world, kind="announcement", cover=real)
    article = only_article()
    cover = url(world, f"{article.pk}/cover/")
    page = operator.get(url(world, f"{article.pk}/edit/"))
    assert page.status_code == 200
    assert f'src="{cover}"' in page.content.decode()
    untitled = operator.post(
        url(world, f"{article.pk}/edit/"), {"kind": "announcement", "title": " ", "body": "本文"}
    )
    assert untitled.status_code == 400
    cleared = operator.post(
        url(world, f"{article.pk}/edit/"),
        {"kind": "announcement", "title": "表紙なし", "body": "本文", "cover-clear": "on"},
    )
    assert cleared.status_code == 302
    assert not only_article().cover
    assert operator.get(cover).status_code == 404


def test_stamps_toggle_and_comments_are_posted(world: World) -> None:
    post_article(world.client(world.operator_a), world, kind="company_news")
    article = only_article()
    member = world.client(world.alumni_a)
    response = member.post(
        url(world, f"{article.pk}/react/"), {"stamp": "clap"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'value="clap" aria-pressed="true"' in response.content.decode()
    response = member.post(
        url(world, f"{article.pk}/react/"), {"stamp": "clap"}, HTTP_HX_REQUEST="true"
    )
    assert 'value="clap" aria-pressed="false"' in response.content.decode()
    assert member.post(url(world, f"{article.pk}/react/"), {"stamp": "bomb"}).status_code == 302
    response = member.post(url(world, f"{article.pk}/comment/"), {"body": "　"})
    assert response.status_code == 400
    assert REQUIRED in response.content.decode()
    member.post(url(world, f"{article.pk}/comment/"), {"body": "応援しています！"})
    page = world.client(world.employee_a).get(url(world, f"{article.pk}/")).content.decode()
    assert "応援しています！" in page
    assert "コメント1件" in page
    assert notified("news_comment") == {world.operator_a.user_id}


def test_only_the_author_or_an_operator_deletes_a_comment(world: World) -> None:
    post_article(world.client(world.operator_a), world, kind="company_news")
    article = only_article()
    world.client(world.alumni_a).post(url(world, f"{article.pk}/comment/"), {"body": "最初の感想"})
    with scopes_disabled():
        comment = article.comments.get()
    other = world.client(world.employee_a)
    assert other.post(url(world, f"comments/{comment.pk}/delete/")).status_code == 403
    world.client(world.operator_a).post(url(world, f"comments/{comment.pk}/delete/"))
    with scopes_disabled():
        assert not article.comments.exists()
        assert Article.objects.get().comment_count == 0


def test_no_comments_or_stamps_before_an_article_is_published(world: World) -> None:
    alumni = world.client(world.alumni_a)
    post_article(alumni, world)
    article = only_article()
    alumni.post(url(world, f"{article.pk}/comment/"), {"body": "自分で書き込み"})
    assert alumni.post(url(world, f"{article.pk}/react/"), {"stamp": "like"}).status_code == 404
    with scopes_disabled():
        assert not article.comments.exists()


def test_tags_filter_the_list(world: World) -> None:
    operator = world.client(world.operator_a)
    post_article(operator, world, kind="industry", title="DXの最新動向", tags="ＤＸ, 業界")
    post_article(operator, world, kind="announcement", title="総会のご案内", tags="総会")
    page = world.client(world.alumni_a).get(url(world) + "?tag=dx").content.decode()
    assert "DXの最新動向" in page
    assert "総会のご案内" not in page


def test_the_list_pages_newest_first_and_filters_by_type(world: World) -> None:
    from tsunagu.news.actions import do_create_article

    now = timezone.now()
    with scope(network=world.net_a):
        for number in range(22):
            article = do_create_article(
                world.operator_a, kind="announcement", title=f"告知{number:02d}号", body="x"
            )
            Article.objects.filter(pk=article.pk).update(published_at=now - timedelta(hours=number))
        column = do_create_article(
            world.operator_a,
            kind="column",
            title="<b>コラム</b> & 雑感",
            body="x",
            tags=["a&b <c>", "人事"],
        )
        Article.objects.filter(pk=column.pk).update(
            published_at=now - timedelta(days=5), author=None
        )
    client = world.client(world.alumni_a)
    first = client.get(url(world)).content.decode()
    assert "告知00号" in first and "告知19号" in first
    assert "告知20号" not in first
    assert "<span>1 / 2</span>" in first
    assert first.index("告知00号") < first.index("告知19号")
    last = client.get(url(world) + "?page=2").content.decode()
    assert "告知21号" in last and "告知19号" not in last
    assert "<span>2 / 2</span>" in last
    # The column's author left the network; its title and tags are escaped, its tags linked.
    assert "&lt;b&gt;コラム&lt;/b&gt; &amp; 雑感" in last
    assert "退会したメンバー" in last
    assert f'<a href="{url(world)}?tag=a%26b%20%3Cc%3E">#a&amp;b &lt;c&gt;</a>' in last
    # Out of range: the last page; not a number: the first, as Django's paginator does.
    assert "<span>2 / 2</span>" in client.get(url(world) + "?page=9").content.decode()
    assert "<span>1 / 2</span>" in client.get(url(world) + "?page=x").content.decode()
    members = client.get(url(world) + "?kind=members").content.decode()
    assert "雑感" in members and "告知00号" not in members
    assert "pager" not in members
    office = client.get(url(world) + "?kind=office&page=2").content.decode()
    assert "告知21号" in office and "雑感" not in office
    tagged = client.get(url(world) + "?tag=%E4%BA%BA%E4%BA%8B").content.decode()
    assert "雑感" in tagged and "告知" not in tagged
    # Another network's list holds none of it.
    other = world.client(world.operator_b).get(f"/n/{world.net_b.slug}/news/").content.decode()
    assert "告知" not in other and "雑感" not in other


def test_the_lists_rows_show_every_change_at_the_next_view(world: World) -> None:
    """The rows are kept between views and readers: each change to what one shows draws it anew,
    in the reader's language and time zone."""
    operator = world.client(world.operator_a)
    post_article(operator, world, kind="company_news", title="総会のお知らせ", tags="総会")
    article = only_article()
    with scopes_disabled():
        Article.objects.filter(pk=article.pk).update(
            published_at=datetime(2026, 5, 1, 3, 30, tzinfo=UTC)
        )
    reader = world.client(world.alumni_a)
    page = reader.get(url(world)).content.decode()
    assert "総会のお知らせ" in page and "コメント0件" in page and "📌" not in page
    assert "2026/05/01 12:30" in page  # Tokyo
    reader.post(url(world, f"{article.pk}/comment/"), {"body": "参加します"})
    operator.post(url(world, f"{article.pk}/pin/"), {"pinned": "1"})
    edited = {"kind": "announcement", "title": "総会（日程変更）", "body": "本文", "tags": "日程"}
    operator.post(url(world, f"{article.pk}/edit/"), edited)
    page = world.client(world.employee_a).get(url(world)).content.decode()
    assert "総会（日程変更）" in page and "コメント1件" in page and "📌" in page
    assert '<span class="chip chip--operator">お知らせ</span>' in page
    assert f'<a href="{url(world)}?tag=%E6%97%A5%E7%A8%8B">#日程</a>' in page
    assert "#総会" not in page
    user = world.operator_a.user
    user.name = "佐藤 新"
    user.save()
    assert "佐藤 新" in reader.get(url(world)).content.decode()
    with scopes_disabled():
        world.operator_a.status = Status.LEFT
        world.operator_a.save()
    page = reader.get(url(world)).content.decode()
    assert "佐藤 新" not in page and "退会したメンバー" in page
    # The same reader in English, in New York.
    reader.cookies[TIME_ZONE_COOKIE] = "America/New_York"
    reader.post("/language/", {"language": "en", "next": "/"})
    page = reader.get(url(world)).content.decode()
    assert "1 comment" in page and "former member" in page and "Pinned" in page
    assert "2026-04-30 23:30" in page


def test_another_networks_member_gets_404_for_an_article(world: World) -> None:
    post_article(world.client(world.operator_a), world, kind="company_news", title=CANARY_A)
    article = only_article()
    client = world.client(world.operator_b)
    for rest in ("", "edit/", "cover/"):
        response = client.get(f"/n/{world.net_b.slug}/news/{article.pk}/{rest}")
        assert response.status_code == 404
        assert CANARY_A not in response.content.decode()
    assert CANARY_A not in client.get(f"/n/{world.net_b.slug}/news/").content.decode()


def grow(world: World, count: int) -> None:
    with scope(network=world.net_a):
        from tsunagu.news.actions import do_add_comment, do_create_article, do_toggle_reaction

        for number in range(count):
            article = do_create_article(
                world.operator_a,
                kind="company_news",
                title=f"社内報 第{number}号",
                body="本文",
                tags=["社内報", f"第{number}号"],
            )
            do_add_comment(world.alumni_a, article, body="いいですね")
            do_add_comment(world.employee_a, article, body="楽しみです")
            do_toggle_reaction(world.alumni_a, article, "like")


@pytest.mark.parametrize("page", ["list", "detail"])
def test_news_pages_run_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any, page: str
) -> None:
    client = world.client(world.alumni_a)

    def path() -> str:
        if page == "list":
            return url(world)
        with scopes_disabled():
            return url(world, f"{Article.objects.order_by('pk').first().pk}/")  # type: ignore[union-attr]

    grow(world, 3)
    client.get(path())
    with django_assert_num_queries(QUERIES[page]):
        client.get(path())
    grow(world, 30)
    client.get(path())
    with django_assert_num_queries(QUERIES[page]):
        client.get(path())


# The list: the session, the page of articles, the reader's waiting articles, and the version
# of their feed addresses.
QUERIES = {"list": 3, "detail": 6}  # the list: its page, the count, own waiting articles


def test_a_replaced_cover_leaves_no_file_behind(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    operator = world.client(world.operator_a)
    first = SimpleUploadedFile("a.png", image_bytes(), content_type="image/png")
    post_article(operator, world, kind="announcement", cover=first)
    article = only_article()
    old_name = article.cover.name
    second = SimpleUploadedFile("b.png", image_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            url(world, f"{article.pk}/edit/"),
            {"kind": "announcement", "title": "表紙を替えました", "body": "本文", "cover": second},
        )
    article = only_article()
    assert article.cover.name != old_name
    assert article.cover.storage.exists(article.cover.name)
    assert not article.cover.storage.exists(old_name)


def test_deciding_on_an_article_its_author_just_deleted_is_a_not_found(world: World) -> None:
    from django.http import Http404

    from tsunagu.news.actions import do_review_article

    post_article(world.client(world.alumni_a), world, kind="column", title="消えるコラム")
    article = only_article()
    assert article.state == State.PENDING
    with scopes_disabled():
        Article.objects.filter(pk=article.pk).delete()
    with scope(network=world.net_a), pytest.raises(Http404):
        do_review_article(world.operator_a, article, approve=True)
    assert not notified("news_approved")


def test_a_cover_bomb_is_refused_before_it_is_decoded(world: World) -> None:
    bomb = SimpleUploadedFile("表紙.png", png_bomb(), content_type="image/png")

    with decoding_refused_above(1_000_000) as decoded:
        response = post_article(world.client(world.operator_a), world, cover=bomb)

    assert decoded == []
    assert response.status_code == 400
    assert "50,000,000" in str(response.context["form"].errors["cover"])
    with scopes_disabled():
        assert not Article.objects.exists()


def test_a_cover_photo_is_stored_written_again_without_its_location(world: World) -> None:
    photo = SimpleUploadedFile("表紙.jpg", photo_with_location(), content_type="image/jpeg")

    post_article(world.client(world.operator_a), world, kind="announcement", cover=photo)

    served = world.client(world.alumni_a).get(url(world, f"{only_article().pk}/cover/"))
    assert served["Content-Type"] == "image/jpeg"
    assert_stripped(b"".join(served.streaming_content))  # type: ignore[attr-defined]
