from __future__ import annotations

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("copy/", views.survey_copy, name="copy"),
    path("<id:survey_id>/", views.survey_answer, name="answer"),
    path("<id:survey_id>/draft/", views.survey_draft, name="draft"),
    path("<id:survey_id>/mine/", views.survey_edit_link, name="edit_link"),
    path("<id:survey_id>/edit/", views.survey_edit, name="edit"),
    path("<id:survey_id>/questions/", views.survey_questions, name="questions"),
    path("<id:survey_id>/sections/", views.section_add, name="section_add"),
    path("<id:survey_id>/questions/<id:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<id:survey_id>/questions/<id:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<id:survey_id>/publish/", views.survey_publish, name="publish"),
    path("<id:survey_id>/close/", views.survey_close, name="close"),
    path("<id:survey_id>/results/", views.survey_results, name="results"),
    path("<id:survey_id>/crosstab/", views.survey_crosstab, name="crosstab"),
    path("<id:survey_id>/answers.csv", views.survey_export_csv, name="export_csv"),
    path("<id:survey_id>/answers.xlsx", views.survey_export_xlsx, name="export_xlsx"),
]
