from __future__ import annotations

import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from tsunagu.boards.models import Comment, Revision, Thread, ThreadKind
from tsunagu.boards.tests.helpers import add_comments, make_category, make_thread
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.notify.models import Notification
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db


def url(world: World, path: str = "", net: str | None = None) -> str:
    return f"/n/{net or world.net_a.slug}/boards/{path}"


def test_member_posts_a_japanese_thread_and_sees_it_on_the_board(world: World) -> None:
    category = make_category(world.net_a, "仕事の相談")
    client = world.client(world.alumni_a)
    response = client.post(
        url(world, "new/"),
        {
            "category": category.pk,
            "kind": "discussion",
            "title": "リモートワークの工夫",
            "body": "**集中**する方法を共有しましょう。",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        thread = Thread.objects.get(title="リモートワークの工夫")
    assert thread.body_html == "<p><strong>集中</strong>する方法を共有しましょう。</p>\n"
    page = client.get(url(world)).content.decode()
    assert "リモートワークの工夫" in page
    assert "仕事の相談" in page
    detail = client.get(response["Location"]).content.decode()
    assert "<strong>集中</strong>" in detail


@pytest.mark.parametrize(
    "data, error_field",
    [
        ({"title": "", "body": "本文"}, "title"),
        ({"title": "タイトル", "body": ""}, "body"),
        ({"title": "タイトル", "body": "あ" * 10_001}, "body"),
        ({"title": "あ" * 121, "body": "本文"}, "title"),
    ],
)
def test_empty_or_oversized_threads_get_field_errors(
    world: World, data: dict[str, str], error_field: str
) -> None:
    category = make_category(world.net_a)
    client = world.client(world.alumni_a)
    response = client.post(
        url(world, "new/"), {"category": category.pk, "kind": "discussion", **data}
    )
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    with scopes_disabled():
        assert not Thread.objects.exists()


def test_a_category_of_another_network_is_refused(world: World) -> None:
    make_category(world.net_a)
    theirs = make_category(world.net_b, "B の雑談")
    response = world.client(world.alumni_a).post(
        url(world, "new/"),
        {"category": theirs.pk, "kind": "discussion", "title": "題", "body": "本文"},
    )
    assert response.status_code == 200
    assert "category" in response.context["form"].errors


def test_scripts_and_dangerous_links_are_removed_from_posts(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    body = (
        '<script>alert(1)</script> <img src=x onerror="alert(2)"> '
        "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
        "![pic](https://example.jp/a.png)"
    )
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": body})
    with scopes_disabled():
        html = Comment.objects.get(thread=thread).body_html
    # What survives is text: no element carries a script, a handler or a dangerous link.
    assert "<script" not in html
    assert "<img src=x" not in html
    assert not re.search(r"""<[^>]+(on\w+=|href="(javascript|data):)""", html)
    assert "&lt;script&gt;" in html
    # An image from another site stays a link: opening the thread tells example.jp nothing.
    assert "<img" not in html
    link = '<a href="https://example.jp/a.png" rel="nofollow noopener noreferrer ugc">pic</a>'
    assert link in html


def test_comments_are_numbered_and_replies_stay_one_level_deep(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "最初のコメント"})
    with scopes_disabled():
        first = Comment.objects.get(thread=thread, number=1)
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "返信", "reply_to": first.pk})
    with scopes_disabled():
        reply = Comment.objects.get(thread=thread, number=2)
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "返信の返信", "reply_to": reply.pk})
    with scopes_disabled():
        third = Comment.objects.get(thread=thread, number=3)
        thread.refresh_from_db()
    assert reply.parent_id == first.pk
    assert third.parent_id == first.pk
    assert (thread.comment_count, thread.comment_seq) == (3, 3)
    page = client.get(url(world, f"t/{thread.pk}/")).content.decode()
    assert "#1" in page and "返信の返信" in page


def test_a_reply_to_a_comment_of_another_thread_is_refused(world: World) -> None:
    one = make_thread(world.alumni_a)
    other = make_thread(world.alumni_a, title="別のスレッド")
    add_comments(other, [world.employee_a], 1)
    with scopes_disabled():
        foreign = Comment.objects.get(thread=other)
    response = world.client(world.employee_a).post(
        url(world, f"t/{one.pk}/comment/"), {"body": "返信", "reply_to": foreign.pk}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not Comment.objects.filter(thread=one).exists()


def test_an_empty_or_oversized_comment_is_refused_with_a_message(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    for body in ("", "あ" * 10_001):
        response = client.post(url(world, f"t/{thread.pk}/comment/"), {"body": body})
        assert response.status_code == 400
        assert "body" in response.context["form"].errors
    with scopes_disabled():
        assert not Comment.objects.exists()


def test_posting_to_a_locked_thread_is_refused(world: World) -> None:
    thread = make_thread(world.alumni_a, is_locked=True)
    client = world.client(world.employee_a)
    response = client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "書き込み"}, follow=True)
    assert "ロック" in response.content.decode()
    with scopes_disabled():
        assert not Comment.objects.exists()


def test_author_edits_a_thread_and_the_previous_version_is_kept(world: World) -> None:
    thread = make_thread(world.alumni_a, title="旧タイトル", body="旧本文")
    client = world.client(world.alumni_a)
    response = client.post(
        url(world, f"t/{thread.pk}/edit/"), {"title": "新タイトル", "body": "新本文"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        thread.refresh_from_db()
        [revision] = Revision.objects.filter(thread=thread)
    assert (thread.title, thread.body) == ("新タイトル", "新本文")
    assert thread.edited_at is not None
    assert (revision.title, revision.body) == ("旧タイトル", "旧本文")
    history = client.get(url(world, f"t/{thread.pk}/history/")).content.decode()
    assert "旧本文" in history and "新本文" in history


def test_editing_another_members_post_is_forbidden(world: World) -> None:
    thread = make_thread(world.alumni_a, body="元の本文")
    add_comments(thread, [world.alumni_a], 1, text="元のコメント")
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    client = world.client(world.employee_a)
    assert (
        client.post(
            url(world, f"t/{thread.pk}/edit/"), {"title": "乗っ取り", "body": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(url(world, f"comments/{comment.pk}/edit/"), {"body": "乗っ取り"}).status_code
        == 403
    )
    with scopes_disabled():
        thread.refresh_from_db()
        comment.refresh_from_db()
    assert thread.body == "元の本文"
    assert comment.body == "元のコメント"


def test_author_edits_a_comment_with_history(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    client.post(url(world, f"t/{thread.pk}/comment/"), {"body": "誤字あり"})
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    client.post(url(world, f"comments/{comment.pk}/edit/"), {"body": "誤字なし"})
    with scopes_disabled():
        comment.refresh_from_db()
        assert Revision.objects.get(comment=comment).body == "誤字あり"
    assert comment.body == "誤字なし"
    assert "誤字あり" in client.get(url(world, f"comments/{comment.pk}/history/")).content.decode()


def test_stamps_toggle_and_are_counted(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.alumni_a], 1)
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    one, two = world.client(world.employee_a), world.client(world.supporter_a)
    one.post(url(world, f"t/{thread.pk}/react/"), {"stamp": "thanks"})
    two.post(url(world, f"t/{thread.pk}/react/"), {"stamp": "thanks"})
    one.post(url(world, f"comments/{comment.pk}/react/"), {"stamp": "like"})
    response = one.get(url(world, f"t/{thread.pk}/"))
    html = response.content.decode()
    thread_stamps, comment_stamps = html[: html.index('id="c1"')], html[html.index('id="c1"') :]
    # The thread's 🙏 counts both members and is shown as this member's own.
    assert re.search(
        r'class="stamp stamp--mine" aria-pressed="true"[^>]*value="thanks"[^>]*>🙏 <span>2</span>',
        thread_stamps,
    )
    # The comment's 👍 is counted once and shown as this member's own.
    assert re.search(
        r'class="stamp stamp--mine" aria-pressed="true"[^>]*value="like"[^>]*>👍 <span>1</span>',
        comment_stamps,
    )
    one.post(url(world, f"t/{thread.pk}/react/"), {"stamp": "thanks"})  # taken back
    html = two.get(url(world, f"t/{thread.pk}/")).content.decode()
    thread_stamps = html[: html.index('id="c1"')]
    assert re.search(
        r'class="stamp stamp--mine" aria-pressed="true"[^>]*value="thanks"[^>]*>🙏 <span>1</span>',
        thread_stamps,
    )
    assert one.post(url(world, f"t/{thread.pk}/react/"), {"stamp": "evil"}).status_code == 404


def test_followers_are_notified_of_new_comments_and_mentions(world: World) -> None:
    client = world.client(world.alumni_a)
    category = make_category(world.net_a)
    client.post(
        url(world, "new/"),
        {"category": category.pk, "kind": "discussion", "title": "近況報告", "body": "元気です"},
    )
    with scopes_disabled():
        thread = Thread.objects.get()
    world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "お久しぶり"}
    )
    with scopes_disabled():
        to_author = Notification.objects.get(recipient=world.alumni_a.user, kind="boards_comment")
    assert "近況報告" in to_author.message
    # The commenter now follows the thread too; a mention notifies someone who does not.
    kobayashi = make_member(world.net_a, make_user(name="小林 誠"))
    world.client(world.alumni_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "@小林誠 さんもどうですか？"}
    )
    with scopes_disabled():
        assert Notification.objects.filter(
            recipient=world.employee_a.user, kind="boards_comment"
        ).exists()
        assert Notification.objects.filter(recipient=kobayashi.user, kind="boards_mention").exists()
        assert (
            not Notification.objects.filter(recipient=world.alumni_a.user, kind="boards_comment")
            .exclude(pk=to_author.pk)
            .exists()
        )


def test_unfollowing_stops_comment_notifications(world: World) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    client.post(url(world, f"t/{thread.pk}/subscription/"), {"subscribe": "1"})
    client.post(url(world, f"t/{thread.pk}/subscription/"), {"subscribe": "0"})
    world.client(world.supporter_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "こんにちは"}
    )
    with scopes_disabled():
        assert (
            not Notification.objects.filter(recipient=world.employee_a.user)
            .exclude(kind="welcome")
            .exists()
        )


def test_mentions_never_reach_another_network(world: World) -> None:
    thread = make_thread(world.alumni_a)
    world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "@山本翔太 さん見てますか"}
    )
    with scopes_disabled():
        assert (
            not Notification.objects.filter(recipient=world.alumni_b.user)
            .exclude(kind="welcome")
            .exists()
        )


def test_a_consultation_is_answered_when_the_asker_marks_the_best_answer(world: World) -> None:
    consultation = make_thread(
        world.alumni_a, kind=ThreadKind.CONSULTATION, title="補助金の申請方法を教えてください"
    )
    answerer = world.client(world.employee_a)
    answerer.post(url(world, f"t/{consultation.pk}/comment/"), {"body": "経験があります。"})
    with scopes_disabled():
        answer = Comment.objects.get(thread=consultation)
    unanswered = world.client(world.supporter_a).get(url(world, "consultations/unanswered/"))
    assert "補助金の申請方法" in unanswered.content.decode()
    # Only the asker may choose.
    assert answerer.post(url(world, f"comments/{answer.pk}/best/")).status_code == 403
    asker = world.client(world.alumni_a)
    asker.post(url(world, f"comments/{answer.pk}/best/"))
    with scopes_disabled():
        consultation.refresh_from_db()
        assert Notification.objects.filter(
            recipient=world.employee_a.user, kind="boards_best_answer"
        ).exists()
    assert consultation.is_answered and consultation.best_answer_id == answer.pk
    page = asker.get(url(world, f"t/{consultation.pk}/")).content.decode()
    assert "解決済み" in page
    unanswered = world.client(world.supporter_a).get(url(world, "consultations/unanswered/"))
    assert "補助金の申請方法" not in unanswered.content.decode()


def test_best_answer_is_only_for_consultations(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 1)
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    assert (
        world.client(world.alumni_a).post(url(world, f"comments/{comment.pk}/best/")).status_code
        == 403
    )


def test_members_of_another_network_get_404_for_threads_and_comments(world: World) -> None:
    thread = make_thread(world.alumni_a, title=f"秘密 {CANARY_A}")
    add_comments(thread, [world.alumni_a], 1, text=CANARY_A)
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    client = world.client(world.alumni_b)
    for path in (f"t/{thread.pk}/", f"comments/{comment.pk}/", f"comments/{comment.pk}/history/"):
        response = client.get(url(world, path, net=world.net_b.slug))
        assert response.status_code == 404
        assert CANARY_A not in response.content.decode()
    response = client.post(
        url(world, f"t/{thread.pk}/comment/", net=world.net_b.slug), {"body": "x"}
    )
    assert response.status_code == 404
    with scopes_disabled():
        assert Comment.objects.count() == 1


def test_the_reply_link_prefills_the_comment_form(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.employee_a], 3)
    with scopes_disabled():
        second = Comment.objects.get(thread=thread, number=2)
    response = world.client(world.alumni_a).get(url(world, f"t/{thread.pk}/?reply_to={second.pk}"))
    assert response.context["form"].initial == {"reply_to": second.pk}
    assert "#2に返信" in response.content.decode()


HUGE = "9" * 30


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("get", f"t/{HUGE}/", {}),
        ("get", f"comments/{HUGE}/", {}),
        ("get", "t/{thread}/?page=" + HUGE, {}),
        ("get", "t/{thread}/?reply_to=" + HUGE, {}),
        ("get", "t/{thread}/?reply_to=²", {}),
        ("get", "new/?category=²", {}),
        ("post", "t/{thread}/comment/", {"body": "返信", "reply_to": HUGE}),
        ("post", "t/{thread}/poll/", {"option": ["²", HUGE]}),
        ("post", "new/", {"category": HUGE, "kind": "x", "title": "題", "body": "本文"}),
        ("post", "t/{thread}/react/", {"stamp": "\x00"}),
    ],
)
def test_odd_identifiers_never_cause_a_server_error(
    world: World, method: str, path: str, data: dict[str, object]
) -> None:
    thread = make_thread(world.alumni_a)
    client = world.client(world.employee_a)
    response = getattr(client, method)(url(world, path.format(thread=thread.pk)), data)
    assert response.status_code < 500


def test_supporters_and_operators_hear_of_a_new_consultation(world: World) -> None:
    category = make_category(world.net_a)
    client = world.client(world.alumni_a)
    for kind, title in (("consultation", "副業の始め方を相談したい"), ("discussion", "雑談")):
        client.post(
            url(world, "new/"),
            {"category": category.pk, "kind": kind, "title": title, "body": "本文"},
        )
    with scopes_disabled():
        told = set(
            Notification.objects.filter(kind="boards_consultation").values_list(
                "recipient_id", flat=True
            )
        )
        [message] = {n.message for n in Notification.objects.filter(kind="boards_consultation")}
    assert told == {world.supporter_a.user_id, world.operator_a.user_id}
    assert "副業の始め方を相談したい" in message


def test_a_stamp_clicked_through_htmx_answers_with_the_updated_stamps(world: World) -> None:
    thread = make_thread(world.alumni_a)
    add_comments(thread, [world.alumni_a], 1)
    with scopes_disabled():
        comment = Comment.objects.get(thread=thread)
    client = world.client(world.employee_a)
    response = client.post(
        url(world, f"comments/{comment.pk}/react/"), {"stamp": "clap"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'value="clap" aria-pressed="true"' in html
    assert f'hx-post="/n/{world.net_a.slug}/boards/comments/{comment.pk}/react/"' in html


def test_lists_show_what_is_new_since_the_members_last_visit(world: World) -> None:
    thread = make_thread(world.alumni_a, title="近況スレ")
    add_comments(thread, [world.alumni_a], 120)
    reader = world.client(world.employee_a)
    index = reader.get(url(world))
    assert index.context["threads"].rows[0].unread is None
    assert "未読" in index.content.decode()
    reader.get(url(world, f"t/{thread.pk}/"))  # reads #1–#50
    assert reader.get(url(world)).context["threads"].rows[0].unread == 70
    reader.get(url(world, f"t/{thread.pk}/?page=3"))  # reads to #120
    reader.get(url(world, f"t/{thread.pk}/?page=1"))  # going back does not forget
    assert reader.get(url(world)).context["threads"].rows[0].unread == 0
    add_comments(thread, [world.alumni_a], 2)
    index = reader.get(url(world)).content.decode()
    assert "2件の新着" in index
    page = reader.get(url(world, f"t/{thread.pk}/")).content.decode()
    assert "最初の未読コメントへ（#121）" in page
    assert "?page=3#c121" in page


def test_a_row_shared_between_readers_shows_each_reader_their_own_marks(world: World) -> None:
    """The row's HTML is kept once for every reader (listing.rows_html); what each has read is
    theirs: the first reader's marks never show for the next, in either order."""
    thread = make_thread(world.alumni_a, title="共有される行")
    add_comments(thread, [world.alumni_a], 3)
    caught_up, new_here = world.client(world.employee_a), world.client(world.supporter_a)
    caught_up.get(url(world, f"t/{thread.pk}/"))

    def row(client: Client) -> str:
        html = client.get(url(world)).content.decode()
        start = html.index("共有される行")
        return html[start : html.index("</li>", start)]

    assert "chip--new" not in row(caught_up)  # builds the shared row first
    assert "未読" in row(new_here)
    new_here.get(url(world, f"t/{thread.pk}/"))
    add_comments(thread, [world.alumni_a], 2)
    assert "2件の新着" in row(new_here)
    assert "2件の新着" in row(caught_up)
    world.client(world.operator_a).get(url(world))
    assert "未読" in row(world.client(world.operator_a)) and "未読" not in row(caught_up)


def test_followers_with_the_thread_open_hear_of_a_new_comment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[dict[str, object], set[int]]] = []
    monkeypatch.setattr(
        "tsunagu.boards.actions.send_event",
        lambda network, event, user_ids: sent.append((event, set(user_ids))),
    )
    thread = make_thread(world.alumni_a)
    with scopes_disabled():
        from tsunagu.boards.models import Subscription

        Subscription.objects.create(network=world.net_a, thread=thread, member=world.alumni_a)
    response = world.client(world.employee_a).get(url(world, f"t/{thread.pk}/"))
    assert f'data-live-comments="{thread.pk}"' in response.content.decode()
    assert "boards/thread" in response.content.decode()
    world.client(world.employee_a).post(
        url(world, f"t/{thread.pk}/comment/"), {"body": "こんにちは"}
    )
    assert sent == [
        ({"type": "boards.comment", "thread": thread.pk, "number": 1}, {world.alumni_a.user_id})
    ]


def test_members_whose_shared_skills_match_hear_of_a_consultation(world: World) -> None:
    """「補助金」 is 鈴木's shared skill and 山本's hidden one: only 鈴木 is asked."""
    from tsunagu.profiles.indexing import reindex
    from tsunagu.profiles.models import Profile, Tag

    with scopes_disabled():
        tag = Tag.objects.create(
            network=world.net_a, kind="skill", name="補助金", normalized="補助金"
        )
        hidden = make_member(world.net_a, make_user(name="山本 秘子"))
        for member, visibility in ((world.employee_a, {}), (hidden, {"skills": "me"})):
            profile = Profile.objects.select_related("membership__user").get(membership=member)
            profile.visibility = visibility
            profile.save()
            profile.tags.add(tag)
            reindex(profile)
    category = make_category(world.net_a)
    world.client(world.alumni_a).post(
        url(world, "new/"),
        {
            "category": category.pk,
            "kind": "consultation",
            "title": "ＩＴ導入補助金の申請について",
            "body": "申請の手順を教えてください。",
        },
    )
    with scopes_disabled():
        told = set(
            Notification.objects.filter(kind="boards_consultation").values_list(
                "recipient_id", flat=True
            )
        )
    assert told == {world.supporter_a.user_id, world.operator_a.user_id, world.employee_a.user_id}


def test_unanswered_and_search_pages_mark_only_what_the_member_has_not_read(world: World) -> None:
    read = make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="補助金の相談その一")
    make_thread(world.alumni_a, kind=ThreadKind.CONSULTATION, title="補助金の相談その二")
    reader = world.client(world.employee_a)
    reader.get(url(world, f"t/{read.pk}/"))

    def row(html: str, title: str) -> str:
        start = html.index(title)
        return html[start : html.index("</li>", start)]

    for page in (url(world, "consultations/unanswered/"), url(world, "search/?q=補助金")):
        html = reader.get(page).content.decode()
        assert "未読" not in row(html, "補助金の相談その一")
        assert "未読" in row(html, "補助金の相談その二")
