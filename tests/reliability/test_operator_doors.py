"""Issue 13, smaller doors: /metrics for the operator only, names without bidi tricks.

Over the real server: `/metrics` answers this machine (SAMSKAP_METRICS_NETWORKS,
default loopback) or the bearer token, and nobody else (a proxy nobody declared
included); display names lose bidirectional and other invisible format controls.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from server.config import Settings
from server.domain.names import display_name
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of


async def test_metrics_only_for_the_operator(tmp_path: Path) -> None:
    async with (
        serve_in_process(Settings(data_dir=tmp_path)) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        assert (await http.get("/metrics")).status_code == 200  # loopback: this machine
        proxied = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403  # through a proxy nobody declared
    elsewhere = Settings(data_dir=tmp_path, metrics_networks=("10.0.0.0/8",), metrics_token="m-42")
    async with (
        serve_in_process(elsewhere) as server,
        httpx.AsyncClient(base_url=server.url) as http,
    ):
        refused = await http.get("/metrics")
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        good = await http.get("/metrics", headers={"Authorization": "Bearer m-42"})
        assert good.status_code == 200 and "samskap_connections" in good.text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Kari\u202e", "Kari"),  # right-to-left override
        ("\u2067Ola\u2069 Nordmann", "Ola Nordmann"),  # isolates
        ("Ad\u200bmin", "Admin"),  # zero-width space
        ("Per\u00ad\ufeff", "Per"),  # soft hyphen, BOM
        ("\u200e\u200f\u061c", ""),  # marks only: nothing left
        ("Fasili\u0000tator", "Fasilitator"),
        ("👩\u200d👩\u200d👧 Kari", "👩\u200d👩\u200d👧 Kari"),  # ZWJ emoji stay
        ("Åse  Ødegård\tÆ", "Åse Ødegård Æ"),
    ],
)
def test_display_names_lose_format_controls(typed: str, shown: str) -> None:
    assert display_name(typed) == shown


async def test_a_bidi_name_reaches_others_clean(live_server: LiveServer) -> None:
    board = await live_server.create_board()
    token = token_of(board["links"]["participant"])
    kari = await Client.connect(live_server.url, board["id"], token, name="Kari")
    spoof = await Client.connect(
        live_server.url, board["id"], token, name="\u202eirak\u202c Fasilitator"
    )
    assert spoof.welcome["you"]["name"] == "irak Fasilitator"
    joined = await kari.expect("peer_joined")
    assert joined["peer"]["name"] == "irak Fasilitator"
    empty = await Client.connect(live_server.url, board["id"], token, name="\u200f\u200e")
    assert empty.welcome["you"]["name"] == "Gjest"
    for client in (kari, spoof, empty):
        await client.close()
