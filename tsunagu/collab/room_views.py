"""Shared talk rooms of links: the list with the join buttons, a room, and each side's export of
what its own members wrote there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core.csvsafe import csv_bytes
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.names import shown_name
from tsunagu.tenancy.requests import NetworkRequest

from . import actions
from .access import (
    access_exportable_shared_room,
    access_link,
    access_shared_room,
    check_use_shared_room_permission,
    filter_archived_shared_rooms_for,
    filter_shared_rooms_for,
    rooms_links,
)
from .forms import SharedMessageForm, SharedRoomForm
from .models import SharedMessage
from .rooms import room_page
from .routing import socket_path


def _rooms_page(
    request: NetworkRequest, form: SharedRoomForm | None = None, status: int = 200
) -> HttpResponse:
    member = request.membership
    links = rooms_links(member.network_id) if member.is_operator else []
    shown = filter_shared_rooms_for(member)
    archived = filter_archived_shared_rooms_for(member)
    for room in [*shown, *archived]:
        room.other = room.link.other_name(member.network_id)  # type: ignore[attr-defined]
    context = {
        "rooms": shown,
        "archived": archived,
        "links": [{"link": link, "name": link.other_name(member.network_id)} for link in links],
        "form": form or SharedRoomForm(),
    }
    return render(request, "collab/rooms.html", context, status=status)


@member_required
def rooms(request: NetworkRequest) -> HttpResponse:
    """The rooms the network shares with linked networks; members join the ones they choose."""
    return _rooms_page(request)


@operator_required
@require_POST
def room_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = SharedRoomForm(request.POST)
    if not form.is_valid():
        return _rooms_page(request, form, 400)
    link = access_link(member, form.cleaned_data["link"])
    try:
        room = actions.do_create_shared_room(member, link, name=form.cleaned_data["name"])
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _rooms_page(request, form, 409)
    messages.success(request, _("The room was opened. Members of both networks may join it."))
    return redirect("collab:room", network_slug=request.network.slug, shared_room_id=room.pk)


def _room_page(
    request: NetworkRequest, room_id: int, form: SharedMessageForm | None = None, status: int = 200
) -> HttpResponse:
    member = request.membership
    room = access_shared_room(member, room_id)
    check_use_shared_room_permission(member, room)
    shown, people = room_page(member.network_id, room)
    context = {
        "room": room,
        "other_name": room.link.other_name(member.network_id),
        "shown": shown,
        "people": people,
        "form": form or SharedMessageForm(),
        "socket_path": socket_path(request.network.slug, room.pk),
    }
    return render(request, "collab/room.html", context, status=status)


@member_required
def room(request: NetworkRequest, shared_room_id: int) -> HttpResponse:
    """A shared room, for the members of either side who joined it."""
    return _room_page(request, shared_room_id)


@member_required
@require_POST
def room_send(request: NetworkRequest, shared_room_id: int) -> HttpResponse:
    member = request.membership
    room = access_shared_room(member, shared_room_id)
    check_use_shared_room_permission(member, room)
    form = SharedMessageForm(request.POST)
    if not form.is_valid():
        return _room_page(request, shared_room_id, form, 400)
    try:
        actions.do_post_shared_message(member, room, form.cleaned_data["body"])
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _room_page(request, shared_room_id, form, 429 if refusal.code == "rate" else 400)
    return redirect("collab:room", network_slug=request.network.slug, shared_room_id=room.pk)


@member_required
@require_POST
def room_join(request: NetworkRequest, shared_room_id: int) -> HttpResponse:
    member = request.membership
    room = access_shared_room(member, shared_room_id)
    try:
        actions.do_join_shared_room(member, room)
    except ValidationError:
        return _rooms_page(request, status=409)
    messages.success(request, _("You joined the room. Its members from both networks see you."))
    return redirect("collab:room", network_slug=request.network.slug, shared_room_id=room.pk)


@member_required
@require_POST
def room_leave(request: NetworkRequest, shared_room_id: int) -> HttpResponse:
    member = request.membership
    room = access_shared_room(member, shared_room_id)
    actions.do_leave_shared_room(member, room)
    messages.success(request, _("You left the room."))
    return redirect("collab:rooms", network_slug=request.network.slug)


@operator_required
def room_export(request: NetworkRequest, shared_room_id: int) -> HttpResponse:
    """What this network's own members wrote in a shared room (open or archived), as CSV for
    Excel: UTF-8 with a BOM, or Shift_JIS. The other side's messages are never in it: the
    scoped manager reads this network's rows only. The export is recorded in the audit log."""
    member = request.membership
    room = access_exportable_shared_room(member, shared_room_id)
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    rows: list[list[object]] = [[_("Date"), _("Member"), _("Message")]]
    written = (
        SharedMessage.objects.filter(room_id=room.pk, network_id=member.network_id)
        .select_related("sender__user")
        .order_by("id")
    )
    for message in written.iterator(chunk_size=1000):
        when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([when, shown_name(message.sender), message.body])
    content, _lost = csv_bytes(rows, encoding)
    actions.do_note_shared_room_export(member, room, rows=len(rows) - 1)
    suffix = "-sjis" if encoding == "shift_jis" else ""
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    filename = f"{member.network.slug}-shared-room-{room.pk}-{stamp}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
