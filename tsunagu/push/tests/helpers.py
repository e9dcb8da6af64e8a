from __future__ import annotations

import itertools
import json
from typing import Any

from django.test import Client
from django_scopes import scope

from tsunagu.push.tests.service import BrowserKeys
from tsunagu.talk.actions import do_open_direct, do_send_message
from tsunagu.tenancy.models import Membership

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
_ids = itertools.count(1)


def post_json(client: Client, url: str, data: Any, **headers: str) -> Any:
    body = data if isinstance(data, (str, bytes)) else json.dumps(data)
    return client.post(url, body, content_type="application/json", **headers)


def subscribe(client: Client, endpoint: str, keys: BrowserKeys | None = None, **headers: str):
    """What push.js does once the browser subscribed: hands the subscription to the site."""
    keys = keys or BrowserKeys()
    headers.setdefault("HTTP_USER_AGENT", ANDROID_CHROME)
    response = post_json(client, "/push/subscribe/", keys.subscription(endpoint), **headers)
    return response, keys


def send_direct_message(sender: Membership, to: Membership, body: str) -> None:
    with scope(network=sender.network):
        room = do_open_direct(sender, to)
        do_send_message(sender, room, body=body, client_id=f"push-test-{next(_ids)}")
