"""Pages of the supporter programme and the outcome ledger, under /n/<slug>/."""

from __future__ import annotations

from django.urls import path

from . import programme_views as views

app_name = "programme"

urlpatterns = [
    path("supporters/", views.welcome_queue, name="welcome_queue"),
    path("supporters/ranking/", views.ranking, name="ranking"),
    path("supporters/settings/", views.programme_settings, name="settings"),
    path("supporters/awards/", views.give_award, name="give_award"),
    path(
        "supporters/awards/<id:award_id>/withdraw/",
        views.withdraw_award,
        name="withdraw_award",
    ),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("ledger/report/", views.quarter_report, name="quarter_report"),
    path("ledger/report.csv", views.quarter_report_csv, name="quarter_report_csv"),
    path("ledger/<id:outcome_id>/", views.ledger_edit, name="ledger_edit"),
    path("ledger/<id:outcome_id>/decide/", views.ledger_decide, name="ledger_decide"),
]
