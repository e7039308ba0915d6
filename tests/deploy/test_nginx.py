"""The shipped nginx site in front of two processes on PostgreSQL + Redis, over https://.

The failures self-hosted whiteboards most often meet behind a proxy: the WebSocket
upgrade lost, the wrong origin behind TLS, sticky sessions assumed, limits that see
only the proxy's address. Each is driven here through the real proxy.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import websockets

from server.cli import uvicorn_options
from server.config import Settings
from tests.browser.helpers import Person, add_note, open_board
from tests.support.client import Client
from tests.support.proxy import PUBLIC_HOST, SITE
from tests.support.servers import token_of

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_site_timeouts_outlast_the_heartbeat_and_only_boards_are_hashed() -> None:
    text = "\n".join(line.split("#", 1)[0] for line in SITE.read_text().splitlines())
    read = int(re.search(r"proxy_read_timeout (\d+)s;", text).group(1))  # type: ignore[union-attr]
    ping = float(uvicorn_options(Settings())["ws_ping_interval"])  # type: ignore[arg-type]
    assert read > 2 * ping and read > 45  # the page drops a socket silent for 45 s itself
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text
    for sticky in ("ip_hash", "sticky", "least_conn"):  # nothing follows a person around
        assert sticky not in text
    assert text.count("hash ") == 1 and "hash $samskap_board consistent;" in text
    plain, boards = text.split("upstream samskap_boards {")
    servers = r"^\s+server (127\.0\.0\.1:\d+)"
    listed = re.findall(servers, plain.split("upstream samskap {")[1], re.M)
    assert len(listed) >= 2 and re.findall(servers, boards, re.M) == listed


async def _people_edit_together(browser: Any, deployment: Any) -> None:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", ignore_https_errors=True
    )
    await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The start page, through the proxy, at the public https address.
    await page.goto(deployment.proxy.url + "/")
    await page.fill("#title-input", "Stakeholders behind nginx")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    links = {
        role: await page.input_value(f"#created .role-{role} input")
        for role in ("facilitator", "participant", "viewer")
    }
    assert all(link.startswith(deployment.proxy.url + "/b/") for link in links.values()), links
    await page.click("#created a.btn-primary")
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded",
        timeout=10000,
    )
    assert await page.evaluate("location.protocol") == "https:"
    kari = Person(context, page, errors)
    ola = await open_board(browser, links["participant"], "Ola", ignore_https_errors=True)

    # Round robin over two processes: open a few more pages so both processes hold the board.
    others = [
        await open_board(browser, links["participant"], f"P{i}", ignore_https_errors=True)
        for i in range(2)
    ]
    first = await add_note(kari, 0.35, 0.4, "Bibliotekets venner")
    for person in (ola, *others):
        await person.wait(
            f"objs.some(o => o.id === {first!r} && o.text === 'Bibliotekets venner')", 5000
        )
    second = await add_note(ola, 0.65, 0.5, "Frivillige")
    for person in (kari, *others):
        await person.wait(f"objs.some(o => o.id === {second!r} && o.text === 'Frivillige')", 5000)

    # Exports download through the proxy.
    await page.click("#export-menu summary")
    await page.wait_for_selector("#export-menu .menu-panel")
    for kind, magic in (("png", b"\x89PNG\r\n\x1a\n"), ("pdf", b"%PDF")):
        async with page.expect_download() as info:
            await page.click(f"[data-export={kind}]")
        download = await info.value
        assert download.suggested_filename.endswith(f".{kind}")
        with open(await download.path(), "rb") as f:
            assert f.read(len(magic)) == magic
    assert errors == [] and ola.errors == []


@pytest.mark.browser
async def test_chromium_through_tls_proxy(tls_browser: Any, deployment: Any) -> None:
    await _people_edit_together(tls_browser, deployment)


async def test_origin_check_behind_tls(deployment: Any) -> None:
    board = await deployment.create_board("Origins")
    token = token_of(board["links"]["participant"])
    context = deployment.proxy.ssl_context()
    base = deployment.proxy.local_url
    public = deployment.proxy.url
    # The public https origin is accepted through the proxy, and edits are acknowledged.
    client = await Client.connect(base, board["id"], token, origin=public, ssl=context)
    reply = await client.ops(
        [{"op": "create", "object": {"id": "n1", "kind": "note", "x": 0, "y": 0}}]
    )
    assert reply["type"] == "ack", reply
    await client.close()
    # Another site, and the same name over plain http (TLS terminated, URL set to http), are refused.
    wrong_scheme = public.replace("https://", "http://")
    for origin in ("https://evil.example", wrong_scheme, f"https://{PUBLIC_HOST}"):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await Client.connect(base, board["id"], token, origin=origin, ssl=context)
        assert refused.value.response.status_code == 403
    # The operator's log says why, naming the setting (once per origin).
    logs = "".join(s.log.read_text() for s in deployment.servers)
    assert (
        "board socket refused: Origin 'https://evil.example' is neither SAMSKAP_PUBLIC_URL" in logs
    )
    assert logs.count("'https://evil.example'") == 1


async def test_limits_see_the_real_client_address(deployment: Any) -> None:
    # SAMSKAP_LIMIT_BOARDS_PER_MINUTE=3 per process; two processes behind round robin,
    # so one address gets at most 6 boards a minute, whatever it writes in X-Forwarded-For.
    async def create(http: Any) -> int:
        response = await http.post("/api/boards", json={"title": "Limit"})
        return int(response.status_code)

    one = deployment.http(local_address="127.0.0.2")
    codes = [await create(one) for _ in range(8)]
    # Round robin gives each process 4 of the 8: 3 allowed, the 4th refused.
    assert 3 <= codes.count(201) <= 6 and codes.count(429) == 8 - codes.count(201), codes
    assert codes[-2:] == [429, 429], codes  # both processes have counted this address out
    # Writing another address in X-Forwarded-For does not make a new client: nginx
    # appends the real one and the app takes the last address that is not the proxy.
    spoofing = deployment.http(local_address="127.0.0.2", headers={"X-Forwarded-For": "10.1.2.3"})
    assert [await create(spoofing) for _ in range(2)] == [429, 429]
    # Another address is not affected: the processes saw two clients, not the proxy.
    other = deployment.http(local_address="127.0.0.3")
    assert await create(other) == 201
    # HTTP answers come through the proxy with the app's security headers and version.
    response = await other.get("/")
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.headers["x-samskap-version"]
    # Metrics stay internal: the public address does not serve them.
    assert (await other.get("/metrics")).status_code == 404


async def test_a_boards_sockets_meet_on_one_process(deployment: Any) -> None:
    """The shipped site hashes board sockets by board id: every socket of a board goes to
    the same process (its edits commit there in one queue), and boards spread over both."""
    import httpx

    boards = []
    for k in range(16):  # an address each: board creation is limited per address
        http = deployment.http(local_address=f"127.0.1.{k + 1}")
        created = await http.post("/api/boards", json={"title": f"Hash {k}"})
        assert created.status_code == 201, created.text
        boards.append(created.json())
    context = deployment.proxy.ssl_context()
    clients = [
        await Client.connect(
            deployment.proxy.local_url,
            board["id"],
            token_of(board["links"]["participant"]),
            name=f"P{i}",
            origin=deployment.proxy.url,
            ssl=context,
        )
        for board in boards
        for i in range(3)
    ]

    def gauge(text: str, name: str) -> int:
        return int(re.search(rf"^{name} (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]

    rooms, sockets = [], []
    async with httpx.AsyncClient() as http:
        for server in deployment.servers:
            text = (await http.get(f"{server.url}/metrics")).text
            rooms.append(gauge(text, "samskap_boards_open"))
            sockets.append(gauge(text, "samskap_connections"))
    assert sum(rooms) == 16 and min(rooms) > 0, rooms  # no board open on both processes
    assert sockets == [3 * r for r in rooms], (rooms, sockets)
    for client in clients:
        await client.close()
