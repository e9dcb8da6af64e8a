"""The directory (名簿), profiles, life updates and the operators' roster."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.audit.models import AuditAction, record
from tsunagu.core import caching
from tsunagu.core.csvsafe import csv_bytes
from tsunagu.core.storage import image_response, serves_upload
from tsunagu.core.templatetags.layout import read_with_layout
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.models import Role, Status
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, extensions, queries
from .choices import shared_tag_names, suggestions
from .directory import (
    RESULTS_SECONDS,
    Listed,
    choices_key,
    directory_of,
    entries_matching,
    listed_profiles,
    listed_versions,
    page_ids,
)
from .forms import CareerFormSet, LifeUpdateForm, ProfileForm
from .indexing import search
from .models import DirectoryEntry, LifeUpdate, Profile, Tag, TagKind
from .normalize import normalize
from .visibility import FIELDS, MEMBER, OPERATOR, view_of, viewer_level

VIEWS = {"cards": 24, "table": 50}
SEARCHED_ROLES = [(Role.ALUMNI, Role.ALUMNI.label), (Role.EMPLOYEE, Role.EMPLOYEE.label)]
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts up to ``COUNT_CAP`` matches: past that, members narrow the search rather than page.

    Counting every match of a common word in a network of 100,000 would read every matching row;
    counting to a cap stops early, and the page itself walks the sort index.
    """

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()  # type: ignore[attr-defined]

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


SORTS = {
    "name": ("sort_name", "profile_id"),
    "updated": ("-updated_at", "-profile_id"),
    "joined": ("-joined_at", "-profile_id"),
}


def _directory_state(request: NetworkRequest) -> dict[str, Any]:
    """The form state of the request's words, filters, sort and view, cleaned."""
    params = request.GET
    state: dict[str, Any] = {"q": params.get("q", "")[:100]}
    role = params.get("role", "")
    state["role"] = role if role in (Role.ALUMNI, Role.EMPLOYEE) else ""
    left_from, left_to = _int(params.get("left_from")), _int(params.get("left_to"))
    state["left_from"], state["left_to"] = left_from or "", left_to or ""
    state["department"] = " ".join(params.get("department", "").split())[:100]
    state["industry"] = params.get("industry", "")[:50]
    state["skill"] = params.get("skill", "")[:50]
    sort = params.get("sort", "name")
    state["sort"] = sort if sort in SORTS else "name"
    view = params.get("view", "cards")
    state["view"] = view if view in VIEWS else "cards"
    return state


def _directory_queryset(network_id: int, state: dict[str, Any]) -> QuerySet[DirectoryEntry]:
    """The directory rows matching the state's words and filters."""
    skill_ids = None
    if state["skill"]:
        skill_ids = list(
            Tag.objects.filter(
                network_id=network_id, kind=TagKind.SKILL, normalized=normalize(state["skill"])
            ).values_list("pk", flat=True)
        )
    return entries_matching(
        network_id,
        query=state["q"],
        role=state["role"],
        left_from=state["left_from"] or None,
        left_to=state["left_to"] or None,
        department=state["department"],
        industry=state["industry"],
        skill_ids=skill_ids,
    )


class DirectoryPaginator(CappedPaginator):
    """Pages of directory rows: counted up to the cap, each page found by ``page_ids``."""

    def __init__(
        self,
        network_id: int,
        build: Callable[[], QuerySet[DirectoryEntry]],
        per_page: int,
        order: tuple[str, ...],
        results_key: str,
    ) -> None:
        super().__init__([], per_page)
        self.network_id, self.build, self.order = network_id, build, order
        self.results_key = results_key

    @cached_property
    def entries(self) -> QuerySet[DirectoryEntry]:
        """Built only when a count or a page is not cached: building the query costs more than
        reading both from the cache."""
        return self.build()

    @cached_property
    def count(self) -> int:
        counted = caching.cached(
            caching.key(self.results_key, "count"),
            lambda: self.entries.order_by().values("pk")[: COUNT_CAP + 1].count(),
            RESULTS_SECONDS,
        )
        return int(counted)

    def _check_object_list_is_ordered(self) -> None:
        """The list is only counted (unordered, so the count may stop early); pages are sorted."""

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        ids = caching.cached(
            caching.key(self.results_key, number),
            lambda: page_ids(
                self.network_id, self.entries, self.order, offset, self.per_page, many=self.capped
            ),
            RESULTS_SECONDS,
        )
        return Page(ids, number, self)


def directory_page(
    request: NetworkRequest, found: dict[str, Any] | None = None
) -> tuple[Page, list[SafeString], dict[str, Any]]:
    """One page of the directory: the capped count, the page's cards and the form state
    (``found``: what the caller read of the cache, the directory's version among it)."""
    state = _directory_state(request)
    member = request.membership
    network_id = member.network_id
    asked_state = dict(state)
    # Other apps' filters offered to this reader (none for most): the form draws them, and the
    # results depend on the values chosen and on what the reader may see through them.
    offered = extensions.offered_filters(member, request.GET)
    if offered:
        state["filters"] = [asdict(o) for o in offered]
        chosen = {o.param: [o.value, o.scope] for o in offered if o.value}
        if chosen:
            asked_state["chosen"] = chosen
    asked = json.dumps(asked_state, sort_keys=True, ensure_ascii=False).encode()
    results_key = directory_of(network_id).key(hashlib.sha256(asked).hexdigest()[:32], found=found)
    paginator = DirectoryPaginator(
        network_id,
        lambda: extensions.narrow(member, offered, _directory_queryset(network_id, state)),
        VIEWS[state["view"]],
        SORTS[state["sort"]],
        results_key,
    )
    page = paginator.get_page(request.GET.get("page"))
    listed = listed_versions(network_id, list(page.object_list))  # drawn cards need no more
    whole: dict[int, Profile] = {}
    template = (
        "profiles/directory_row.html"
        if state["view"] == "table"
        else "profiles/directory_card.html"
    )

    def read_whole(missing: list[Listed]) -> None:
        ids = [m.pk for m in missing]
        whole.update((p.pk, p) for p in listed_profiles(ids, checked=True))

    def render_card(item: Listed) -> str:
        profile = whole.get(item.pk)
        if profile is None:  # deleted a moment ago: it will not be listed again
            return ""
        card = view_of(profile, MEMBER, career=False)
        return render_to_string(template, {"card": card, "request": request})

    rows = caching.cached_rows(
        caching.key("profiles", state["view"], request.membership.network.slug),
        listed,
        _card_version,
        render_card,
        prepare=read_whole,
    )
    return page, rows, state


def _card_version(item: Listed) -> str:
    """Changes whenever a card would: the profile saved, the member's role or name changed."""
    name = zlib.crc32(item.name.encode())
    return f"{item.pk}:{item.updated_at.timestamp()}:{item.role}:{name}"


# Hand-written: through the ORM this one-row read cost as much CPU as the directory's search.
@member_required
def directory(request: NetworkRequest) -> HttpResponse:
    network_id = request.membership.network_id
    found = None
    if not request.htmx:
        # The directory's version, its filter choices and the header's entries: one round trip.
        keys = [directory_of(network_id).version_key, choices_key(network_id)]
        found = read_with_layout(request, keys)
    page, rows, state = directory_page(request, found)
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "state": state,
        "query": _query_without_page(request),
        "cap": COUNT_CAP,
    }
    if request.htmx:
        return render(request, "profiles/directory_results.html", context)
    context["search_form"] = search_form(request, state, suggestions(network_id, found))
    context["filter_links"] = extensions.links([f["param"] for f in state.get("filters", [])])
    # Only what the "do you still work at …?" notice needs.
    member = request.membership
    my_profile = queries.my_profile(member) or actions.profile_of(member)
    context |= {"my_profile": my_profile, "ask_employer": actions.needs_employer_check(my_profile)}
    return render(request, "profiles/directory.html", context)


def search_form(
    request: NetworkRequest, state: dict[str, Any], choices: dict[str, list[str]]
) -> SafeString:
    """The search form with the request's words, filters, sort and view filled in.

    Its words, options and selected states cost the template engine as much as the page's
    cards (more with a large network's hundreds of skills), and the form holds nothing of the
    reader but the other apps' filters offered to them (in ``state``): it is drawn once for each
    state, filter choices and language, kept like the results.
    """
    asked = json.dumps([request.path, state, choices], sort_keys=True, ensure_ascii=False)
    name = caching.key(
        "profiles",
        "search-form",
        hashlib.blake2b(asked.encode(), digest_size=16).hexdigest(),
        language=True,
    )
    context = {
        "state": state,
        "path": request.path,
        "roles": SEARCHED_ROLES,
        "industries": choices["industries"],
        "skills": choices["skills"],
    }
    return caching.cached_html(
        name,
        lambda: render_to_string("profiles/_search_form.html", context),
        RESULTS_SECONDS,
    )


def _query_without_page(request: NetworkRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _profile_for(request: NetworkRequest, membership_id: int) -> Profile:
    """A profile of an active member of the request's network, or 404 (also for other networks)."""
    member = request.membership
    qs = Profile.objects.filter(network=member.network, membership_id=membership_id)
    if not member.is_operator:
        qs = qs.filter(membership__status=Status.ACTIVE)
    profile = (
        qs.select_related("membership__user").prefetch_related("tags", Prefetch("career")).first()
    )
    if profile is None:
        raise Http404
    return profile


@member_required
def profile_detail(request: NetworkRequest, membership_id: int) -> HttpResponse:
    member = request.membership
    profile = _profile_for(request, membership_id)
    view = view_of(profile, viewer_level(member, profile))
    actions.note_private_view(member, view)
    updates = LifeUpdate.objects.filter(network=member.network, membership_id=membership_id)[:10]
    context: dict[str, Any] = {
        "card": view,
        "updates": updates,
        "is_me": member.pk == profile.pk,
        "sections": extensions.profile_sections(member, profile),
    }
    if context["is_me"]:
        context["update_form"] = LifeUpdateForm()
        context["ask_employer"] = actions.needs_employer_check(profile)
    return render(request, "profiles/profile.html", context)


@serves_upload
@member_required
def photo(request: NetworkRequest, membership_id: int) -> FileResponse:
    """A member's photo, only for the audience they chose; private caching only."""
    member = request.membership
    profile = _profile_for(request, membership_id)
    view = view_of(profile, viewer_level(member, profile), career=False)
    if not view.shows("photo") or not profile.photo:
        raise Http404
    return image_response(profile.photo)


@member_required
def my_profile(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    return redirect("profiles:detail", network_slug=member.network.slug, membership_id=member.pk)


@member_required
def edit_profile(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    profile = actions.profile_of(member)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    career = CareerFormSet(request.POST or None, instance=profile, prefix="career")
    if request.method == "POST" and form.is_valid() and career.is_valid():
        actions.do_update_profile(member, form, career)
        messages.success(request, _("Your profile has been saved."))
        return redirect(
            "profiles:detail", network_slug=member.network.slug, membership_id=member.pk
        )
    return render(
        request,
        "profiles/edit.html",
        {
            "form": form,
            "career": career,
            "skill_suggestions": shared_tag_names(member.network_id, TagKind.SKILL),
            "interest_suggestions": shared_tag_names(member.network_id, TagKind.INTEREST),
        },
        status=400 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def confirm_employer(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    actions.do_confirm_employer(member)
    messages.success(request, _("Thank you. Your profile is up to date."))
    target = "profiles:directory" if request.POST.get("next") == "directory" else "profiles:me"
    return redirect(target, network_slug=member.network.slug)


@member_required
@require_POST
def post_update(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = LifeUpdateForm(request.POST)
    if form.is_valid():
        actions.do_post_life_update(member, form)
        messages.success(request, _("Your update has been posted."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("body", [])))
    return redirect("profiles:me", network_slug=member.network.slug)


@member_required
@require_POST
def delete_update(request: NetworkRequest, update_id: int) -> HttpResponse:
    member = request.membership
    update = LifeUpdate.objects.filter(network=member.network, pk=update_id).first()
    if update is None or (update.membership_id != member.pk and not member.is_operator):
        raise Http404
    actions.do_delete_life_update(member, update)
    messages.success(request, _("The update has been deleted."))
    return redirect("profiles:me", network_slug=member.network.slug)


def _roster(network_id: int) -> QuerySet[Profile]:
    return (
        Profile.objects.filter(network_id=network_id)
        .select_related("membership__user")
        .prefetch_related("tags")
        .order_by("sort_name", "membership_id")
    )


ROSTER_COLUMNS = [
    ("name", _("Name")),
    ("email", _("Account e-mail")),
    ("role", _("Role")),
    ("status", _("Status")),
]


@operator_required
def roster(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    qs = _roster(member.network_id)
    q = request.GET.get("q", "")[:100]
    if q:
        qs = search(qs, q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [view_of(profile, OPERATOR, career=False) for profile in page.object_list]
    record(member, AuditAction.VIEW_ROSTER, page=page.number, q=q)
    return render(request, "profiles/roster.html", {"page": page, "rows": rows, "q": q})


def _export_row(profile: Profile) -> list[str]:
    view = view_of(profile, OPERATOR, career=False)
    user = profile.membership.user
    values = view.values

    def v(name: str) -> str:
        value = values.get(name)
        return "" if value is None else str(value)

    return [
        profile.name, user.email, profile.membership.get_role_display(),
        profile.membership.get_status_display(),
        v("name_kanji"), v("name_kana"), v("name_romaji"), v("joined_on"), v("left_on"),
        v("last_department"), v("last_title"), v("current_employer"), v("current_role"),
        v("industry"), v("location"), ", ".join(t.name for t in view.skills),
        ", ".join(t.name for t in view.interests), v("can_help_with"), v("looking_for"),
        v("contact_email"), v("contact_phone"), v("birth_date"),
    ]  # fmt: skip


def export_header() -> list[str]:
    return [
        _("Name"), _("Account e-mail"), _("Role"), _("Status"), str(FIELDS["name_kanji"][0]),
        str(FIELDS["name_kana"][0]), str(FIELDS["name_romaji"][0]), _("Joined the company"),
        _("Left the company"), _("Last department"), _("Last title"), _("Current employer"),
        _("Current role"), str(FIELDS["industry"][0]), str(FIELDS["location"][0]),
        str(FIELDS["skills"][0]), str(FIELDS["interests"][0]), str(FIELDS["can_help_with"][0]),
        str(FIELDS["looking_for"][0]), _("Contact e-mail"), _("Contact phone"),
        str(FIELDS["birth_date"][0]),
    ]  # fmt: skip


@operator_required
def roster_export(request: NetworkRequest) -> HttpResponse:
    """CSV for Excel: UTF-8 with a BOM, or Shift_JIS (CP932) for older Excel versions."""
    member = request.membership
    encoding = "shift_jis" if request.GET.get("encoding") == "shift_jis" else "utf-8"
    written = 0

    def rows() -> Iterator[list[str]]:
        nonlocal written
        yield export_header()
        for profile in _roster(member.network_id).iterator(chunk_size=1000):
            written += 1
            yield _export_row(profile)

    # A name such as =HYPERLINK(...) reaches the spreadsheet as text, never as a formula; in
    # Shift_JIS a character CP932 lacks becomes its equivalent (髙 stays, ～ stays) or "?",
    # counted in the audit. The UTF-8 file keeps them all.
    content, lost = csv_bytes(rows(), encoding)
    actions.note_export(member, rows=written, encoding=encoding, lost=lost)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=f"text/csv; charset={encoding}")
    suffix = "-sjis" if encoding == "shift_jis" else ""
    filename = f"{member.network.slug}-roster-{stamp}{suffix}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
