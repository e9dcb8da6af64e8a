"""Talk pages. Each works without JavaScript: a message is sent by an ordinary form post."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core.converters import parse_ids
from tsunagu.core.storage import serves_upload
from tsunagu.core.templatetags.layout import page_token
from tsunagu.core.urls_cache import network_links
from tsunagu.profiles.indexing import filter_by_name
from tsunagu.tenancy.access import access_membership, filter_active_members
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Membership, Status
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, holes, mentions, pages
from .access import (
    access_attachment,
    access_message,
    access_reader_room,
    access_room,
    can_create_room,
    can_invite,
    can_join,
    can_leave,
    can_manage_room,
    can_moderate,
    can_pin,
    can_post,
    can_react,
    can_remove_from_room,
    can_view,
    check_change_message_permission,
    filter_messages_for,
    list_rooms_for,
    title_of,
)
from .forms import EditForm, GroupForm, MessageForm, RoomEditForm, RoomForm, new_client_id
from .frames import attachment_payload, reactions_of
from .models import (
    MANAGED_KINDS,
    MESSAGES_PER_PAGE,
    Attachment,
    Link,
    Message,
    Room,
    RoomKind,
    RoomMember,
)
from .pages import RenderContext, render_messages
from .queries import ReaderRoom

SEARCH_LIMIT = 50
FILES_LIMIT = 100
PEOPLE_LIMIT = 30


def _room_url(request: NetworkRequest, room: Room, anchor: str = "") -> str:
    url = reverse("talk:room", kwargs={"network_slug": request.network.slug, "room_id": room.pk})
    return url + anchor


def _excerpt(row: ReaderRoom) -> dict[str, Any] | None:
    """The room's newest message as the list shows it (excerpts.py), or None."""
    room = row.room
    if room.excerpt_seq is None:
        return None
    return {"name": row.excerpt_name, "text": room.excerpt, "at": room.excerpt_at}


@member_required
def index(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    mine, joinable = list_rooms_for(member)
    places: list[dict[str, Any]] = [
        {
            "room": row.room,
            "title": title_of(member, row),
            "unread": max(row.room.last_seq - row.place.last_read_seq, 0) if row.place else 0,
            "excerpt": _excerpt(row),
            # A place may outlive the right to read (an alumni-only room after a change of
            # role): the list shows nothing of what such a room says.
            "readable": can_view(member, row.room, True),
        }
        for row in mine
    ]
    return render(
        request,
        "talk/index.html",
        {
            "talk_url": network_links(request.network.slug)["talk"],
            "room_ids": [row.room.pk for row in mine],
            "can_create_room": can_create_room(member),
            "rooms": [place for place in places if not place["room"].is_private],
            "conversations": [place for place in places if place["room"].is_private],
            "joinable": joinable,
            "csrf_token": page_token(request),
            "zone": timezone.get_current_timezone_name(),
        },
    )


def _render_ctx(
    request: NetworkRequest, room: Room, place: RoomMember | None, in_thread: bool = False
) -> RenderContext:
    member = request.membership
    joined = place is not None
    return RenderContext(
        base=network_links(request.network.slug)["talk"],
        room_id=room.pk,
        can_react=can_react(member, room, joined),
        can_moderate=can_moderate(member, room),
        can_pin=can_pin(member, room, joined),
        in_thread=in_thread,
        read_only=room.is_archived,
        slug=request.network.slug,
    )


def _files_and_reactions(
    request: NetworkRequest, ids: list[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    files: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for attachment in Attachment.objects.filter(message_id__in=ids).order_by("id"):
            files.setdefault(attachment.message_id, []).append(
                attachment_payload(attachment, request.network.slug)
            )
    reactions = reactions_of(ids) if ids else {}
    return files, reactions


def _timeline(room: Room) -> QuerySet[Message]:
    return (
        Message.objects.filter(room=room, thread_root__isnull=True)
        .select_related("sender__user", "sender__profile")
        .order_by("-seq")
    )


@member_required
def room_page(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, place = reader.room, reader.place
    before: int | None = None
    if "before" in request.GET:
        try:
            before = int(request.GET["before"])
        except ValueError:
            return HttpResponseBadRequest(_("Invalid page."))
    last_seq = room.last_seq
    fragment = bool(request.htmx) and before is not None

    def load() -> tuple[list[Message], bool, list[Message], dict[Any, Any], dict[Any, Any]]:
        # Nothing above last_seq: the page is cached under it (messages are committed in order).
        qs = _timeline(room).filter(seq__lte=last_seq)
        if before is not None:
            qs = qs.filter(seq__lt=before)
        # Keyset paging on (room, seq): the 50 newest below a number, whatever the room's size.
        batch = list(qs[: MESSAGES_PER_PAGE + 1])
        has_older = len(batch) > MESSAGES_PER_PAGE
        batch = batch[:MESSAGES_PER_PAGE][::-1]
        files, reactions = _files_and_reactions(request, [m.pk for m in batch])
        pinned: list[Message] = []
        if not fragment:  # the whole page shows the pinned messages above the timeline
            pinned = list(
                Message.objects.filter(
                    room=room, is_pinned=True, deleted_at__isnull=True, is_hidden=False
                )
                .select_related("sender__user")
                .order_by("-seq")[:5]
            )
        return batch, has_older, pinned, files, reactions

    ctx = _render_ctx(request, room, place)
    page = pages.room_page(
        ctx,
        last_seq=last_seq,
        revision=room.revision,
        before=before,
        fragment=fragment,
        office_only=room.kind == RoomKind.ANNOUNCEMENT,
        load=load,
    )
    token = page_token(request)  # the layout and the htmx header use it too
    if fragment:
        resolvers = holes.messages(page, csrf=token, member_id=member.pk)
        return HttpResponse(page.fill(resolvers, where="talk:older"))
    if place is not None and before is None and place.last_read_seq < last_seq:
        actions.do_mark_read(member, room, last_seq)
    joined = place is not None
    title = title_of(member, reader)
    resolvers = holes.room_page(
        page,
        csrf=token,
        member_id=member.pk,
        can_post=can_post(member, room, joined),
        can_join=not joined and can_join(member, room),
        can_leave=can_leave(member, room, joined),
    )
    return render(
        request,
        "talk/room.html",
        {
            "room": room,
            "title": title,
            "talk_url": ctx.base,
            "can_manage": can_manage_room(member, room),
            "content_html": page.fill(resolvers, where="talk:room"),
            "joined": joined,
            "last_seq": last_seq,
            "is_latest": before is None,
            "zone": timezone.get_current_timezone_name(),
            "csrf_token": token,
        },
    )


@member_required
@require_POST
def send(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    room, place = access_room(member, room_id)
    form = MessageForm(request.POST, request.FILES)
    thread_root = None
    if request.POST.get("thread"):
        thread_root = access_message(member, room, request.POST["thread"])
    if form.is_valid():
        try:
            message, _created = actions.do_send_message(
                member,
                room,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
                thread_root=thread_root,
                upload=form.cleaned_data.get("file"),
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            if thread_root is not None:
                return redirect(
                    reverse(
                        "talk:thread",
                        kwargs={
                            "network_slug": request.network.slug,
                            "room_id": room.pk,
                            "message_id": thread_root.thread_root_id or thread_root.pk,
                        },
                    )
                    + f"#m{message.seq}"
                )
            return redirect(_room_url(request, room, f"#m{message.seq}"))
    for field in ("__all__", "body", "file", "client_id"):
        for problem in form.errors.get(field, []):
            flash.error(request, str(problem))
    return redirect(_room_url(request, room))


@member_required
def thread_page(request: NetworkRequest, room_id: int, message_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, place = reader.room, reader.place
    root = access_message(member, room, message_id)
    if root.thread_root_id is not None:
        return redirect(
            reverse(
                "talk:thread",
                kwargs={
                    "network_slug": request.network.slug,
                    "room_id": room.pk,
                    "message_id": root.thread_root_id,
                },
            )
        )
    replies = list(
        Message.objects.filter(thread_root=root)
        .select_related("sender__user", "sender__profile")
        .order_by("seq")[:500]
    )
    ids = [root.pk, *[m.pk for m in replies]]
    files, reactions = _files_and_reactions(request, ids)
    ctx = _render_ctx(request, room, place, in_thread=True)
    token = page_token(request)
    joined = place is not None
    return render(
        request,
        "talk/thread.html",
        {
            "room": room,
            "title": title_of(member, reader),
            "root": root,
            "root_html": render_messages(
                ctx, [root], files, reactions, member_id=member.pk, csrf_token=token
            ),
            "replies_html": render_messages(
                ctx, replies, files, reactions, member_id=member.pk, csrf_token=token
            ),
            "csrf_token": token,
            "can_post": can_post(member, room, joined),
            "form": MessageForm(initial={"client_id": new_client_id()}),
        },
    )


@member_required
@require_POST
def react(request: NetworkRequest, room_id: int, message_id: int) -> HttpResponse:
    member = request.membership
    room, place = access_room(member, room_id)
    message = access_message(member, room, message_id)
    message.room = room
    stamp = request.POST.get("emoji", "").strip() or request.POST.get("stamp", "")
    try:
        actions.do_toggle_reaction(member, message, stamp)
    except PermissionDenied:
        if place is not None:
            raise
        # Refused for not being in the room: say how to get there rather than a bare 403.
        flash.error(request, _("Join the room to send stamps."))
    except ValidationError as error:
        flash.error(request, error.messages[0])
    return redirect(_room_url(request, room, f"#m{message.seq}"))


@member_required
def edit(request: NetworkRequest, room_id: int, message_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, place = reader.room, reader.place
    message = access_message(member, room, message_id)
    message.room = room
    check_change_message_permission(member, room, message, place is not None)
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_message(member, message, form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error.messages[0])
        else:
            return redirect(_room_url(request, room, f"#m{message.seq}"))
    return render(
        request,
        "talk/edit.html",
        {"room": room, "title": title_of(member, reader), "message": message, "form": form},
    )


@member_required
@require_POST
def delete(request: NetworkRequest, room_id: int, message_id: int) -> HttpResponse:
    member = request.membership
    room, _place = access_room(member, room_id)
    message = access_message(member, room, message_id)
    message.room = room
    actions.do_delete_message(member, message)
    flash.success(request, _("The message was deleted."))
    return redirect(_room_url(request, room, f"#m{message.seq}"))


@member_required
@require_POST
def moderate(request: NetworkRequest, room_id: int, message_id: int) -> HttpResponse:
    member = request.membership
    room, _place = access_room(member, room_id)
    message = access_message(member, room, message_id)
    message.room = room
    action = request.POST.get("action")
    if action in ("hide", "unhide"):
        actions.do_set_hidden(member, message, action == "hide")
    elif action in ("pin", "unpin"):
        actions.do_set_pinned(member, message, action == "pin")
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect(_room_url(request, room, f"#m{message.seq}"))


@member_required
@require_POST
def join(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    room, _place = access_room(member, room_id)
    actions.do_join_room(member, room)
    return redirect(_room_url(request, room))


@member_required
@require_POST
def leave(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    room, _place = access_room(member, room_id)
    actions.do_leave_room(member, room)
    flash.success(request, _("You left the room."))
    return redirect("talk:index", network_slug=request.network.slug)


@member_required
@require_POST
def mark_read(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    room, place = access_room(member, room_id)
    try:
        seq = int(request.POST.get("seq", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Invalid sequence number."))
    if place is not None:
        actions.do_mark_read(member, room, seq)
    return HttpResponse(status=204)


def _words(query: str) -> list[str]:
    return [w for w in query.replace("\u3000", " ").split() if w][:5]


@member_required
def search(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, place = reader.room, reader.place
    query = request.GET.get("q", "").strip()[:100]
    results_html = ""
    token = page_token(request)
    count = 0
    if query:
        timeline = Message.objects.filter(room=room).select_related(
            "sender__user", "sender__profile"
        )
        qs = filter_messages_for(member, room, timeline)
        for word in _words(query):
            qs = qs.filter(body__icontains=word)
        found = list(qs.order_by("-seq")[:SEARCH_LIMIT])
        count = len(found)
        files, reactions = _files_and_reactions(request, [m.pk for m in found])
        ctx = _render_ctx(request, room, place, in_thread=True)
        ctx.can_react = False
        results_html = render_messages(
            ctx, found, files, reactions, member_id=member.pk, csrf_token=token
        )
    return render(
        request,
        "talk/search.html",
        {
            "room": room,
            "title": title_of(member, reader),
            "query": query,
            "results_html": results_html,
            "count": count,
            "csrf_token": token,
        },
    )


@member_required
def files(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, _place = reader.room, reader.place
    attachments = list(
        filter_messages_for(member, room, Attachment.objects.filter(room=room), "message__")
        .select_related("message__sender__user")
        .order_by("-id")[:FILES_LIMIT]
    )
    links = list(
        filter_messages_for(member, room, Link.objects.filter(room=room), "message__")
        .select_related("message__sender__user")
        .order_by("-id")[:FILES_LIMIT]
    )
    return render(
        request,
        "talk/files.html",
        {
            "room": room,
            "title": title_of(member, reader),
            "attachments": [(a, attachment_payload(a, request.network.slug)) for a in attachments],
            "links": links,
        },
    )


@serves_upload
@member_required
def attachment(request: NetworkRequest, file_id: int) -> FileResponse:
    found = access_attachment(request.membership, file_id)
    thumb = request.GET.get("thumb") and found.thumbnail
    stored = found.thumbnail if thumb else found.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type="image/jpeg" if thumb else found.content_type,
        as_attachment=not found.is_image,
        filename=found.name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def members(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    reader = access_reader_room(member, room_id)
    room, place = reader.room, reader.place
    joined = place is not None
    may_invite = can_invite(member, room, joined)
    if request.method == "POST":
        if request.POST.get("remove"):
            target = access_membership(member, request.POST["remove"])
            actions.do_remove_from_room(member, room, target)
        else:
            ids = parse_ids(request.POST.getlist("invite"))[:50]
            invitees = list(filter_active_members(member.network).filter(pk__in=ids))
            actions.do_invite(member, room, invitees)
            flash.success(request, _("Invited."))
        return redirect("talk:members", network_slug=request.network.slug, room_id=room.pk)
    in_room = list(
        # Who left the network is no longer named among the room's members (tenancy/names.py).
        RoomMember.objects.filter(room=room)
        .exclude(member__status=Status.LEFT)
        .select_related("member__user")
        .order_by("member__user__name")[:500]
    )
    query = request.GET.get("q", "").strip()[:60]
    candidates: list[Membership] = []
    if may_invite and query:
        candidates = list(
            filter_by_name(filter_active_members(member.network), query)
            .exclude(pk__in=[p.member_id for p in in_room])
            .select_related("user")
            .order_by("user__name")[:PEOPLE_LIMIT]
        )
    return render(
        request,
        "talk/members.html",
        {
            "room": room,
            "title": title_of(member, reader),
            "in_room": in_room,
            "can_invite": may_invite,
            "can_remove": can_remove_from_room(member, room),
            "query": query,
            "candidates": candidates,
        },
    )


@member_required
def mention_candidates(request: NetworkRequest, room_id: int) -> JsonResponse:
    """The room's members, for the composer's @ completion; only for a reader of the room."""
    member = request.membership
    reader = access_reader_room(member, room_id)
    found = mentions.candidates(member, reader.room, request.network.slug)
    response = JsonResponse({"members": found})
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def people(request: NetworkRequest) -> HttpResponse:
    """Start a conversation: find members by name, message one or make a group."""
    member = request.membership
    query = request.GET.get("q", "").strip()[:60]
    found: list[Membership] = []
    if query:
        found = list(
            filter_by_name(filter_active_members(member.network), query)
            .exclude(pk=member.pk)
            .select_related("user")
            .order_by("user__name")[:PEOPLE_LIMIT]
        )
    return render(
        request, "talk/people.html", {"query": query, "found": found, "group_form": GroupForm()}
    )


@member_required
@require_POST
def direct(request: NetworkRequest, membership_id: int) -> HttpResponse:
    member = request.membership
    other = access_membership(member, membership_id)
    try:
        room = actions.do_open_direct(member, other)
    except ValidationError as error:
        flash.error(request, error.messages[0])
        return redirect("talk:people", network_slug=request.network.slug)
    return redirect(_room_url(request, room))


@member_required
@require_POST
def office(request: NetworkRequest) -> HttpResponse:
    room = actions.do_open_office(request.membership)
    return redirect(_room_url(request, room))


@member_required
@require_POST
def new_group(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = GroupForm(request.POST)
    ids = parse_ids(request.POST.getlist("members"))[:50]
    invitees = list(filter_active_members(member.network).filter(pk__in=ids))
    if form.is_valid():
        try:
            room = actions.do_create_group(
                member, name=form.cleaned_data["name"], invitees=invitees
            )
        except ValidationError as error:
            flash.error(request, error.messages[0])
        else:
            return redirect(_room_url(request, room))
    return redirect("talk:people", network_slug=request.network.slug)


@operator_required
def manage(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = actions.do_create_room(
                member,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("The room was created."))
            return redirect(_room_url(request, room))
    rooms = list(
        Room.objects.filter(network=member.network, kind__in=MANAGED_KINDS).order_by(
            "is_archived", "name"
        )
    )
    return render(request, "talk/manage.html", {"form": form, "managed_rooms": rooms})


@operator_required
def manage_room(request: NetworkRequest, room_id: int) -> HttpResponse:
    member = request.membership
    room, _place = access_room(member, room_id)
    if not can_manage_room(member, room):
        raise Http404  # a member's own conversation is no room the network runs
    form = RoomEditForm(
        request.POST or None, initial={"name": room.name, "description": room.description}
    )
    if request.method == "POST":
        if "archive" in request.POST:
            actions.do_archive_room(member, room, request.POST["archive"] == "1")
            return redirect("talk:manage", network_slug=request.network.slug)
        if form.is_valid():
            actions.do_update_room(
                member,
                room,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
            flash.success(request, _("Saved."))
            return redirect("talk:manage", network_slug=request.network.slug)
    return render(request, "talk/manage_room.html", {"room": room, "form": form})
