"""The room page around its messages, and the head every room page shares, built in Python.

Through the template engine the room page's own markup (its head's links, the compose form's
widgets, the browser script's words) cost more than its messages once those are cached. The
markup is what the templates had, built with the standard library's ``escape`` on every value;
the words, the compose form's fields and the script's words are looked up once per language and
process (the words outside f-strings, so that makemessages finds them).
"""

from __future__ import annotations

from html import escape
from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import json_script
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .forms import MessageForm, new_client_id
from .models import Room, RoomKind
from .templatetags.talk import talk_js_strings

_TEXTS: dict[str, SimpleNamespace] = {}
CLIENT_ID_HOLE = "\x00client_id\x00"


def _texts() -> SimpleNamespace:
    language = get_language()
    texts = _TEXTS.get(language)
    if texts is None:
        texts = _TEXTS[language] = _lookup_texts()
    return texts


def _lookup_texts() -> SimpleNamespace:
    kinds = {str(kind): escape(str(label)) for kind, label in RoomKind.choices}
    # The compose form's fields, with a hole for the client id each page draws anew.
    fields = render_to_string(
        "talk/_form_fields.html", {"form": MessageForm(initial={"client_id": CLIENT_ID_HOLE})}
    )
    return SimpleNamespace(
        kinds=kinds,
        talk=escape(_("Talk")),
        archived=escape(_("Archived: read only")),
        room=escape(_("Room")),
        search_room=escape(_("Search this room")),
        search=escape(_("Search")),
        files=escape(_("Files and links")),
        members=escape(_("Members")),
        manage=escape(_("Manage")),
        older=escape(_("Older messages")),
        newest=escape(_("Newest messages")),
        send=escape(_("Send")),
        join_note=escape(_("Join this room to post and to hear of new messages.")),
        join=escape(_("Join")),
        office_only=escape(_("Only the office posts in this room.")),
        archived_note=escape(_("This room is archived: it can be read, not written to.")),
        leave=escape(_("Leave this room")),
        form_fields=fields,
        js_strings=str(json_script(talk_js_strings(), "talk-strings")),
    )


def kind_label(kind: str) -> str:
    """The room type's name in the current language, escaped."""
    return str(_texts().kinds.get(kind, escape(kind)))


def room_head_html(
    base: str, room: Room, title: str, *, can_manage: bool, query: str | None = None
) -> str:
    """The head of every page of a room (``base``: the network's talk address; ``can_manage``:
    access.can_manage_room())."""
    w = _texts()
    url = f"{escape(base)}r/{int(room.pk)}/"
    archived = f" · <strong>{w.archived}</strong>" if room.is_archived else ""
    description = f'<p class="muted">{escape(room.description)}</p>' if room.description else ""
    manage = ""
    if can_manage:
        manage = f'<a href="{escape(base)}manage/{int(room.pk)}/">{w.manage}</a>'
    return (
        f'<div class="talk-head">\n  <p class="muted"><a href="{escape(base)}">{w.talk}</a> › '
        f"{kind_label(room.kind)}{archived}</p>\n"
        f'  <h1><a href="{url}">{escape(title)}</a></h1>\n  {description}\n'
        f'  <nav class="talk-head__links" aria-label="{w.room}">\n'
        f'    <form class="inline-form" method="get" action="{url}search/" role="search">\n'
        f'      <input type="search" name="q" value="{escape(query or "")}" '
        f'placeholder="{w.search_room}" aria-label="{w.search_room}">\n'
        f'      <button class="button button--ghost button--small" type="submit">{w.search}'
        "</button>\n    </form>\n"
        f'    <a href="{url}files/">{w.files}</a>\n'
        f'    <a href="{url}members/">{w.members}</a>\n'
        f"    {manage}\n  </nav>\n</div>\n"
    )


def older_html(older_url: str) -> str:
    url = escape(older_url)
    return (
        f'<li class="talk-older"><a href="{url}" hx-get="{url}" hx-trigger="click, revealed" '
        f'hx-target="closest li" hx-swap="outerHTML" data-older>{_texts().older}</a></li>\n'
    )


def room_content_html(
    *,
    base: str,
    slug: str,
    room: Room,
    title: str,
    member_id: int,
    csrf_token: str,
    flags: dict[str, Any],
    last_seq: int,
    is_latest: bool,
    older_url: str,
    pinned_html: str,
    messages_html: str,
    palette: str,
) -> str:
    """The room page's content: what room.html's template had, for one reader. ``flags``:
    joined, can_post, can_join, can_leave, can_react, can_manage (from access.py)."""
    w = _texts()
    url = f"{escape(base)}r/{int(room.pk)}/"
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    joined = flags["joined"]
    pk = int(room.pk)
    parts = [
        f'\n<section class="card talk-room" data-talk-socket="{escape(slug)}" '
        f'data-talk-member="{int(member_id)}" data-talk-room="{pk}" '
        f'data-talk-rooms="{pk if joined else ""}" data-last-seq="{int(last_seq)}" '
        f'data-can-react="{"1" if flags["can_react"] else ""}" '
        f'data-live="{"1" if is_latest and joined else ""}">\n  ',
        room_head_html(base, room, title, can_manage=flags["can_manage"]),
        f"\n  \n    {pinned_html}\n  \n" if pinned_html else "\n  \n",
        '  <ol class="talk-messages" data-messages aria-live="polite">\n    ',
        older_html(older_url) if older_url else "",
        f"\n    {messages_html}\n  </ol>\n  ",
        "" if is_latest else f'<p><a href="{url}">{w.newest}</a></p>',
        '\n  <p class="muted talk-typing" data-typing hidden></p>\n  ',
    ]
    if flags["can_post"]:
        fields = w.form_fields.replace(CLIENT_ID_HOLE, new_client_id())
        parts.append(
            f'\n    <form class="form talk-compose" method="post" action="{url}send/" '
            f'enctype="multipart/form-data" data-compose>\n      {csrf}\n      {fields}\n'
            f'      <div class="form__actions"><button class="button" type="submit">{w.send}'
            "</button></div>\n    </form>\n  "
        )
    elif flags["can_join"]:
        parts.append(
            f'\n    <form method="post" action="{url}join/">{csrf}<p>{w.join_note} '
            f'<button class="button" type="submit">{w.join}</button></p></form>\n  '
        )
    elif room.kind == RoomKind.ANNOUNCEMENT:
        parts.append(f'\n    <p class="muted">{w.office_only}</p>\n  ')
    elif room.is_archived:
        parts.append(f'\n    <p class="muted">{w.archived_note}</p>\n  ')
    parts.append("\n  ")
    if flags["can_leave"]:
        parts.append(
            f'<form class="inline-form" method="post" action="{url}leave/">{csrf}'
            f'<button class="linklike muted" type="submit">{w.leave}</button></form>'
        )
    parts.append("\n</section>\n")
    if palette:
        parts.append(f"<template data-talk-palette>{palette}</template>")
    parts.append(f"\n{w.js_strings}\n\n")
    return "".join(parts)


def _index_texts() -> SimpleNamespace:
    language = get_language()
    texts = _INDEX_TEXTS.get(language)
    if texts is None:
        texts = _INDEX_TEXTS[language] = SimpleNamespace(
            talk=escape(_("Talk")),
            new_conversation=escape(_("New conversation")),
            message_office=escape(_("Message the office")),
            manage_rooms=escape(_("Manage rooms")),
            rooms=escape(_("Rooms")),
            unread=escape(_("unread")),
            no_rooms=escape(_("You are in no room yet.")),
            conversations=escape(_("Conversations")),
            no_conversations=escape(_("No conversations yet.")),
            joinable=escape(_("Rooms you can join")),
            join=escape(_("Join")),
        )
    return texts


_INDEX_TEXTS: dict[str, SimpleNamespace] = {}


def index_content_html(
    *,
    base: str,
    slug: str,
    member_id: int,
    can_create_room: bool,
    csrf_token: str,
    mine: list[tuple[Room, str, int]],
    joinable: list[Room],
) -> str:
    """The room list's content: what index.html's template had, for one reader. ``mine``: the
    reader's rooms with their titles and unread counts, in order."""
    w = _index_texts()
    base = escape(base)
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'

    def rows(places: list[tuple[Room, str, int]], empty: str) -> str:
        if not places:
            return f'<li class="empty">{empty}</li>'
        return "".join(
            f'\n      <li data-room="{int(room.pk)}"><a href="{base}r/{int(room.pk)}/"><strong>'
            f'{escape(title)}</strong></a> <span class="muted">{kind_label(room.kind)}</span>\n'
            f'        <span class="talk-unread" data-room-unread {"" if unread else "hidden"} '
            f'aria-label="{w.unread}">{int(unread)}</span></li>\n    '
            for room, title, unread in places
        )

    manage = f'<p class="muted"><a href="{base}manage/">{w.manage_rooms}</a></p>'
    manage = manage if can_create_room else ""
    rooms = [place for place in mine if not place[0].is_private]
    conversations = [place for place in mine if place[0].is_private]
    parts = [
        f'\n<div class="card talk-index" data-talk-socket="{escape(slug)}" '
        f'data-talk-member="{int(member_id)}" '
        f'data-talk-rooms="{",".join(str(int(place[0].pk)) for place in mine)}">\n'
        f'  <div class="card__title">\n    <h1>{w.talk}</h1>\n    <span>\n'
        f'      <a class="button" href="{base}people/">{w.new_conversation}</a>\n'
        f'      <form class="inline-form" method="post" action="{base}office/">{csrf}<button '
        f'class="button button--ghost" type="submit">{w.message_office}</button></form>\n'
        "    </span>\n  </div>\n  ",
        f'<p class="muted"><a href="{base}manage/">{w.manage_rooms}</a></p>'
        if can_create_room
        else "",
        f'\n  <h2>{w.rooms}</h2>\n  <ul class="talk-list">\n    {rows(rooms, w.no_rooms)}\n'
        f'  </ul>\n  <h2>{w.conversations}</h2>\n  <ul class="talk-list">\n    '
        f"{rows(conversations, w.no_conversations)}\n  </ul>\n  ",
    ]
    if joinable:
        items = "".join(
            f'\n        <li><a href="{base}r/{int(room.pk)}/"><strong>{escape(room.name)}</strong>'
            f'</a> <span class="muted">{kind_label(room.kind)}'
            + (f" · {escape(room.description)}" if room.description else "")
            + f'</span>\n          <form class="inline-form" method="post" '
            f'action="{base}r/{int(room.pk)}/join/">{csrf}<button class="button button--small" '
            f'type="submit">{w.join}</button></form></li>\n      '
            for room in joinable
        )
        parts.append(
            f'\n    <h2>{w.joinable}</h2>\n    <ul class="talk-list">\n      {items}\n    </ul>\n  '
        )
    parts.append("\n</div>\n")
    return "".join(parts)
