"""S8: 100+ XSS payloads in every text field stay text: in the exported SVG and in the
browser (no script runs, no CSP violation is reported)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.reliability.xss_payloads import PAYLOADS
from tests.support.client import Client
from tests.support.servers import LiveServer, token_of

LINK_SCHEMES = ("http:", "https:", "mailto:", "#", "data:image/")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "#336699").save(out, "PNG")
    return out.getvalue()


def objects_for(i: int, payload: str, asset: str) -> list[dict[str, Any]]:
    y = i * 300
    return [
        {"id": f"n{i}", "kind": "note", "x": 0, "y": y, "text": payload, "tag": payload[:32]},
        {"id": f"t{i}", "kind": "text", "x": 300, "y": y, "text": payload},
        {"id": f"s{i}", "kind": "shape", "x": 600, "y": y, "text": payload},
        {
            "id": f"c{i}",
            "kind": "connector",
            "x": 0,
            "y": 0,
            "from": {"id": f"n{i}"},
            "to": {"id": f"s{i}"},
            "text": payload,
        },
        {
            "id": f"f{i}",
            "kind": "frame",
            "x": -50,
            "y": y - 50,
            "w": 1100,
            "h": 280,
            "title": payload[:200],
        },
        {"id": f"i{i}", "kind": "image", "x": 900, "y": y, "asset": asset, "alt": payload},
    ]


async def fill_board(server: LiveServer) -> tuple[dict[str, Any], list[Client]]:
    board = await server.create_board("XSS")
    admin = token_of(board["links"]["facilitator"])
    auth = {"Authorization": f"Bearer {admin}"}
    async with httpx.AsyncClient(base_url=server.url, headers=auth) as http:
        uploaded = await http.post(f"/api/boards/{board['id']}/assets", content=png())
        assert uploaded.status_code == 201, uploaded.text
        asset = uploaded.json()["asset"]
        for payload in PAYLOADS:  # the board title, via PATCH; the last one stays
            changed = await http.patch(f"/api/boards/{board['id']}", json={"title": payload})
            assert changed.status_code == 200, changed.text
    token = token_of(board["links"]["participant"])
    writer = await Client.connect(server.url, board["id"], token, name=PAYLOADS[0][:64])
    for start in range(0, len(PAYLOADS), 10):
        ops = [
            {"op": "create", "object": obj}
            for i in range(start, min(start + 10, len(PAYLOADS)))
            for obj in objects_for(i, PAYLOADS[i], asset)
        ]
        reply = await writer.ops(ops)
        assert reply["type"] == "ack" and reply["skipped"] == [], reply
    # Display names: one connection per payload (names are at most 64 characters).
    named = [writer]
    for payload in PAYLOADS[1:40]:
        named.append(await Client.connect(server.url, board["id"], token, name=payload[:64]))
    return board, named


def check_svg(svg: str) -> None:
    root = ET.fromstring(svg)  # well-formed: nothing broke out of a text node
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        assert tag not in ("script", "foreignobject", "iframe", "object", "embed"), tag
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), f"event handler attribute {name}={value!r}"
            squeezed = "".join(value.split()).lower()
            assert "javascript:" not in squeezed and "vbscript:" not in squeezed, (name, value)
            if local == "href":
                assert squeezed.startswith(LINK_SCHEMES), f"link {value!r}"
    lowered = svg.lower()
    assert "<script" not in lowered


async def test_s8_payloads_stay_text_in_the_svg_export(live_server: LiveServer) -> None:
    board, clients = await fill_board(live_server)
    viewer = token_of(board["links"]["viewer"])
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as http:
        texts = []
        for query in ("", "?frame=f3"):
            response = await http.get(
                f"/api/boards/{board['id']}/export.svg{query}",
                headers={"Authorization": f"Bearer {viewer}"},
            )
            assert response.status_code == 200, response.text[:500]
            check_svg(response.text)
            texts.append(response.text)
    # The texts are there, escaped: the export did not just drop them.
    assert "&lt;script&gt;" in texts[0] or "&lt;script>" in texts[0]
    for client in clients:
        await client.close()


HOOKS = """
window.__xss = 0;
window.__csp = [];
window.__dialogs = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__dialogs.push(name + ':' + args.join(',')); };
}
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


@pytest.mark.browser
async def test_s8_payloads_stay_text_in_the_browser(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    from tests.browser.helpers import open_board

    board, clients = await fill_board(live_server)
    person = await open_board(browser, board["links"]["participant"], PAYLOADS[5][:64])
    page = person.page
    await page.add_init_script(HOOKS)
    await page.reload()
    await page.wait_for_function(
        "() => window.samskap && window.samskap.store.loaded && window.samskap.conn.state === 'online'",
        timeout=15000,
    )
    count = len(PAYLOADS) * 6
    await person.wait(f"objs.length === {count}", timeout=15000)
    # Give every text a chance to render: zoom to fit draws all of them.
    await page.keyboard.press("Shift+1")
    await page.evaluate(
        "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    found = await page.evaluate(
        """() => ({
            xss: window.__xss, dialogs: window.__dialogs, csp: window.__csp,
            injected: document.querySelectorAll(
              'script:not([src]), iframe, object, embed, [onerror], [onload], [onclick], ' +
              '[onmouseover], [onfocus], [ontoggle], [onbegin], a[href^="javascript"]').length,
            text: document.body.textContent,
        })"""
    )
    assert found["xss"] == 0 and found["dialogs"] == [], found["dialogs"]
    assert found["csp"] == [], found["csp"]
    assert found["injected"] == 0
    # Shown as text: the board title (the last payload) and the names of the others.
    assert PAYLOADS[-1] in found["text"] or "<script>" in found["text"], found["text"][:500]
    texts = await page.evaluate(
        "() => [...window.samskap.store.view.values()].filter(o => o.kind === 'note').map(o => o.text)"
    )
    assert sorted(texts) == sorted(PAYLOADS)
    assert person.errors == []
    await person.context.close()
    for client in clients:
        await client.close()
