"""SAMSKAP_CREATE=code in Chromium: the start page asks for the staff code once.

A wrong code is refused in words and asked for again; the right one is kept in the
browser, so the next board (and an import) needs no typing; a participant opens a
link with no code at all. Also: a full disk (`storage_full`) is said in words.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.config import Settings
from tests.support.servers import LiveServer, serve_in_process

pytestmark = [pytest.mark.browser]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: a temporary folder, or docs/screenshots with
    SAMSKAP_UPDATE_SCREENSHOTS=1 (how the ones in the docs were made)."""
    return DOCS if os.environ.get("SAMSKAP_UPDATE_SCREENSHOTS") == "1" else tmp_path


@pytest.fixture
async def code_server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    settings = Settings(data_dir=tmp_path, port=0, create="code", create_code="sesam-42")
    async with serve_in_process(settings) as server:
        yield server


async def create(page: Any, title: str) -> None:
    await page.fill("#title-input", title)
    await page.click("#create-form button[type=submit]")


async def test_start_page_asks_for_the_staff_code_once(
    browser: Any, code_server: LiveServer, tmp_path: Path
) -> None:
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(code_server.url + "/")
    assert await page.is_visible("#code-input")
    assert "staff code" in (await page.locator("#code-help").inner_text()).lower()

    await page.fill("#code-input", "feil")
    await create(page, "Første forsøk")
    await page.wait_for_selector("#create-error:not([hidden])")
    assert "not right" in await page.locator("#create-error").inner_text()
    assert await page.evaluate("localStorage.getItem('samskap.createCode')") is None
    await page.screenshot(path=str(shots(tmp_path) / "start-page-staff-code.png"), full_page=True)

    await page.fill("#code-input", "sesam-42")
    await create(page, "Med kode")
    await page.wait_for_selector("#created:not([hidden])", timeout=10000)
    assert await page.evaluate("localStorage.getItem('samskap.createCode')") == "sesam-42"
    participant = await page.input_value("#created .role-participant input")

    # Next visit: no field, the saved code is sent; an import works too.
    await page.reload()
    await page.wait_for_selector("#code-saved", state="visible")  # the page's script has run
    assert not await page.is_visible("#code-input")
    assert await page.is_visible("#code-saved")
    await create(page, "Andre tavle")
    await page.wait_for_function(
        "() => document.querySelector('#created .created-title')?.textContent === 'Andre tavle'"
    )
    backup = tmp_path / "b.json"
    doc = {"format": "samskap-board", "version": 1, "title": "Imp", "settings": {}, "objects": []}
    backup.write_text(json.dumps(doc))
    await page.set_input_files("#import-file", str(backup))
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector("#imported:not([hidden])", timeout=10000)

    # A participant in another browser opens the link: no code anywhere.
    other = await (await browser.new_context(locale="en-GB")).new_page()
    await other.goto(participant)
    await other.fill("#name-input", "Kari")
    await other.press("#name-input", "Enter")
    await other.wait_for_function(
        "() => document.body.innerText.includes('All changes saved')", timeout=10000
    )
    assert not errors


async def test_a_full_disk_is_said_in_words(browser: Any, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=0, min_free_bytes=1 << 62)  # never enough
    async with serve_in_process(settings) as server:
        page = await (await browser.new_context(locale="en-GB")).new_page()
        await page.goto(server.url + "/")
        await create(page, "Full disk")
        await page.wait_for_selector("#create-error:not([hidden])")
        words = await page.locator("#create-error").inner_text()
        assert "disk is nearly full" in words and "Existing boards still work" in words
        await page.screenshot(
            path=str(shots(tmp_path) / "start-page-storage-full.png"), full_page=True
        )
