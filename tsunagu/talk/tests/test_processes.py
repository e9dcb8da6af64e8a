"""Real processes: two ASGI workers on one Redis, and the no-loss test that kills a worker and
restarts Redis while messages flow."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from tsunagu.core.testing.servers import AsgiWorker, PrivateRedis
from tsunagu.talk.tests.client import TalkClient
from tsunagu.testing.sites import make_site

pytestmark = [pytest.mark.redis, pytest.mark.asyncio]


@pytest.fixture(scope="session")
def sites_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("talk-sites")


def stored(site_dir: Path, room: int) -> list[tuple[int, str]]:
    with sqlite3.connect(site_dir / "tsunagu.sqlite3") as db:
        return db.execute(
            "SELECT seq, client_id FROM talk_message WHERE room_id = ? ORDER BY seq", (room,)
        ).fetchall()


async def wait_until(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


async def test_a_message_sent_through_one_worker_reaches_clients_of_the_other(
    private_redis: PrivateRedis, sites_dir: Path
) -> None:
    site = make_site(sites_dir, private_redis.url, members=2)
    first, second = AsgiWorker(site.env), AsgiWorker(site.env)
    first.start()
    second.start()
    try:
        sender = TalkClient([first.port], site.slug, site.sessions[0], site.room)
        reader = TalkClient([second.port], site.slug, site.sessions[1], site.room)
        tasks = [asyncio.ensure_future(c.run()) for c in (sender, reader)]
        await wait_until(lambda: sender.ws is not None and reader.ws is not None)
        await asyncio.sleep(0.3)
        await sender.say("大阪オフィスからこんにちは")
        assert await wait_until(lambda: bool(reader.seen), timeout=10)
        [frame] = reader.seen.values()
        assert "大阪オフィスからこんにちは" in frame["html"]
        assert not frame.get("replay")  # it came live, through Redis, not by asking
        for client in (sender, reader):
            await client.close()
        for task in tasks:
            task.cancel()
    finally:
        first.kill()
        second.kill()


async def test_no_message_is_lost_or_duplicated_when_a_worker_dies_and_redis_restarts(
    private_redis: PrivateRedis, sites_dir: Path
) -> None:
    total = 150
    site = make_site(sites_dir, private_redis.url, members=2)
    first, second = AsgiWorker(site.env), AsgiWorker(site.env)
    first.start()
    second.start()
    sender = TalkClient([first.port, second.port], site.slug, site.sessions[0], site.room)
    reader = TalkClient([second.port, first.port], site.slug, site.sessions[1], site.room)
    tasks = [asyncio.ensure_future(c.run()) for c in (sender, reader)]
    sent: list[str] = []
    try:
        await wait_until(lambda: sender.ws is not None and reader.ws is not None)

        async def talk() -> None:
            for i in range(total):
                sent.append(await sender.say(f"メッセージ {i:03d} です。途切れても届きますように"))
                await asyncio.sleep(0.03)

        async def chaos() -> None:
            await asyncio.sleep(1.0)
            first.kill()  # the sender's worker dies mid-flight
            await asyncio.sleep(0.3)
            first.start()
            await asyncio.sleep(1.0)
            private_redis.restart(down_for=0.4)  # groups, cache and sessions' cache are gone
            await asyncio.sleep(1.0)
            second.kill()  # now the reader's
            await asyncio.sleep(0.3)
            second.start()

        await asyncio.gather(talk(), chaos())

        async def settle() -> bool:
            # As talk.js does every few seconds: resend what was never acknowledged.
            for _ in range(40):
                if not sender.outbox:
                    return True
                await sender.resend_outbox()
                await asyncio.sleep(0.5)
            return not sender.outbox

        assert await settle(), f"never acknowledged: {len(sender.outbox)}"
        acked = set(sender.acked.values())
        assert await wait_until(lambda: acked <= set(reader.seen), timeout=30), sorted(
            acked - set(reader.seen)
        )[:10]
    finally:
        for client in (sender, reader):
            await client.close()
        for task in tasks:
            task.cancel()
        first.kill()
        second.kill()

    rows = stored(site.data_dir, site.room)
    client_ids = [client_id for _seq, client_id in rows]
    assert len(rows) == total, "lost or duplicated in the database"
    assert sorted(client_ids) == sorted(sent)
    assert len(set(client_ids)) == total
    received = {frame["client_id"] for frame in reader.seen.values()}
    assert received == set(sent), "the reader missed messages"
    assert len(reader.seen) == total
    # The chaos did happen: both clients lost their worker at least once.
    assert sender.reconnects >= 1 and reader.reconnects >= 1
