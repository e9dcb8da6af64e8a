from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager]:
    """Runs what the code queued for after the commit (the tasks that send the mail) when the
    block ends, as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
