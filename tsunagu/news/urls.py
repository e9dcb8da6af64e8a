from __future__ import annotations

from django.urls import path

from . import views
from .feeds import NewsAtomFeed, NewsRssFeed

app_name = "news"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("manage/", views.manage, name="manage"),
    path("feed/renew/", views.feed_rotate, name="feed_rotate"),
    path("feed/<str:feed_token>/rss.xml", NewsRssFeed(), name="feed_rss"),
    path("feed/<str:feed_token>/atom.xml", NewsAtomFeed(), name="feed_atom"),
    path("<id:article_id>/", views.article_detail, name="detail"),
    path("<id:article_id>/edit/", views.article_edit, name="edit"),
    path("<id:article_id>/delete/", views.article_delete, name="delete"),
    path("<id:article_id>/cover/", views.article_cover, name="cover"),
    path("<id:article_id>/react/", views.article_react, name="react"),
    path("<id:article_id>/comment/", views.comment_create, name="comment"),
    path("<id:article_id>/review/", views.article_review, name="review"),
    path("<id:article_id>/pin/", views.article_pin, name="pin"),
    path(
        "comments/<id:article_comment_id>/delete/",
        views.comment_delete,
        name="comment_delete",
    ),
]
