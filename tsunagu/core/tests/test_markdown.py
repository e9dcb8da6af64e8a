"""Markdown written by members: what renders, and what can never run in another member's browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse

from tsunagu.core.markdown import render_markdown

SAFE_REL = "nofollow noopener noreferrer ugc"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def tags_of(html: str) -> list[tuple[str, dict[str, str]]]:
    """The elements a browser would build from the HTML, with their decoded attributes."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def url_scheme(url: str) -> str:
    # As a browser reads it: leading spaces and controls dropped, tabs and newlines removed.
    url = re.sub(r"[\t\n\r]", "", url.lstrip(C0_AND_SPACE))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match[1].lower() if match else ""


def urls_of(html: str) -> list[str]:
    return [
        value for _, attrs in tags_of(html) for name, value in attrs.items() if name in URL_ATTRS
    ]


URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster"}


def assert_nothing_runs(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "iframe", "style", "svg", "object", "embed", "form"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler kept: <{tag} {name}>"
            assert name != "style", f"style kept: {value}"  # the CSP allows no inline style
            if name in URL_ATTRS:
                assert url_scheme(value) in {"", "http", "https", "mailto"}, value


# --- What must never run --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('乗っ取り')</script>",
        "こんにちは<script src=https://evil.example/x.js></script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_script_tags_are_not_rendered(text: str) -> None:
    html = render_markdown(text)

    assert_nothing_runs(html)


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.jp/" onclick="alert(1)">リンク</a>',
        '<p onmouseover="alert(1)">マウスを乗せてね</p>',
        '<svg onload="alert(1)"></svg>',
        '<details open ontoggle="alert(1)">',
    ],
)
def test_raw_html_with_event_handlers_is_shown_as_text_not_markup(text: str) -> None:
    html = render_markdown(text)

    assert_nothing_runs(html)
    assert [tag for tag, _ in tags_of(html)] == ["p"]
    assert "&lt;" in html  # the member sees what was typed, harmlessly


@pytest.mark.parametrize(
    "text",
    [
        "[押してね](javascript:alert(1))",
        "[押してね](JaVaScRiPt:alert(1))",
        "[押してね](JAVASCRIPT:alert(1))",
        "[押してね](&#106;avascript:alert(1))",
        "[押してね](&#x6A;avascript:alert(1))",
        "[押してね](javascript&colon;alert(1))",
        "[押してね](java\tscript:alert(1))",
        "[押してね](%20javascript:alert(1))",
        "[押してね]( javascript:alert(1))",
        "[押してね](vbscript:msgbox(1))",
        "[押してね](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[押してね](data:text/html,<script>alert(1)</script>)",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">押してね</a>',
        "[押してね][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_link_schemes_never_become_links(text: str) -> None:
    html = render_markdown(text)

    assert_nothing_runs(html)
    assert all(url_scheme(url) not in {"javascript", "vbscript", "data"} for url in urls_of(html))
    assert "押してね" in html or "javascript" in html.lower()  # the text itself is not lost


@pytest.mark.parametrize(
    "text",
    [
        "![猫](javascript:alert(1))",
        "![猫](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![猫](data:image/png;base64,iVBORw0KGgo=)",
        "![猫](JaVaScRiPt:alert(1))",
    ],
)
def test_images_with_dangerous_sources_lose_their_source(text: str) -> None:
    html = render_markdown(text)

    assert_nothing_runs(html)
    assert not any(url_scheme(url) == "data" for url in urls_of(html))


def test_a_link_title_cannot_break_out_into_an_attribute() -> None:
    html = render_markdown('[リンク](https://example.jp/ "題名\\" onmouseover=\\"alert(1)")')

    assert_nothing_runs(html)
    assert 'href="https://example.jp/"' in html


def test_html_comments_and_iframes_are_dropped_or_escaped() -> None:
    html = render_markdown(
        '<!-- 秘密 --><iframe src="https://evil.example/"></iframe><style>body{display:none}</style>'
    )

    assert_nothing_runs(html)
    assert [tag for tag, _ in tags_of(html)] == ["p"]
    assert "<!--" not in html


def test_code_shows_html_literally() -> None:
    html = render_markdown(
        "`<script>alert(1)</script>` と\n\n```\n<img src=x onerror=alert(1)>\n```"
    )

    assert_nothing_runs(html)
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- What renders ---------------------------------------------------------------------------------


def test_bold_italic_and_strikethrough_render() -> None:
    html = render_markdown("**重要**なお知らせ、*ぜひ*ご参加を。~~中止~~")

    assert "<strong>重要</strong>" in html
    assert "<em>ぜひ</em>" in html
    assert "<s>中止</s>" in html or "<del>中止</del>" in html


def test_lists_and_headings_render() -> None:
    html = render_markdown("## 今月の予定\n\n- 総会\n- 懇親会\n\n3. 受付\n4. 開会のあいさつ\n")

    assert "<h2>今月の予定</h2>" in html
    assert "<ul>\n<li>総会</li>\n<li>懇親会</li>\n</ul>" in html
    assert '<ol start="3">' in html
    assert "<li>開会のあいさつ</li>" in html


def test_links_render_and_are_marked_as_user_content() -> None:
    html = render_markdown("詳しくは[公式サイト](https://mitsuba.example.jp/alumni?年=2026)へ")

    match = re.search(r"<a ([^>]*)>公式サイト</a>", html)
    assert match, html
    assert 'href="https://mitsuba.example.jp/alumni?' in match[1]
    assert f'rel="{SAFE_REL}"' in match[1]


def test_mail_links_and_autolinks_render() -> None:
    html = render_markdown("[事務局](mailto:office@mitsuba.example.jp) / <https://example.jp/>")

    assert 'href="mailto:office@mitsuba.example.jp"' in html
    assert 'href="https://example.jp/"' in html


def test_japanese_text_and_full_width_characters_pass_through_unchanged() -> None:
    text = "三ツ葉商事ＯＢ会（２０２６年）へようこそ！　「つながる」場所です。"

    html = render_markdown(text)

    assert html == f"<p>{text}</p>\n"


def test_line_breaks_in_a_paragraph_and_blockquotes_render() -> None:
    html = render_markdown("> 卒業しても、\n> 三ツ葉の仲間。")

    assert "<blockquote>" in html
    assert "卒業しても" in html


# --- Images: only from this site -----------------------------------------------------------------


def images_of(html: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in tags_of(html) if tag == "img"]


def links_of(html: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in tags_of(html) if tag == "a"]


def test_an_image_from_another_site_is_shown_as_a_link_to_it() -> None:
    html = render_markdown('![集合写真](https://example.jp/photo.jpg "総会にて")')

    assert images_of(html) == []  # the reader's browser asks example.jp for nothing
    assert links_of(html) == [
        {"href": "https://example.jp/photo.jpg", "title": "総会にて", "rel": SAFE_REL}
    ]
    assert ">集合写真</a>" in html


@pytest.mark.parametrize(
    "src",
    [
        "http://tracker.example/pixel.gif",
        "HTTPS://TRACKER.EXAMPLE/pixel.gif",
        "HtTpS://tracker.example/pixel.gif",
        "//tracker.example/pixel.gif",
        "&#47;&#47;tracker.example/pixel.gif",
        "/\\tracker.example/pixel.gif",
        "https://tracker.example/n/mitsuba/events/1/photos/2/",  # our path, their host
        "http://testserver.tracker.example/n/mitsuba/events/1/photos/2/",
        "http://testserver@tracker.example/n/mitsuba/events/1/photos/2/",
        "https://testserver/n/mitsuba/events/1/photos/2/",  # the site is http://testserver
        "pixel.gif",
    ],
)
def test_no_image_loads_from_anywhere_but_this_sites_uploads(src: str) -> None:
    html = render_markdown(f"見てね ![追跡]({src}) ここまで")

    assert images_of(html) == []
    assert [link["rel"] for link in links_of(html)] == [SAFE_REL]
    assert ">追跡</a>" in html
    assert_nothing_runs(html)


@pytest.mark.parametrize(
    "src",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    ],
)
def test_data_addresses_are_never_images(src: str) -> None:
    html = render_markdown(f"![埋め込み]({src})")

    assert images_of(html) == []
    assert "埋め込み" in html
    assert not any(url_scheme(url) == "data" for url in urls_of(html))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("events:photo", {"event_id": 3, "photo_id": 14}),
        ("events:cover", {"event_id": 3}),
        ("news:cover", {"article_id": 5}),
        ("boards:attachment", {"attachment_id": 9}),
        ("talk:attachment", {"file_id": 26}),
        ("profiles:photo", {"membership_id": 53}),
    ],
)
def test_files_uploaded_to_this_site_show_as_images(name: str, kwargs: dict[str, int]) -> None:
    src = reverse(name, kwargs={"network_slug": "mitsuba", **kwargs})

    html = render_markdown(f'![会場の地図]({src} "地図")')

    assert images_of(html) == [{"src": src, "alt": "会場の地図", "title": "地図"}]
    assert links_of(html) == []


def test_an_upload_written_with_the_sites_full_address_shows_from_this_site() -> None:
    path = reverse("events:photo", kwargs={"network_slug": "mitsuba", "event_id": 3, "photo_id": 1})

    html = render_markdown(f"![地図](HTTP://TestServer{path}#top)")

    assert images_of(html) == [{"src": path, "alt": "地図"}]


def test_a_talk_thumbnail_keeps_its_query() -> None:
    path = reverse("talk:attachment", kwargs={"network_slug": "mitsuba", "file_id": 26})

    html = render_markdown(f"![写真]({path}?thumb=1)")

    assert images_of(html) == [{"src": f"{path}?thumb=1", "alt": "写真"}]


@pytest.mark.parametrize("src", ["/n/mitsuba/", "/accounts/logout/", "/n/mitsuba/events/3/"])
def test_pages_of_this_site_that_are_not_uploads_are_links_not_images(src: str) -> None:
    html = render_markdown(f"![ページ]({src})")

    assert images_of(html) == []
    assert [link["href"] for link in links_of(html)] == [src]


def test_an_image_without_alt_text_links_with_its_address() -> None:
    html = render_markdown("![](https://example.jp/photo.jpg)")

    assert images_of(html) == []
    assert '">https://example.jp/photo.jpg</a>' in html


def test_an_image_inside_a_link_leaves_its_text_in_the_authors_link() -> None:
    html = render_markdown("[![**バナー**](https://tracker.example/b.png)](https://example.jp/)")

    assert images_of(html) == []
    assert [link["href"] for link in links_of(html)] == ["https://example.jp/"]
    assert "<strong>バナー</strong></a>" in html


def test_tables_render() -> None:
    html = render_markdown("| 名前 | 部署 |\n|---|---|\n| 山田 花子 | 営業部 |\n")

    assert "<table>" in html
    assert "<th>名前</th>" in html
    assert "<td>山田 花子</td>" in html


def test_table_column_alignment_is_kept() -> None:
    html = render_markdown("| 年度 | 参加者数 |\n|:--|--:|\n| 2025 | 120 |\n")

    # Numbers right-aligned, as the author asked with `--:`, without an inline style.
    cells = [attrs for tag, attrs in tags_of(html) if tag == "td"]
    assert cells == [{"align": "left"}, {"align": "right"}], html
    assert_nothing_runs(html)


def test_empty_and_missing_text_render_as_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""  # type: ignore[arg-type]


def test_the_template_filter_renders_cleaned_markdown() -> None:
    template = Template("{% load tsunagu %}<div>{{ body|markdown }}</div>")

    html = template.render(Context({"body": "**総会**のお知らせ<script>alert(1)</script>"}))

    assert "<strong>総会</strong>" in html  # not escaped a second time
    assert_nothing_runs(html)
