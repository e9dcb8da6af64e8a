from __future__ import annotations

from django.urls import path

from . import views_dashboard

app_name = "insights"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("export.csv", views_dashboard.export, name="export"),
    path("charts/<slug:chart_name>.svg", views_dashboard.chart, name="chart"),
    path("settings/", views_dashboard.dashboard_settings, name="settings"),
]
