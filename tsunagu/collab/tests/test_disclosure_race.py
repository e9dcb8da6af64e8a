"""Two pages showing one member to one network at the same moment, on real PostgreSQL: the day's
record holds the fields of both and counts both views."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from tsunagu.core.testing.factories import make_member, make_network, make_user
from tsunagu.tenancy.models import Role

from ..disclosures import Shown, record_disclosures
from ..models import Disclosure, OptIn
from .helpers import link_networks, opt_in


@pytest.fixture
def postgres_transactional(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of `make test`")


@pytest.mark.postgres
def test_a_view_racing_another_merges_its_fields_into_the_days_record(
    postgres_transactional: None,
) -> None:
    a = make_network(slug="mitsuba-race", name="三ツ葉商事 アルムナイ")
    b = make_network(slug="hidamari-race", name="ひだまり OB・OG会")
    link = link_networks(
        make_member(a, make_user(name="佐藤 美咲"), role=Role.OPERATOR),
        make_member(b, make_user(name="伊藤 大輔"), role=Role.OPERATOR),
    )
    hanako = make_member(a, make_user(name="田中 花子"))
    opt_in(hanako, link)
    with scopes_disabled():
        consent = OptIn.objects.get(membership=hanako)

    def shown(*fields: str) -> Shown:
        return Shown(a.pk, hanako.pk, consent, link, fields)

    # The other page: its row is written but not yet committed when this one records.
    inserted, release = threading.Event(), threading.Event()

    def other_page() -> None:
        try:
            with transaction.atomic(), scopes_disabled():
                now = timezone.now()
                Disclosure.objects.create(
                    network=a,
                    membership=hanako,
                    viewer_network=b,
                    day=timezone.localdate(now),
                    fields=["current_work"],
                    views=1,
                    consent=consent,
                    link=link,
                    first_at=now,
                    last_at=now,
                )
                inserted.set()
                release.wait(5)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_page)
    thread.start()
    assert inserted.wait(5)
    threading.Timer(0.3, release.set).start()  # commits while this insert waits on it
    record_disclosures(b.pk, [shown("skills", "location")])
    thread.join(5)

    with scopes_disabled():
        [row] = Disclosure.objects.filter(membership=hanako)
    assert row.fields == ["current_work", "location", "skills"]
    assert row.views == 2
