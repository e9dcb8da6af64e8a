from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data (``manage.py seed_demo``): the one app that may use every other app, as it
    seeds each of them through their own ``demo.py``."""

    name = "tsunagu.demo"
    label = "demo"
