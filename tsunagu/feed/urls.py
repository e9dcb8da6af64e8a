from __future__ import annotations

from django.urls import path

from . import views

app_name = "feed"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("welcome/<id:membership_id>/", views.welcome, name="welcome"),
]
