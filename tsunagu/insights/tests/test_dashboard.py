"""The dashboard page: who may open it, the period picker, the CSV, the settings."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html import unescape as html_unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django_scopes import scope, scopes_disabled

from tsunagu.audit.models import AuditAction, AuditEntry
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.insights.models import (
    ActivityDay,
    Contribution,
    ContributionKind,
    InsightSettings,
    RecordingStart,
)
from tsunagu.tenancy.actions import do_change_role
from tsunagu.tenancy.models import Membership, Role
from tsunagu.testing.world import CANARY_A, World

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=TOKYO)
URL = "/n/mitsuba-a/insights/"


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def ja(client: Client) -> Client:
    client.cookies["django_language"] = "ja"
    return client


def en(client: Client) -> Client:
    # The catalogues are compiled when the branch is merged: new wording is read in English.
    client.cookies["django_language"] = "en"
    return client


def add_posts(world: World, member: Membership, n: int, first_id: int = 1) -> None:
    with scope(network=world.net_a):
        for i in range(n):
            Contribution.objects.create(
                network=world.net_a,
                member=member,
                kind=ContributionKind.THREAD,
                source="boards.thread",
                object_id=first_id + i,
                role=member.role,
                created_at=NOW,
                day=NOW.date(),
            )
        ActivityDay.objects.get_or_create(
            network=world.net_a,
            member=member,
            day=NOW.date(),
            defaults={"role": member.role, "posted": True},
        )


def test_an_operator_sees_figures_and_the_office_warning(world: World) -> None:
    add_posts(world, world.operator_a, 4)
    add_posts(world, world.alumni_a, 1, first_id=100)
    page = ja(world.client(world.operator_a)).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "事務局" in html  # the warning's title, in Japanese
    assert 'data-warning="office_share"' in html
    assert "80.0%" in html  # 4 of the 5 posts
    assert "<table" in html
    # The charts are images of their own, which the browser fetches once the figures show.
    sources = re.findall(r'<img class="chart__image" src="([^"]+)"', html)
    assert len(sources) == 3  # stamps, replies and events: none yet, and the page says so
    image = world.client(world.operator_a).get(html_unescape(sources[0]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/svg+xml"
    assert "private, max-age" in image["Cache-Control"]
    svg = image.content.decode()
    assert "2026-06" in svg and "<script" not in svg


def chart_url(name: str = "posters", query: str = "") -> str:
    return f"{URL}charts/{name}.svg{query}"


def test_a_chart_image_is_for_those_who_may_read_the_dashboard(world: World) -> None:
    add_posts(world, world.operator_a, 4)
    add_posts(world, world.alumni_a, 1, first_id=100)
    operator = world.client(world.operator_a)
    assert operator.get(chart_url()).status_code == 200
    for who in (world.alumni_a, world.employee_a, world.supporter_a):
        assert world.client(who).get(chart_url()).status_code == 403
    for who in (world.operator_b, world.outsider):
        assert world.client(who).get(chart_url()).status_code in (302, 404)
    assert Client().get(chart_url()).status_code == 302
    with scope(network=world.net_a):  # the role goes, and the images with it
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    assert operator.get(chart_url()).status_code == 403


def test_a_chart_image_that_does_not_exist_or_a_junk_period_is_refused(world: World) -> None:
    add_posts(world, world.operator_a, 4)
    operator = ja(world.client(world.operator_a))
    assert operator.get(chart_url("nothing")).status_code == 404
    assert operator.get(chart_url("attendance")).status_code == 404  # nobody came: no chart
    for query in ("?start=2026-13", "?start=0000-01", "?end=0000-01"):
        assert operator.get(chart_url(query=query)).status_code == 400
    # An address of an earlier computation is answered, and not kept by the browser.
    stale = operator.get(chart_url(query="?v=1-ja"))
    assert stale.status_code == 200 and "no-cache" in stale["Cache-Control"]


@pytest.mark.parametrize("who", ["alumni_a", "employee_a", "supporter_a"])
def test_members_who_are_not_operators_are_refused(world: World, who: str) -> None:
    page = world.client(getattr(world, who)).get(URL)
    assert page.status_code == 403
    assert CANARY_A not in page.content.decode().replace(getattr(world, who).user.name, "")


def test_supporters_read_it_where_the_network_allows(world: World) -> None:
    with scope(network=world.net_a):
        InsightSettings.objects.create(network=world.net_a, supporters_may_view=True)
    client = world.client(world.supporter_a)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Download CSV" not in page.content.decode()  # the export is the office's
    assert client.get(URL + "export.csv").status_code == 403
    assert client.get(URL + "settings/").status_code == 403


def test_a_role_taken_away_takes_the_dashboard_away_at_once(world: World) -> None:
    client = world.client(world.operator_a)
    assert client.get(URL).status_code == 200
    with scope(network=world.net_a):
        do_change_role(world.operator_a, world.supporter_a, Role.OPERATOR)
        do_change_role(world.supporter_a, world.operator_a, Role.ALUMNI)
    assert client.get(URL).status_code == 403


def test_other_networks_and_outsiders_never_get_it(world: World) -> None:
    for who in (world.operator_b, world.outsider):
        page = world.client(who).get(URL)
        assert page.status_code in (302, 404)
        assert CANARY_A not in page.content.decode()
    assert Client().get(URL).status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13", "2026-04"),
        ("start=abc&end=2026-05", "2026-04"),
        ("start=2026-05&end=2026-02", "最初の月"),
        ("start=2027-01", "未来"),
        ("start=1999-12", "2000"),
        ("start=0000-01", "2000"),
        ("end=0000-01", "2000"),
        ("start=2020-01&end=2026-05", "36"),
        ("preset=999", "選択"),
    ],
)
def test_junk_periods_get_a_clear_error_not_a_crash(world: World, query: str, message: str) -> None:
    page = ja(world.client(world.operator_a)).get(f"{URL}?{query}")
    assert page.status_code == 400
    html = page.content.decode()
    assert "errorlist" in html
    assert message in html


@pytest.mark.parametrize("query", ["start=2026-13", "start=0000-01", "end=0000-01"])
def test_a_junk_period_downloads_nothing_and_shows_the_error(world: World, query: str) -> None:
    page = ja(world.client(world.operator_a)).get(f"{URL}export.csv?{query}")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "errorlist" in page.content.decode()
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT_INSIGHTS).exists()


def test_a_period_without_data_shows_empty_states(world: World) -> None:
    page = ja(world.client(world.operator_a)).get(f"{URL}?start=2021-01&end=2021-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "この期間に活動したメンバーはいません" in html or 'class="empty"' in html
    assert "None" not in html


def test_the_csv_is_formula_safe_in_utf8_and_cp932_and_audited(world: World) -> None:
    add_posts(world, world.operator_a, 2)
    client = ja(world.client(world.operator_a))
    utf8 = client.get(URL + "export.csv?preset=3")
    assert utf8.status_code == 200
    assert utf8.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(utf8.content.decode("utf-8-sig"))))
    months = [row for row in rows if row and row[0] == "2026-06"]
    assert months and months[0][6] == "2"  # two posts in June
    sjis = client.get(URL + "export.csv?preset=3&encoding=shift_jis")
    assert "月" in sjis.content.decode("cp932")
    with scopes_disabled():
        entries = AuditEntry.objects.filter(action=AuditAction.EXPORT_INSIGHTS)
        assert entries.count() == 2


def test_thresholds_are_validated_and_apply_on_the_next_page(world: World) -> None:
    add_posts(world, world.operator_a, 3)
    add_posts(world, world.alumni_a, 1, first_id=50)  # the office: 75 %
    client = ja(world.client(world.operator_a))
    form = client.get(URL + "settings/")
    assert form.status_code == 200
    fields = {
        "office_share_max": "80",
        "mau_falling_months": "3",
        "repeat_drop_points": "10",
        "signup_rate_min": "20",
        "consultation_days": "7",
        "welcome_days": "3",
        "new_faces_min": "10",
        "profiles_fresh_min": "50",
    }
    bad = client.post(URL + "settings/", {**fields, "office_share_max": "150"})
    assert bad.status_code == 400
    assert "100" in bad.content.decode()  # 「100以下の値を入力してください。」
    also_bad = client.post(URL + "settings/", {**fields, "welcome_days": "abc"})
    assert also_bad.status_code == 400
    assert 'data-warning="office_share"' in client.get(URL).content.decode()
    saved = client.post(URL + "settings/", fields)
    assert saved.status_code == 302
    assert 'data-warning="office_share"' not in client.get(URL).content.decode()


def test_the_console_links_to_the_dashboard(world: World) -> None:
    html = world.client(world.operator_a).get("/n/mitsuba-a/manage/console/").content.decode()
    assert URL in html


def test_the_dashboard_costs_the_same_queries_with_ten_times_the_data(
    world: World, django_assert_num_queries: Any
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client(world.operator_a)
    add_posts(world, world.operator_a, 3)
    client.get(URL)
    cache.clear()
    client.force_login(world.operator_a.user)
    with CaptureQueriesContext(connection) as small:  # cold: every figure computed
        client.get(URL)
    add_posts(world, world.alumni_a, 30, first_id=1000)
    for i in range(10):
        make_member(world.net_a, make_user(name=f"卒業生 {i}"))
    cache.clear()
    client.force_login(world.operator_a.user)
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(small) == len(large)
    # Warm: the session and the network's thresholds; the figures come from the cache.
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200


def test_a_period_reaching_before_the_recording_says_which_figures_are_partial(
    world: World,
) -> None:
    with scope(network=world.net_a):
        RecordingStart.objects.create(network=world.net_a, day=date(2026, 4, 20))
    client = en(world.client(world.operator_a))

    html = html_unescape(client.get(URL).content.decode())  # the last 12 months
    assert "data-recording-since" in html
    assert "recorded as it happens since 20 Apr 2026" in html
    assert "members who only read are missing" in html

    since = html_unescape(client.get(f"{URL}?start=2026-05&end=2026-06").content.decode())
    assert "data-recording-since" not in since  # the whole period was recorded
    younger = world.client(world.operator_b).get("/n/hidamari-b/insights/").content.decode()
    assert "data-recording-since" not in younger  # made after the recording began


def test_weekly_active_members_have_their_monthly_trend_and_every_chart_its_description(
    world: World,
) -> None:
    add_posts(world, world.operator_a, 2)
    add_posts(world, world.alumni_a, 1, first_id=100)
    with scope(network=world.net_a):
        Contribution.objects.create(
            network=world.net_a,
            member=world.alumni_a,
            kind=ContributionKind.STAMP,
            source="boards.reaction",
            object_id=1,
            role=Role.ALUMNI,
            created_at=NOW,
            day=NOW.date(),
        )
    html = html_unescape(en(world.client(world.operator_a)).get(URL).content.decode())
    assert "Weekly active members (the month's last 7 days)" in html  # the chart's table
    # Each chart image says what it shows, the stamps and replies too, not just its title.
    alts = re.findall(r'<img class="chart__image"[^>]* alt="([^"]*)"', html)
    titles = re.findall(r'<figcaption class="chart__title">([^<]*)<', html)
    assert len(alts) == 4  # no attendance yet: those two charts say so instead
    assert any(alt.startswith("Stamps each post received") for alt in alts)
    assert not set(titles) & set(alts)
    rows = list(csv.reader(io.StringIO(
        world.client(world.operator_a).get(URL + "export.csv?preset=3").content.decode("utf-8-sig")
    )))  # fmt: skip
    june = next(row for row in rows if row and row[0] == "2026-06")
    assert june[1:3] == ["2", "2"]  # monthly and weekly active in June: both posted today
