from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core import caching
from tsunagu.core.templatetags.layout import page_token, read_with_layout
from tsunagu.core.urls_cache import network_links
from tsunagu.events.access import audiences_for
from tsunagu.notify.reads import bell_for
from tsunagu.profiles.models import Tag as ProfileTag
from tsunagu.tenancy.access import access_in_network
from tsunagu.tenancy.cache import members_summary_html, summary_html_key
from tsunagu.tenancy.decorators import member_required
from tsunagu.tenancy.models import Membership, Status
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, search
from .actions import visit_key
from .items import rows_html, welcome_html
from .shown import Shown, when
from .stream import Cursor, first_page, first_page_key, stream_items

WAITING_SHOWN = 5


def _own_tags_key(member: Membership) -> str:
    return caching.key("feed", "own-tags", member.pk)


def _waiting_for(
    member: Membership, waiting: list[dict[str, Any]], found: dict[str, Any], shown: Shown
) -> list[dict[str, Any]]:
    """Consultations waiting for an answer, first those naming the member's skills or interests
    (``found``: what the caller read of the cache, the member's tags among it)."""
    if not waiting:
        return []
    # The member's own tags, kept a minute: they only order this list for the member alone.
    own = caching.cached(
        _own_tags_key(member),
        lambda: set(
            ProfileTag.objects.filter(profiles__membership=member).values_list(
                "normalized", flat=True
            )
        ),
        60,
        found=found,
    )
    rows = [
        (item, [t for t in item["tags"] if t in own])
        for item in waiting
        if item["author_member_id"] != member.pk
    ]
    rows.sort(key=lambda r: (not r[1], -r[0]["at"].timestamp()))
    return [
        shown(item) | {"matches": matches, "day": when(item["at"], shown.zone, "%Y-%m-%d")}
        for item, matches in rows[:WAITING_SHOWN]
    ]


@member_required
def home(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    network = member.network
    cursor = Cursor.parse(request.GET.get("before"))
    audiences = audiences_for(member)
    language = get_language()
    keys = [visit_key(member)]
    if cursor is None:
        keys += [
            first_page_key(network.pk, audiences),
            _own_tags_key(member),
            summary_html_key(network.pk, language),
        ]
    # What the page and its header keep in the cache (the bell among the header's), read in one
    # round trip.
    found = caching.read_many(keys) if request.htmx else read_with_layout(request, keys)
    new_since = actions.do_record_visit(member, looking=cursor is None, found=found)
    shown = Shown(network.slug)
    csrf = page_token(request)  # the layout and the htmx header use it too
    context: dict[str, Any] = {}
    pinned: list[dict[str, Any]] = []
    if cursor is None:
        data = first_page(network, audiences, found)
        items, next_cursor, pinned = data["items"], data["next"], data["pinned"]
        context |= {
            "waiting": _waiting_for(member, data["waiting"], found, shown),
            "upcoming": [shown(e) for e in data["upcoming"]],
        }
    else:
        page, found_next = stream_items(network, audiences, cursor)
        items, next_cursor = page, str(found_next) if found_next else ""
    home_url = network_links(network.slug)["home"]
    # The pinned rows and the stream's in one read of the cache.
    rows = rows_html(member, pinned + items, new_since=new_since, shown=shown, csrf=csrf)
    if cursor is None:
        context["pinned"] = rows[: len(pinned)]
    context |= {
        "items": items,
        "rows": rows[len(pinned) :],
        # The last row loads the next page when scrolled to (a plain link without JavaScript).
        "more_url": f"{home_url}?before={next_cursor}" if next_cursor else "",
        "is_supporter": member.is_supporter_or_operator,
        "first_page": cursor is None,
    }
    if request.htmx:
        return render(request, "feed/fragment_items.html", context)
    bell = bell_for(network, request.user, found)
    context |= {
        "summary_html": members_summary_html(network, language, found),
        "recent_notifications": bell["recent"],
        "unread_prefetched": bell["unread"],
    }
    return render(request, "feed/home.html", context)


@member_required
@require_POST
def welcome(request: NetworkRequest, membership_id: int) -> HttpResponse:
    member = request.membership
    newcomer = access_in_network(
        member, Membership.objects.filter(status=Status.ACTIVE), membership_id
    )
    if newcomer.pk == member.pk:
        messages.error(request, _("You cannot welcome yourself."))
        return redirect("feed:home", network_slug=request.network.slug)
    given = actions.do_toggle_welcome(member, newcomer)
    if request.htmx:
        return HttpResponse(
            welcome_html(member, newcomer.pk, request.network.slug, page_token(request))
        )
    if given:
        messages.success(request, _("You welcomed %(name)s.") % {"name": newcomer.user.name})
    return redirect(reverse("feed:home", kwargs={"network_slug": request.network.slug}))


@member_required
def search_page(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    raw = request.GET.get("q", "")
    query = search.clean_query(raw)
    results = search.search(member, query) if query else None
    too_long = len(" ".join(str(raw).split())) > search.QUERY_MAX
    return render(
        request,
        "feed/search.html",
        {"query": query, "results": results, "too_long": too_long},
    )
