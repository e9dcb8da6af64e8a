"""Talk fan-out: one room, N connected websocket clients, a 200-byte message; the time until the
last client has it, beside the floor of a plain ``websockets`` broadcast server.

For each client count (default 100, 500, 1000) it measures, with the same client code:

- ``floor``: a bare ``websockets`` server that broadcasts each frame it receives to every
  connection (no database, no Django, no channel layer);
- ``talk 1w`` and ``talk 2w``: Tsunagu's talk socket served by 1 and 2 uvicorn workers with a
  private Redis (channel layer, cache, sessions) and SQLite; each message is stored (its sequence
  number taken under the room's lock) before it is broadcast, as in production. With 2 workers the
  receivers are spread over both and the sender uses the first.

A sender posts ``--messages`` messages, one at a time, after three that are not counted; for
each, the latency is the time from sending until the last receiver has it. Prints the median and
p99 of that latency and the workers' resident memory per connected client.

    python bench/talk_fanout.py                      # 100, 500 and 1000 clients
    python bench/talk_fanout.py --clients 100        # a quick run
    python bench/talk_fanout.py --clients 1000 --messages 50

Needs redis-server on the PATH. It loads both CPU cores: run it on a quiet machine.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BODY = ("朝活報告: " + "x" * 200).encode()[:200].decode("utf-8", "ignore")
CONNECT_BATCH = 50
# Messages sent before measuring, by the floor and by talk alike: a running server has already
# opened its database connection and subscribed to the room when a message arrives.
WARMUP = 3


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# --- The floor: a plain websockets broadcast server ---------------------------------------------


def floor_server(port: int, deflate: bool) -> None:
    import websockets
    from websockets.asyncio.server import broadcast, serve

    connected: set[Any] = set()

    async def handler(ws: Any) -> None:
        connected.add(ws)
        try:
            async for message in ws:
                broadcast(connected, message)
        except websockets.ConnectionClosed:
            pass
        finally:
            connected.discard(ws)

    async def main() -> None:
        compression = "deflate" if deflate else None
        async with serve(handler, "127.0.0.1", port, max_size=None, compression=compression):
            await asyncio.Future()

    asyncio.run(main())


# --- The clients --------------------------------------------------------------------------------


class Receivers:
    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def open(self, urls_and_headers: list[tuple[str, dict[str, str], str]]) -> None:
        import websockets

        async def one(url: str, headers: dict[str, str], origin: str) -> None:
            ws = await websockets.connect(
                url, additional_headers=headers, origin=origin, max_size=None, open_timeout=60
            )
            self.sockets.append(ws)
            self.tasks.append(asyncio.ensure_future(self.listen(ws)))

        for start in range(0, len(urls_and_headers), CONNECT_BATCH):
            batch = urls_and_headers[start : start + CONNECT_BATCH]
            await asyncio.gather(*(one(*item) for item in batch))

    async def listen(self, ws: Any) -> None:
        try:
            async for text in ws:
                now = time.perf_counter()
                frame = json.loads(text)
                key = frame.get("client_id") if frame.get("type") == "message" else None
                if key:
                    self.arrivals.setdefault(key, []).append(now)
        except Exception:  # noqa: BLE001, S110 - closed at the end of a run
            pass

    async def close(self) -> None:
        for ws in self.sockets:
            await ws.close()
        for task in self.tasks:
            task.cancel()


async def measure(
    receivers: Receivers, clients: int, send: Any, messages: int
) -> tuple[list[float], int]:
    latencies, incomplete = [], 0
    for number in range(WARMUP + messages):
        key = f"c-{uuid.uuid4().hex}"
        started = time.perf_counter()
        await send(key)
        deadline = started + 30
        while len(receivers.arrivals.get(key, ())) < clients and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        got = receivers.arrivals.get(key, [])
        if len(got) < clients:
            incomplete += 1
            continue
        if number >= WARMUP:
            latencies.append((max(got) - started) * 1000)
        await asyncio.sleep(0.05)
    return latencies, incomplete


async def run_floor(clients: int, messages: int, deflate: bool) -> dict[str, Any]:
    import websockets

    from tsunagu.core.testing.servers import free_port, wait_for_port

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - this script, in floor-server mode
        [sys.executable, __file__, "--floor-server", str(port), "1" if deflate else "0"], cwd=ROOT
    )
    try:
        wait_for_port(port)
        url = f"ws://127.0.0.1:{port}/"
        sender = await websockets.connect(url, max_size=None)
        await asyncio.sleep(0.5)
        base = rss_kb(server.pid)
        receivers = Receivers()
        await receivers.open([(url, {}, "http://127.0.0.1")] * clients)
        await asyncio.sleep(1)
        per_client = (rss_kb(server.pid) - base) / clients

        async def send(key: str) -> None:
            await sender.send(json.dumps({"type": "message", "client_id": key, "body": BODY}))

        latencies, incomplete = await measure(receivers, clients, send, messages)
        await sender.close()
        await receivers.close()
    finally:
        server.kill()
        server.wait()
    return {"latencies": latencies, "incomplete": incomplete, "kb_per_client": per_client}


async def run_talk(
    clients: int, workers: int, messages: int, site: Any, uvicorn_args: tuple[str, ...]
) -> dict[str, Any]:
    import websockets

    from tsunagu.core.testing.servers import AsgiWorker

    servers = [AsgiWorker(site.env, extra_args=uvicorn_args) for _ in range(workers)]
    for server in servers:
        server.start()
    try:
        # The sender connects first, and one warm-up socket per worker: the first connections
        # load the code that every later one shares, which is not memory per client.
        sender = await websockets.connect(
            f"ws://127.0.0.1:{servers[0].port}/ws/n/{site.slug}/talk/",
            additional_headers={"Cookie": f"sessionid={site.sessions[0]}"},
            origin=f"http://127.0.0.1:{servers[0].port}",
            max_size=None,
        )
        warm = Receivers()
        await warm.open(
            [
                (
                    f"ws://127.0.0.1:{server.port}/ws/n/{site.slug}/talk/",
                    {"Cookie": f"sessionid={site.sessions[0]}"},
                    f"http://127.0.0.1:{server.port}",
                )
                for server in servers
            ]
        )
        await asyncio.sleep(1)
        base = sum(rss_kb(s.pid()) for s in servers)
        targets = []
        for i in range(clients):
            server = servers[i % workers]
            targets.append(
                (
                    f"ws://127.0.0.1:{server.port}/ws/n/{site.slug}/talk/",
                    {"Cookie": f"sessionid={site.sessions[1 + i]}"},
                    f"http://127.0.0.1:{server.port}",
                )
            )
        receivers = Receivers()
        await receivers.open(targets)
        await asyncio.sleep(1)
        per_client = (sum(rss_kb(s.pid()) for s in servers) - base) / clients

        async def drain_sender() -> None:
            async for _text in sender:
                pass

        drain = asyncio.ensure_future(drain_sender())

        async def send(key: str) -> None:
            frame = {"type": "send", "room": site.room, "client_id": key, "body": BODY}
            await sender.send(json.dumps(frame, ensure_ascii=False))

        # The sender's own socket is not counted: the receivers are the N clients.
        latencies, incomplete = await measure(receivers, clients, send, messages)
        drain.cancel()
        await sender.close()
        await receivers.close()
        await warm.close()
    finally:
        for server in servers:
            server.kill()
    return {"latencies": latencies, "incomplete": incomplete, "kb_per_client": per_client}


def report(name: str, clients: int, result: dict[str, Any], floor_p50: float | None) -> str:
    values = result["latencies"]
    if not values:
        return f"  {name:<9} {clients:>5}   no complete delivery ({result['incomplete']} lost)"
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    ratio = f"{p50 / floor_p50:5.1f}×" if floor_p50 else "     "
    lost = f"  incomplete {result['incomplete']}" if result["incomplete"] else ""
    return (
        f"  {name:<9} {clients:>5}   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   {ratio} floor"
        f"   {result['kb_per_client']:6.1f} kB/client{lost}"
    )


async def main(args: argparse.Namespace) -> int:
    from tsunagu.core.testing.servers import PrivateRedis
    from tsunagu.testing.sites import make_site

    redis = PrivateRedis()
    redis.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            largest = max(args.clients)
            started = time.monotonic()
            # As deployed: DEBUG off (a site without a secret key runs with DEBUG on, and then
            # every connection's statements stay in the worker's query log, kilobytes a socket).
            site = make_site(
                Path(tmp),
                redis.url,
                members=largest + 1,
                DEBUG="0",
                SECRET_KEY=secrets.token_urlsafe(50),
                SECURE_SSL_REDIRECT="0",
            )
            print(f"site with {largest + 1} members ready in {time.monotonic() - started:.0f}s")
            print(f"message body: {len(BODY.encode())} bytes; {args.messages} messages per row")
            uvicorn_args = ("--ws", args.ws, "--ws-per-message-deflate", str(args.deflate).lower())
            print(f"per-message deflate: {'on' if args.deflate else 'off'} (floor and talk)")
            for clients in args.clients:
                floor = await run_floor(clients, args.messages, args.deflate)
                floor_p50 = statistics.median(floor["latencies"]) if floor["latencies"] else None
                print(report("floor", clients, floor, None), flush=True)
                for workers in args.workers:
                    result = await run_talk(clients, workers, args.messages, site, uvicorn_args)
                    print(report(f"talk {workers}w", clients, result, floor_p50), flush=True)
    finally:
        redis.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--floor-server":
        floor_server(int(sys.argv[2]), sys.argv[3] == "1")
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument(
        "--ws", default="auto", help="uvicorn's websocket implementation (auto, websockets-sansio…)"
    )
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="per-message compression on (as uvicorn's default); production turns it off",
    )
    import django

    django.setup()
    sys.exit(asyncio.run(main(parser.parse_args())))
