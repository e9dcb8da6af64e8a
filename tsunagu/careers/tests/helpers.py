"""Small builders for the opportunities' tests."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tsunagu.careers.actions import do_answer, do_create_opportunity
from tsunagu.careers.models import Application, Opportunity
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership
from tsunagu.testing.world import World


def pdf_bytes(text: str = "") -> bytes:
    """A real one-page PDF (with ``text`` in its metadata, so served bytes can be searched)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def cv_upload(name: str = "職務経歴書.pdf", text: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def make_opportunity(member: Membership, **fields: Any) -> Opportunity:
    data: dict[str, Any] = {
        "kind": "comeback",
        "title": "カムバック採用：法人営業（大阪）",
        "description": "三ツ葉の営業に**戻ってきませんか**。",
        "remote": "hybrid",
        "location": "大阪",
        "compensation": "年収600万〜800万円",
        "audience": "all",
        "deadline": timezone.localdate() + timedelta(days=30),
    }
    data.update(fields)
    with scope(network=member.network):
        return do_create_opportunity(member, **data)


def answer(member: Membership, opportunity: Opportunity, **fields: Any) -> Application:
    data: dict[str, Any] = {"mode": "interest", "message": ""}
    data.update(fields)
    with scope(network=member.network):
        return do_answer(member, opportunity, **data)


def url(world: World, rest: str = "", network: Any = None) -> str:
    return f"/n/{(network or world.net_a).slug}/careers/{rest}"


def notified(kind: str) -> set[int]:
    with scopes_disabled():
        return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)
