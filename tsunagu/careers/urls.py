from __future__ import annotations

from django.urls import path

from . import views

app_name = "careers"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_create, name="create"),
    path("mine/", views.my_answers, name="mine"),
    path("open-to/", views.open_to, name="open_to"),
    path("talent/", views.talent, name="talent"),
    path("manage/", views.manage, name="manage"),
    path("manage/recruiters/<id:membership_id>/", views.recruiter, name="recruiter"),
    path("<id:opportunity_id>/", views.opportunity_detail, name="detail"),
    path("<id:opportunity_id>/edit/", views.opportunity_edit, name="edit"),
    path("<id:opportunity_id>/close/", views.opportunity_close, name="close"),
    path("<id:opportunity_id>/delete/", views.opportunity_delete, name="delete"),
    path("<id:opportunity_id>/review/", views.opportunity_review, name="review"),
    path("<id:opportunity_id>/answer/", views.answer, name="answer"),
    path("<id:opportunity_id>/answers/", views.answers, name="answers"),
    path("<id:opportunity_id>/answers.csv", views.answers_export, name="answers_export"),
    path("files/<id:opportunity_file_id>/", views.opportunity_file, name="file"),
    path("answers/<id:job_application_id>/status/", views.answer_status, name="answer_status"),
    path(
        "answers/<id:job_application_id>/withdraw/", views.answer_withdraw, name="answer_withdraw"
    ),
    path("answers/<id:job_application_id>/cv/", views.answer_cv, name="answer_cv"),
]
