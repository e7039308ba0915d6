"""Import on the start page: an Excalidraw file or a JSON backup becomes a new board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import token_of

pytestmark = [pytest.mark.browser]

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "excalidraw"


async def test_import_excalidraw_and_backup_from_the_start_page(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(live_server.url + "/")

    # Nothing chosen: a clear message, nothing made.
    await page.click("#import-form button[type=submit]")
    assert "Choose a file" in await page.locator("#import-error").inner_text()

    await page.set_input_files(
        "#import-file", str(FIXTURES / "01-excalidraw-manually-created.excalidraw")
    )
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector("#imported:not([hidden])", timeout=10000)
    report = await page.locator("#imported .import-result").inner_text()
    assert "Imported" in report
    links = {
        role: await page.input_value(f"#imported .role-{role} input")
        for role in ("facilitator", "participant", "viewer")
    }
    assert all("/b/" in link and "#t=" in link for link in links.values())

    # A backup of that board, imported again, gives another board with the same objects.
    board_id = links["facilitator"].split("/b/")[1].split("#")[0]
    headers = {"Authorization": f"Bearer {token_of(links['facilitator'])}"}
    async with httpx.AsyncClient(base_url=live_server.url, headers=headers) as http:
        backup = (await http.get(f"/api/boards/{board_id}/export.json")).content
        before = len((await http.get(f"/api/boards/{board_id}")).json()["objects"])
    path = tmp_path / "backup.json"
    path.write_bytes(backup)
    await page.set_input_files("#import-file", str(path))
    await page.click("#import-form button[type=submit]")
    await page.wait_for_function(
        f"() => !document.querySelector('#imported .role-facilitator input').value.includes({board_id!r})"
    )
    copy = await page.input_value("#imported .role-facilitator input")
    copy_id = copy.split("/b/")[1].split("#")[0]
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        got = await http.get(
            f"/api/boards/{copy_id}", headers={"Authorization": f"Bearer {token_of(copy)}"}
        )
    assert len(got.json()["objects"]) == before

    # A broken file: an error, the last result stays.
    bad = tmp_path / "broken.excalidraw"
    bad.write_text("{not json", encoding="utf-8")
    await page.set_input_files("#import-file", str(bad))
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector("#import-error:not([hidden])")
    assert "could not be imported" in await page.locator("#import-error").inner_text()
    assert errors == []
