from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.boards.models import Stamp
from tsunagu.core import caching
from tsunagu.core.feedtokens import version_key
from tsunagu.core.storage import serves_upload
from tsunagu.core.templatetags.layout import read_with_layout
from tsunagu.core.urls_cache import network_links
from tsunagu.profiles.normalize import normalize
from tsunagu.tenancy.decorators import member_required, operator_required
from tsunagu.tenancy.requests import NetworkRequest

from . import actions, listing
from .access import (
    access_article,
    access_comment,
    can_delete_comment,
    can_edit,
    check_edit_permission,
    news_feed_token,
)
from .forms import ArticleForm, CommentForm, NewsSettingsForm
from .models import Article, Comment, Kind, NewsSettings, State, Tag


def _redirect(request: NetworkRequest, article: Article) -> HttpResponse:
    return redirect(actions.article_url(article, request.network.slug))


@member_required
def article_list(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    kind = request.GET.get("kind", "")
    if kind not in {"office", "members", *Kind.values}:
        kind = ""
    tag = " ".join(request.GET.get("tag", "").split())[:30]
    page = listing.articles_page(
        member.network_id,
        kind=kind,
        tag=normalize(tag) if tag else "",
        number=request.GET.get("page"),
    )
    slug = request.network.slug
    base = network_links(slug)["news"]
    # Each row is the same for every reader of the network: drawn once per version, language
    # and time zone.
    rows = caching.cached_rows(
        caching.key("news", "list", slug),
        page.rows,
        listing.row_version,
        lambda row: render_to_string("news/_row.html", {"row": row, "base": base}),
    )
    token = news_feed_token(member, read_with_layout(request, [version_key("news", member.pk)]))
    return render(
        request,
        "news/list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "tag": tag,
            "kinds": Kind.choices,
            "own_waiting": listing.own_waiting(member),
            "rss_url": reverse("news:feed_rss", kwargs={"network_slug": slug, "feed_token": token}),
            "atom_url": reverse(
                "news:feed_atom", kwargs={"network_slug": slug, "feed_token": token}
            ),
            "pending_count": listing.pending_count(member.network_id) if member.is_operator else 0,
        },
    )


@member_required
@require_POST
def feed_rotate(request: NetworkRequest) -> HttpResponse:
    """New feed addresses for the member, for when the old ones went where they should not."""
    actions.do_rotate_news_feed(request.membership)
    messages.success(
        request,
        _(
            "Your feed addresses have been renewed and the old ones no longer work. "
            "Subscribe to the new ones in your feed reader."
        ),
    )
    return redirect(
        reverse("news:list", kwargs={"network_slug": request.network.slug}) + "#news-feeds"
    )


@member_required
def article_detail(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    comments = list(
        Comment.objects.filter(article=article)
        .select_related("author__user")
        .order_by("created_at", "id")
    )
    for comment in comments:
        comment.can_delete = can_delete_comment(member, comment)  # type: ignore[attr-defined]
    return render(
        request,
        "news/detail.html",
        {
            "article": article,
            "tags": list(Tag.objects.filter(article=article)),
            "comments": comments,
            "stamps": actions.reaction_summary(article, member),
            "form": CommentForm(),
            "can_edit": can_edit(member, article),
            "can_review": member.is_operator,
        },
    )


def _form_cover(form: ArticleForm) -> object:
    """The new cover upload, False when the member cleared it, None to keep it."""
    cover = form.cleaned_data.get("cover")
    if cover is False:
        return False
    return cover if cover and hasattr(cover, "content_type") else None


@member_required
def article_create(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    form = ArticleForm(request.POST or None, request.FILES or None, member=member)
    if request.method == "POST" and form.is_valid():
        article = actions.do_create_article(
            member,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            tags=form.cleaned_data["tags"],
            cover=_form_cover(form),  # type: ignore[arg-type]
            published_at=form.cleaned_data.get("published_at"),
        )
        if article.state == State.PENDING:
            messages.success(
                request, _("Thank you! Your article will appear once an operator approves it.")
            )
        elif article.is_scheduled:
            messages.success(request, _("Your article is scheduled."))
        else:
            messages.success(request, _("Your article has been published."))
        return _redirect(request, article)
    status = 400 if request.method == "POST" else 200
    return render(request, "news/form.html", {"form": form}, status=status)


@member_required
def article_edit(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    check_edit_permission(member, article)
    tags = ", ".join(Tag.objects.filter(article=article).values_list("name", flat=True))
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        member=member,
        instance=Article(
            network=article.network,
            kind=article.kind,
            title=article.title,
            body=article.body,
            cover=article.cover,
        ),
        initial={
            "tags": tags,
            "published_at": article.published_at if article.is_scheduled else None,
        },
        cover_url=reverse(
            "news:cover", kwargs={"network_slug": request.network.slug, "article_id": article.pk}
        )
        if article.cover
        else "",
    )
    if request.method == "POST" and form.is_valid():
        actions.do_edit_article(
            member,
            article,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            tags=form.cleaned_data["tags"],
            cover=_form_cover(form),  # type: ignore[arg-type]
            published_at=form.cleaned_data.get("published_at"),
        )
        if article.state == State.PENDING:
            messages.success(request, _("Your changes wait for an operator's approval."))
        else:
            messages.success(request, _("Your changes have been saved."))
        return _redirect(request, article)
    status = 400 if request.method == "POST" else 200
    return render(request, "news/form.html", {"form": form, "article": article}, status=status)


@member_required
@require_POST
def article_delete(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    actions.do_delete_article(member, article)
    messages.success(request, _("The article has been deleted."))
    return redirect("news:list", network_slug=request.network.slug)


@serves_upload
@member_required
def article_cover(request: NetworkRequest, article_id: int) -> HttpResponse:
    """The cover image, only to members who may read the article."""
    article = access_article(request.membership, article_id)
    if not article.cover:
        raise Http404
    try:
        handle = article.cover.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(handle, content_type=_image_type(handle))
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response  # type: ignore[return-value]


def _image_type(handle: object) -> str:
    from PIL import Image

    try:
        with Image.open(handle) as image:  # type: ignore[arg-type]
            kind = (image.format or "").lower()
    finally:
        handle.seek(0)  # type: ignore[attr-defined]
    return {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}.get(
        kind, "application/octet-stream"
    )


@member_required
@require_POST
def article_react(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    if not article.is_visible:
        raise Http404
    stamp = request.POST.get("stamp", "")
    if stamp not in Stamp.values:
        messages.error(request, _("Unknown stamp."))
        return _redirect(request, article)
    actions.do_toggle_reaction(member, article, stamp)
    if request.htmx:
        return render(
            request,
            "boards/fragment_stamps.html",
            {
                "stamps": actions.reaction_summary(article, member),
                "action": reverse(
                    "news:react",
                    kwargs={"network_slug": request.network.slug, "article_id": article.pk},
                ),
            },
        )
    return _redirect(request, article)


@member_required
@require_POST
def comment_create(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    if not article.is_visible:
        messages.error(request, _("Comments open once the article is published."))
        return _redirect(request, article)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "news/comment_form.html", {"article": article, "form": form}, status=400
        )
    comment = actions.do_add_comment(member, article, body=form.cleaned_data["body"])
    messages.success(request, _("Your comment has been posted."))
    return redirect(actions.article_url(article, request.network.slug) + f"#comment-{comment.pk}")


@member_required
@require_POST
def comment_delete(request: NetworkRequest, article_comment_id: int) -> HttpResponse:
    member = request.membership
    comment = access_comment(member, article_comment_id)
    actions.do_delete_comment(member, comment)
    messages.success(request, _("The comment has been deleted."))
    return _redirect(request, comment.article)


@operator_required
@require_POST
def article_review(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    decision = request.POST.get("decision", "")
    if decision not in {"approve", "reject"}:
        messages.error(request, _("Unknown action."))
        return redirect("news:manage", network_slug=request.network.slug)
    if article.state != State.PENDING:
        messages.error(request, _("This article is not waiting for approval."))
    else:
        actions.do_review_article(member, article, approve=decision == "approve")
        if decision == "approve":
            messages.success(request, _("The article is approved."))
        else:
            messages.success(request, _("The article is turned down."))
    return redirect("news:manage", network_slug=request.network.slug)


@operator_required
@require_POST
def article_pin(request: NetworkRequest, article_id: int) -> HttpResponse:
    member = request.membership
    article = access_article(member, article_id)
    pinned = request.POST.get("pinned") == "1"
    actions.do_set_pinned(member, article, pinned)
    if pinned:
        messages.success(request, _("The article is pinned on the home page."))
    else:
        messages.success(request, _("The article is no longer pinned."))
    return _redirect(request, article)


@operator_required
def manage(request: NetworkRequest) -> HttpResponse:
    member = request.membership
    current = NewsSettings.objects.filter(network=member.network).first() or NewsSettings(
        network=member.network
    )
    form = NewsSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.do_save_settings(member, form.cleaned_data["member_articles_need_approval"])
        messages.success(request, _("The news settings have been saved."))
        return redirect("news:manage", network_slug=request.network.slug)
    pending = list(
        Article.objects.filter(network=member.network, state=State.PENDING)
        .select_related("author__user")
        .order_by("created_at", "id")[:100]
    )
    return render(request, "news/manage.html", {"form": form, "pending": pending})
