"""The boards of one network, mounted under /n/<network_slug>/boards/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "boards"

urlpatterns = [
    path("", views.index, name="index"),
    path("c/<id:category_id>/", views.category, name="category"),
    path("consultations/unanswered/", views.unanswered, name="unanswered"),
    path("new/", views.new_thread, name="new_thread"),
    path("search/", views.search, name="search"),
    path("t/<id:thread_id>/", views.thread_page, name="thread"),
    path("t/<id:thread_id>/edit/", views.thread_edit, name="thread_edit"),
    path("t/<id:thread_id>/history/", views.thread_history, name="thread_history"),
    path("t/<id:thread_id>/comment/", views.comment_create, name="comment"),
    path("t/<id:thread_id>/react/", views.thread_react, name="thread_react"),
    path("t/<id:thread_id>/subscription/", views.subscription, name="subscription"),
    path("t/<id:thread_id>/moderate/", views.thread_moderate, name="thread_moderate"),
    path("t/<id:thread_id>/report/", views.thread_report, name="thread_report"),
    path("t/<id:thread_id>/poll/", views.poll_vote, name="poll_vote"),
    path("comments/<id:comment_id>/", views.comment_goto, name="comment_goto"),
    path("comments/<id:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<id:comment_id>/history/", views.comment_history, name="comment_history"),
    path("comments/<id:comment_id>/react/", views.comment_react, name="comment_react"),
    path("comments/<id:comment_id>/best/", views.best_answer, name="best_answer"),
    path("comments/<id:comment_id>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("comments/<id:comment_id>/report/", views.comment_report, name="comment_report"),
    path("files/<id:attachment_id>/", views.attachment, name="attachment"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<id:report_id>/", views.resolve_report, name="resolve_report"),
    path("manage/categories/", views.manage_categories, name="manage_categories"),
    path("manage/categories/<id:category_id>/", views.manage_category, name="manage_category"),
]
