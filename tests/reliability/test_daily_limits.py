"""Issue 13: per-address daily limits hold across processes and restarts.

Boards created and bytes imported per address (IPv6: per /64) and UTC day are counted
in the database (`address_days`, migration 0005): two processes on one database give
an address one allowance, not two, and a restarted server remembers it. SQLite and
PostgreSQL, real HTTP through a trusted proxy header.
"""

from __future__ import annotations

import dataclasses
import json

import httpx

from server.config import Limits, Settings
from tests.exports.helpers import board_count
from tests.support.servers import serve_in_process, two_processes

JSON = {"Content-Type": "application/json"}


def backup(title: str) -> bytes:
    doc = {"format": "samskap-board", "version": 1, "title": title, "settings": {}}
    return json.dumps({**doc, "objects": [], "assets": {}}).encode()


def via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def test_daily_limits_are_one_allowance_across_processes_and_restarts(
    db_settings: Settings,
) -> None:
    limits = dataclasses.replace(
        Limits(), boards_per_day=3, import_bytes_per_day=500, boards_per_minute=100
    )
    settings = dataclasses.replace(db_settings, trusted_proxies=("127.0.0.1",), limits=limits)
    kari, ola, other = "2001:db8:5:5::1", "2001:db8:5:5::bad", "2001:db8:5:6::1"
    async with (
        two_processes(settings) as (one, two),
        httpx.AsyncClient(base_url=one.url) as a,
        httpx.AsyncClient(base_url=two.url) as b,
    ):
        made = [
            (await a.post("/api/boards", json={"title": "1"}, headers=via(kari))).status_code,
            (await b.post("/api/boards", json={"title": "2"}, headers=via(ola))).status_code,
            (
                await b.post(
                    "/api/boards/import", content=backup("3"), headers={**JSON, **via(kari)}
                )
            ).status_code,
        ]
        assert made == [201, 201, 201]  # one /64: Kari and Ola share the three
        count = await board_count(one)
        for http, address in ((a, ola), (b, kari)):
            refused = await http.post("/api/boards", json={"title": "4"}, headers=via(address))
            assert refused.status_code == 429, refused.text
            assert "today's limit of boards" in refused.json()["message"]
        assert await board_count(one) == count
        # The next /64 is someone else; its imported bytes are counted across both.
        first = await a.post(
            "/api/boards/import", content=backup("x" * 200), headers={**JSON, **via(other)}
        )
        assert first.status_code == 201
        second = await b.post(
            "/api/boards/import", content=backup("y" * 200), headers={**JSON, **via(other)}
        )
        assert second.status_code == 429, second.text
        assert "today's limit of imported bytes" in second.json()["message"]
    # A restart forgets nothing.
    async with serve_in_process(settings) as again, httpx.AsyncClient(base_url=again.url) as c:
        count = await board_count(again)
        refused = await c.post("/api/boards", json={"title": "5"}, headers=via(kari))
        assert refused.status_code == 429, refused.text
        assert await board_count(again) == count
