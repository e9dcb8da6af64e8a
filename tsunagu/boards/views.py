from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.core.storage import file_response, serves_upload
from tsunagu.core.templatetags.layout import page_token, read_with_layout
from tsunagu.core.urls_cache import network_links
from tsunagu.tenancy.decorators import member_required, moderator_required, operator_required
from tsunagu.tenancy.models import Membership
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, holes
from .access import (
    access_attachment,
    access_category,
    access_comment,
    access_report,
    access_thread,
    access_thread_for_reader,
    can_moderate,
    check_edit_permission,
    filter_threads,
)
from .forms import (
    CategoryForm,
    CommentForm,
    MoveForm,
    PollForm,
    ReportForm,
    ThreadEditForm,
    ThreadForm,
)
from .listing import (
    THREADS_PER_PAGE,
    categories_key,
    categories_of,
    row_of,
    rows_html,
    thread_list,
)
from .models import (
    COMMENTS_PER_PAGE,
    Attachment,
    Category,
    Comment,
    Poll,
    PollOption,
    PollVote,
    Report,
    Revision,
    Stamp,
    Thread,
    ThreadKind,
)
from .pages import thread_page as shared_thread_page


def _thread_list(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    return (
        qs.select_related("category", "author__user")
        .only(
            "network_id",
            "category__name",
            "kind",
            "author__user__name",
            "author__status",
            "title",
            "is_pinned",
            "is_locked",
            "is_hidden",
            "is_answered",
            "created_at",
            "last_activity_at",
            "comment_count",
            "comment_seq",
        )  # fmt: skip
        .order_by("-is_pinned", "-last_activity_at", "-id")
    )


def _thread_redirect(
    request: NetworkRequest, thread: Thread, page: int | None = None
) -> HttpResponse:
    url = reverse(
        "boards:thread", kwargs={"network_slug": request.network.slug, "thread_id": thread.pk}
    )
    return redirect(f"{url}?page={page}" if page else url)


def _categories(request: NetworkRequest) -> list[dict[str, Any]]:
    """The network's categories, read with the header's cache entries in one round trip."""
    network_id = request.membership.network_id
    return categories_of(network_id, read_with_layout(request, [categories_key(network_id)]))


def _list_context(
    request: NetworkRequest, categories: list[dict[str, Any]], current: int | None = None
) -> dict[str, object]:
    """The bar above a thread list and the list with its pager, for the board index or a
    category (``current``)."""
    threads = thread_list(request.membership, request.GET.get("page"), current)
    return {
        "threads": threads,
        "rows": rows_html(threads.rows, network_links(request.network.slug)["boards"]),
        "categories": categories,
        "current": current,
    }


@member_required
def index(request: NetworkRequest) -> HttpResponse:
    categories = _categories(request)
    return render(
        request,
        "boards/index.html",
        {**_list_context(request, categories), "can_moderate": can_moderate(request.membership)},
    )


@member_required
def category(request: NetworkRequest, category_id: int) -> HttpResponse:
    categories = _categories(request)
    # The cached list holds this network's categories only: any other id is not found.
    current = next((c for c in categories if c["id"] == category_id), None)
    if current is None:
        raise Http404
    context = _list_context(request, categories, category_id)
    return render(request, "boards/category.html", {**context, "category": current})


@member_required
def unanswered(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    qs = filter_threads(member).filter(
        kind=ThreadKind.CONSULTATION, is_answered=False, is_locked=False
    )
    page = Paginator(_thread_list(qs).order_by("-created_at", "-id"), THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    actions.mark_unread(member, list(page))
    rows = rows_html([row_of(t) for t in page], network_links(request.network.slug)["boards"])
    return render(request, "boards/unanswered.html", {"page": page, "rows": rows})


@member_required
def new_thread(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    network = member.network
    if not Category.objects.filter(network=network).exists():
        messages.warning(request, _("There is no category yet. Operators set the categories up."))
        return redirect("boards:index", network_slug=network.slug)
    initial: dict[str, object] = {}
    category_id = _id(request.GET.get("category"))
    if category_id is not None:
        initial["category"] = category_id
    if request.GET.get("kind") in ThreadKind.values:
        initial["kind"] = request.GET["kind"]
    form = ThreadForm(request.POST or None, request.FILES or None, network=network, initial=initial)
    poll_form = PollForm(request.POST or None, prefix="poll")
    if request.method == "POST" and form.is_valid() and poll_form.is_valid():
        thread = actions.do_create_thread(
            member,
            category=form.cleaned_data["category"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            poll=poll_form.spec(),
            attachment=form.cleaned_data.get("attachment"),
        )
        messages.success(request, _("Your thread has been posted."))
        return _thread_redirect(request, thread)
    return render(request, "boards/thread_form.html", {"form": form, "poll_form": poll_form})


def _id(raw: str | None) -> int | None:
    """An object id from a query string or form, or None: "²" and 30 nines are not ids."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


def _page_number(raw: str | None, last: int) -> int:
    if raw == "last":
        return last
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), last)


@member_required
def thread_page(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    reader = access_thread_for_reader(member, thread_id)
    thread = reader.thread
    last = thread.last_page
    number = _page_number(request.GET.get("page"), last)
    start = (number - 1) * COMMENTS_PER_PAGE + 1
    moderator = can_moderate(member)
    is_asker = thread.author_id == member.pk
    base = reverse("boards:index", kwargs={"network_slug": request.network.slug})

    def load() -> tuple[Thread, list[Comment], dict, dict, bool]:
        full = access_thread(member, thread.pk)  # with its category, author and poll
        # Comments are numbered in their thread: any page is one indexed range, first or last
        # alike.
        comments = list(
            Comment.objects.filter(
                thread=thread, number__gte=start, number__lt=start + COMMENTS_PER_PAGE
            )
            .select_related("author__user", "parent__author__user")
            .order_by("number")
        )
        ids = [c.pk for c in comments]
        stamps = actions.reaction_summary(thread, ids, None)
        return full, comments, stamps, _attachments(thread, ids), hasattr(full, "poll")

    def shared_context(full: Thread) -> dict[str, object]:
        return {
            "page_number": number,
            "last_page": last,
            "page_numbers": _page_window(number, last),
            "move_form": MoveForm(network=member.network, initial={"category": full.category_id})
            if moderator
            else None,
        }

    page = shared_thread_page(
        thread,
        number,
        request=request,
        base=base,
        can_moderate=moderator,
        is_asker=is_asker,
        load=load,
        context=shared_context,
    )
    read_up_to = reader.read_up_to
    if (
        page.facts["authors"] or not thread.comment_seq
    ):  # opening a thread without comments reads it
        actions.do_mark_read(member, thread, page.facts["last_number"], read_up_to)
    csrf = page_token(request)  # the layout and the htmx header use it too
    poll = ""
    if page.facts["has_poll"]:
        poll = render_to_string(
            "boards/_poll.html",
            {
                "poll": _poll_of(Poll.objects.get(thread=thread), member),
                "thread": thread,
                "csrf_token": csrf,
                "request": request,
            },
        )
    resolvers = holes.thread_page(
        page,
        csrf=csrf,
        member_id=member.pk,
        mine=actions.own_stamps(thread, member),
        editable=not thread.is_locked,
        subscribed=reader.subscribed,
        read_up_to=read_up_to,
        comment_seq=thread.comment_seq,
        per_page=COMMENTS_PER_PAGE,
        poll=poll,
        form="" if thread.is_locked else _comment_form_fields(request, thread),
    )
    content = page.fill(resolvers, where="boards:thread")
    return render(request, "boards/thread.html", {"thread": thread, "content_html": content})


# The empty comment form is the same for every thread and reader: rendered once per language.
_EMPTY_COMMENT_FORM: dict[str, str] = {}


def _comment_form_fields(request: NetworkRequest, thread: Thread) -> str:
    reply_id = _id(request.GET.get("reply_to"))
    reply_to = None
    if reply_id is not None:
        reply_to = (
            Comment.objects.filter(thread=thread, pk=reply_id, is_hidden=False)
            .only("number")
            .first()
        )
    language = get_language()
    if reply_to is None and language in _EMPTY_COMMENT_FORM:
        return _EMPTY_COMMENT_FORM[language]
    html = render_to_string(
        "boards/_comment_form_fields.html",
        {
            "form": CommentForm(initial={"reply_to": reply_to.pk} if reply_to else None),
            "reply_to": reply_to,
        },
    )
    if reply_to is None:
        _EMPTY_COMMENT_FORM[language] = html
    return html


def _attachments(thread: Thread, comment_ids: list[int]) -> dict[int | None, list[Attachment]]:
    found: dict[int | None, list[Attachment]] = {}
    rows = Attachment.objects.filter(thread=thread).filter(
        Q(comment__isnull=True) | Q(comment_id__in=comment_ids)
    )
    for attachment in rows.order_by("id"):
        found.setdefault(attachment.comment_id, []).append(attachment)
    return found


def _poll_of(poll: Poll, member: Membership) -> dict[str, object]:
    """The poll with its options and the member's choices, in two queries."""
    options = list(PollOption.objects.filter(poll=poll))
    mine = set(
        PollVote.objects.filter(poll=poll, member=member).values_list("option_id", flat=True)
    )
    total = sum(o.vote_count for o in options)
    for option in options:
        option.percent = round(100 * option.vote_count / total) if total else 0  # type: ignore[attr-defined]
        option.mine = option.pk in mine  # type: ignore[attr-defined]
    return {
        "poll": poll,
        "options": options,
        "voted": bool(mine),
        "show_results": bool(mine) or poll.is_closed,
    }


def _page_window(number: int, last: int) -> list[int]:
    return sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)})


@member_required
@require_POST
def comment_create(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    if thread.is_locked:
        messages.error(request, _("This thread is locked: no new comments can be posted."))
        return _thread_redirect(request, thread)
    form = CommentForm(request.POST, request.FILES)
    parent = None
    if form.is_valid() and form.cleaned_data["reply_to"]:
        parent = Comment.objects.filter(
            thread=thread, pk=form.cleaned_data["reply_to"], is_hidden=False
        ).first()
        if parent is None:
            form.add_error(None, _("The comment you replied to is no longer there."))
    if form.is_valid():
        comment = actions.do_add_comment(
            member,
            thread,
            body=form.cleaned_data["body"],
            parent=parent,
            attachment=form.cleaned_data.get("attachment"),
        )
        messages.success(request, _("Your comment has been posted."))
        return redirect(actions.comment_url(comment, request.network.slug))
    return render(request, "boards/comment_form.html", {"thread": thread, "form": form}, status=400)


@member_required
def comment_goto(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    url = reverse(
        "boards:thread",
        kwargs={"network_slug": request.network.slug, "thread_id": comment.thread_id},
    )
    return redirect(f"{url}?page={comment.page}#c{comment.number}")


@member_required
def thread_edit(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    check_edit_permission(member, thread, thread.author_id)
    form = ThreadEditForm(
        request.POST or None, instance=Thread(title=thread.title, body=thread.body)
    )
    if request.method == "POST" and form.is_valid():
        actions.do_edit_thread(
            member, thread, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
        )
        messages.success(request, _("Your changes have been saved."))
        return _thread_redirect(request, thread)
    return render(request, "boards/thread_form.html", {"form": form, "thread": thread})


@member_required
def comment_edit(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    check_edit_permission(member, comment.thread, comment.author_id)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    del form.fields["attachment"]  # files are added with a post, not by editing it
    if request.method == "POST" and form.is_valid():
        actions.do_edit_comment(member, comment, body=form.cleaned_data["body"])
        messages.success(request, _("Your changes have been saved."))
        return redirect(actions.comment_url(comment, request.network.slug))
    return render(
        request,
        "boards/comment_form.html",
        {"thread": comment.thread, "form": form, "comment": comment},
    )


@member_required
def thread_history(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    revisions = Revision.objects.filter(thread=thread, comment__isnull=True).select_related(
        "editor__user"
    )
    return render(
        request,
        "boards/history.html",
        {"thread": thread, "revisions": revisions, "current": thread},
    )


@member_required
def comment_history(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    revisions = Revision.objects.filter(thread=comment.thread, comment=comment).select_related(
        "editor__user"
    )
    return render(
        request,
        "boards/history.html",
        {"thread": comment.thread, "comment": comment, "revisions": revisions, "current": comment},
    )


def _stamps_fragment(
    request: NetworkRequest, thread: Thread, comment: Comment | None
) -> HttpResponse:
    """The stamps of one post after a click, for HTMX to swap in place."""
    target = comment.pk if comment else None
    stamps = actions.reaction_summary(thread, [comment.pk] if comment else [], request.membership)
    name = "boards:comment_react" if comment else "boards:thread_react"
    kwargs = {"comment_id": comment.pk} if comment else {"thread_id": thread.pk}
    action = reverse(name, kwargs={"network_slug": request.network.slug, **kwargs})
    return render(
        request, "boards/fragment_stamps.html", {"stamps": stamps[target], "action": action}
    )


def _stamp(request: NetworkRequest) -> str:
    stamp = request.POST.get("stamp", "")
    if stamp not in Stamp.values:
        raise Http404
    return stamp


@member_required
@require_POST
def thread_react(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    actions.do_toggle_reaction(member, thread, None, _stamp(request))
    if request.htmx:
        return _stamps_fragment(request, thread, None)
    return _thread_redirect(request, thread)


@member_required
@require_POST
def comment_react(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    actions.do_toggle_reaction(member, comment.thread, comment, _stamp(request))
    if request.htmx:
        return _stamps_fragment(request, comment.thread, comment)
    return redirect(actions.comment_url(comment, request.network.slug))


@member_required
@require_POST
def subscription(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    subscribe = request.POST.get("subscribe") == "1"
    actions.do_set_subscription(member, thread, subscribe)
    if subscribe:
        messages.success(request, _("You will be notified of new comments."))
    else:
        messages.success(request, _("You will no longer be notified of new comments."))
    return _thread_redirect(request, thread)


@member_required
@require_POST
def best_answer(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    chosen = actions.do_mark_best_answer(member, comment)
    if chosen:
        messages.success(request, _("Thank you! The consultation is marked as answered."))
    else:
        messages.success(request, _("The answer is no longer marked as the most helpful."))
    return redirect(actions.comment_url(comment, request.network.slug))


@moderator_required
@require_POST
def thread_moderate(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    action = request.POST.get("action", "")
    if action == "move":
        form = MoveForm(request.POST, network=member.network)
        if not form.is_valid():
            messages.error(request, _("Choose a category to move the thread to."))
            return _thread_redirect(request, thread)
        actions.do_moderate_thread(member, thread, "move", form.cleaned_data["category"])
    elif action in {"pin", "unpin", "lock", "unlock", "hide", "unhide"}:
        actions.do_moderate_thread(member, thread, action)
    else:
        messages.error(request, _("Unknown action."))
        return _thread_redirect(request, thread)
    messages.success(request, _("The thread has been updated."))
    return _thread_redirect(request, thread)


@moderator_required
@require_POST
def comment_moderate(request: NetworkRequest, comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, comment_id)
    actions.do_set_comment_hidden(member, comment, request.POST.get("hidden") == "1")
    messages.success(request, _("The comment has been updated."))
    return redirect(actions.comment_url(comment, request.network.slug))


def _report(request: NetworkRequest, thread: Thread, comment: Comment | None) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.do_report(request.membership, thread, comment, form.cleaned_data["reason"])
        messages.success(request, _("Thank you. The operators will look at it."))
        if comment is not None:
            return redirect(actions.comment_url(comment, request.network.slug))
        return _thread_redirect(request, thread)
    return render(
        request, "boards/report.html", {"form": form, "thread": thread, "comment": comment}
    )


@member_required
def thread_report(request: NetworkRequest, thread_id: int) -> HttpResponse:
    return _report(request, access_thread(request.membership, thread_id), None)


@member_required
def comment_report(request: NetworkRequest, comment_id: int) -> HttpResponse:
    comment = access_comment(request.membership, comment_id)
    return _report(request, comment.thread, comment)


@moderator_required
def moderation(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    qs = Report.objects.filter(network=member.network, resolved_at__isnull=True).select_related(
        "thread", "comment", "reporter__user", "comment__author__user", "thread__author__user"
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "boards/moderation.html", {"page": page})


@moderator_required
@require_POST
def resolve_report(request: NetworkRequest, report_id: int) -> HttpResponse:
    member = request.membership
    report = access_report(member, report_id)
    outcome = request.POST.get("outcome", "")
    if outcome not in Report.Outcome.values:
        messages.error(request, _("Unknown action."))
    else:
        actions.do_resolve_report(member, report, outcome)
        messages.success(request, _("The report has been resolved."))
    return redirect("boards:moderation", network_slug=member.network.slug)


@operator_required
def manage_categories(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = CategoryForm(request.POST or None, network=member.network)
    if request.method == "POST" and form.is_valid():
        actions.do_save_category(member, form.instance)
        messages.success(request, _("The category has been saved."))
        return redirect("boards:manage_categories", network_slug=member.network.slug)
    categories = Category.objects.filter(network=member.network)
    return render(
        request, "boards/manage_categories.html", {"form": form, "categories": categories}
    )


@operator_required
def manage_category(request: NetworkRequest, category_id: int) -> HttpResponse:
    member = request.membership
    current = access_category(member, category_id)
    form = CategoryForm(request.POST or None, instance=current, network=member.network)
    if request.method == "POST" and form.is_valid():
        actions.do_save_category(member, form.instance)
        messages.success(request, _("The category has been saved."))
        return redirect("boards:manage_categories", network_slug=member.network.slug)
    return render(request, "boards/manage_category.html", {"form": form, "category": current})


@member_required
@require_POST
def poll_vote(request: NetworkRequest, thread_id: int) -> HttpResponse:
    member = request.membership
    thread = access_thread(member, thread_id)
    try:
        poll = thread.poll
    except Poll.DoesNotExist:
        raise Http404 from None
    option_ids = [i for i in map(_id, request.POST.getlist("option")) if i is not None]
    try:
        actions.do_vote(member, poll, option_ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you for voting."))
    return _thread_redirect(request, thread)


@serves_upload
@member_required
def attachment(request: NetworkRequest, attachment_id: int) -> FileResponse:
    """Serves a file to members who may see its post; images inline, PDFs as downloads."""
    found = access_attachment(request.membership, attachment_id)
    return file_response(
        found.file,
        content_type=found.content_type,
        filename=found.name,
        download=not found.is_image,
    )


SEARCH_MAX = 100
SEARCH_SHOWN = 30


def _snippet(text: str, query: str, width: int = 60) -> str:
    at = text.lower().find(query.lower())
    if at < 0:
        return text[: width * 2]
    start = max(0, at - width)
    return ("…" if start else "") + text[start : at + len(query) + width] + "…"


@member_required
def search(request: NetworkRequest) -> HttpResponse:
    """Threads and comments containing the words, one or two Japanese characters included."""
    member = request.membership
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX]
    threads: list[Thread] = []
    comments: list[Comment] = []
    if query:
        # Substring matching, as Japanese has no spaces between words; Django escapes % and _.
        thread_qs = filter_threads(member)
        comment_qs = Comment.objects.filter(network=member.network, thread__in=thread_qs)
        for word in query.split(" ")[:5]:
            thread_qs = thread_qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
            comment_qs = comment_qs.filter(body__icontains=word)
        if not can_moderate(member):
            comment_qs = comment_qs.filter(is_hidden=False)
        threads = list(_thread_list(thread_qs).order_by("-last_activity_at", "-id")[:SEARCH_SHOWN])
        actions.mark_unread(member, threads)
        comments = list(
            comment_qs.select_related("thread", "author__user").order_by("-created_at", "-id")[
                :SEARCH_SHOWN
            ]
        )
        first = query.split(" ")[0]
        for comment in comments:
            comment.snippet = _snippet(comment.body, first)  # type: ignore[attr-defined]
    return render(
        request,
        "boards/search.html",
        {
            "query": query,
            "rows": rows_html(
                [row_of(t) for t in threads], network_links(request.network.slug)["boards"]
            ),
            "comments": comments,
            "shown": SEARCH_SHOWN,
        },
    )
