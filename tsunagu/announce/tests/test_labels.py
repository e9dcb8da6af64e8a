"""A delivery not sent yet reads 送信待ち in Japanese: "Waiting" alone is the events' waiting
list (キャンセル待ち), so the delivery's label has a context of its own."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from tsunagu.announce.models import DeliveryState


def test_a_pending_delivery_is_waiting_to_be_sent_not_on_a_waiting_list() -> None:
    with translation.override("ja"):
        assert str(DeliveryState.PENDING.label) == "送信待ち"
        assert gettext("Waiting") == "キャンセル待ち"
