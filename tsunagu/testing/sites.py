"""A real site for tests and benchmarks: a SQLite database of its own, copied from one migrated
once per run, with one network, its members' sessions and its casual talk room, served by the
ASGI workers of ``core/testing/servers.py``."""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from tsunagu.core.testing.processes import clean_env, run_manage
from tsunagu.testing import databases


@dataclass
class Site:
    """A database of its own with one network, members with sessions, and its casual room."""

    data_dir: Path
    env: dict[str, str]
    slug: str
    room: int
    sessions: list[str]
    members: list[int]


def migrated_database(base: Path) -> Path:
    """A migrated SQLite file to copy for each site: the test run's template
    (testing/databases.py), or one made under ``base`` for a bench."""
    return databases.sqlite_template(databases.RUN_DIR or base)


def make_site(base: Path, redis_url: str | None, members: int = 3, **variables: str) -> Site:
    """Without ``redis_url`` the site runs embedded: one process, the in-memory channel layer."""
    data_dir = base / f"site-{uuid.uuid4().hex[:8]}"
    data_dir.mkdir(parents=True)
    shutil.copy(migrated_database(base), data_dir / "tsunagu.sqlite3")
    if redis_url:
        variables["REDIS_URL"] = redis_url
    env = clean_env(
        data_dir,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TALK_RATE_MESSAGES="1000000",
        **variables,
    )
    result = run_manage(
        env,
        "shell",
        "-c",
        f"from tsunagu.testing.sites import seed_site; seed_site({int(members)})",
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout.strip().splitlines()[-1])
    return Site(data_dir=data_dir, env=env, **info)


NAMES = ["佐藤 美咲", "田中 花子", "鈴木 一郎"]


def seed_site(members: int) -> None:
    """Run inside the site's process (manage.py shell): prints the site as JSON."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django_scopes import scopes_disabled

    from tsunagu.accounts.models import User
    from tsunagu.talk.models import Room
    from tsunagu.tenancy.models import Membership, Network, Role

    store = import_module(settings.SESSION_ENGINE).SessionStore
    password = make_password(None)
    with scopes_disabled():
        network = Network.objects.create(slug="kaisou", name="三ツ葉商事 アルムナイ")
        sessions, ids = [], []
        for i in range(members):
            name = NAMES[i] if i < len(NAMES) else f"会員 {i:04d}"
            user = User.objects.create(email=f"member{i}@example.jp", name=name, password=password)
            membership = Membership.objects.create(
                network=network, user=user, role=Role.OPERATOR if i == 0 else Role.ALUMNI
            )
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            sessions.append(session.session_key)
            ids.append(membership.pk)
        room = Room.objects.get(network=network, is_default=True)
    print(  # noqa: T201 - read by the parent process
        json.dumps({"slug": network.slug, "room": room.pk, "sessions": sessions, "members": ids})
    )


def environment_with(env: dict[str, str], **variables: str) -> dict[str, str]:
    merged = dict(env)
    merged.update(variables)
    return merged
