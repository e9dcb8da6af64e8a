from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from tsunagu.accounts.models import User
from tsunagu.testing.world import World

pytestmark = pytest.mark.django_db


def test_the_demo_has_japanese_news_columns_and_a_searchable_long_thread(world: World) -> None:
    call_command("seed_demo", members=10)
    with scopes_disabled():
        alumni = User.objects.get(email="alumni@example.com")
        operator = User.objects.get(email="operator@example.com")
    client = world.client(alumni)
    news = client.get("/n/mitsuba/news/").content.decode()
    for title in ("社内報：新規事業「みつば Cloud」が始動しました", "コラム：退職して3年"):
        assert title in news
    assert "来月の新制度" not in news  # scheduled
    assert "育休から復職して" not in news  # waiting for approval
    manage = world.client(operator).get("/n/mitsuba/news/manage/").content.decode()
    assert "育休から復職して" in manage
    home = client.get("/n/mitsuba/").content.decode()
    assert home.index("2026年度 アルムナイ総会のご案内") < home.index('id="feed-items"')
    # The long thread's comments were inserted in bulk, and the search box still finds them.
    found = client.get("/n/mitsuba/search/", {"q": "キャンプ"}).content.decode()
    comments = found[found.index('id="results-comments"') :]
    assert "近況報告スレッド" in comments
