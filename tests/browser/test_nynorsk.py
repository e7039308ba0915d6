"""Nynorsk in Chromium: a browser set to nn-NO gets nynorsk on the start page, the
board, the facilitation panel, a template and its exported report; switching
language keeps the person on the board; axe finds nothing serious in any language.

Screenshots go to `SAMSKAP_SCREENSHOT_DIR` when it is set (the docs' nn-*.png were
made with `SAMSKAP_SCREENSHOT_DIR=docs/screenshots`), else to the test's tmp folder.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.helpers import Person
from tests.browser.test_accessibility import scan

pytestmark = [pytest.mark.browser]

READY = (
    "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded"
)


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SAMSKAP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _context(browser: Any, locale: str, name: str = "Kari", **options: Any) -> Any:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, locale=locale, **options
    )
    await context.add_init_script(
        f"try {{ localStorage.setItem('samskap.name', {name!r}); }} catch (e) {{}}"
    )
    return context


async def _open(context: Any, link: str) -> Person:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(link)
    await page.wait_for_function(READY, timeout=10000)
    return Person(context, page, errors)


async def test_a_nynorsk_browser_gets_nynorsk_everywhere(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    shots = _shots(tmp_path)
    context = await _context(browser, "nn-NO")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The start page.
    await page.goto(live_server.url + "/")
    assert await page.get_attribute("html", "lang") == "nn"
    assert await page.locator("h1").first.inner_text() == "Arbeid saman på éi tavle"
    assert await page.input_value("#lang-select") == "nn"
    options = await page.locator("#lang-select option").all_inner_texts()
    assert [o.strip() for o in options] == ["Norsk bokmål", "Norsk nynorsk", "English"]
    labels = await page.locator("#template-select option").all_inner_texts()
    assert any(label.startswith("Interessentkart: påverknad og interesse") for label in labels)
    assert any(label.startswith("Interessentlauk") for label in labels)
    await page.fill("#title-input", "Samling 2 i Seljord")
    await page.select_option("#template-select", "power-interest-grid")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    created = await page.locator("#created").inner_text()
    assert "Lenkje for kurshaldar" in created and "Lenkje for deltakarar" in created
    await page.screenshot(path=str(shots / "nn-start-page.png"))
    link = await page.input_value("#created .role-facilitator input")

    # The board, with the template in nynorsk.
    kari = await _open(context, link)
    board = kari.page
    assert await board.get_attribute("html", "lang") == "nn"
    await board.wait_for_function(
        "() => document.querySelector('#status .status-text').textContent === 'Alle endringane er lagra'"
    )
    assert await board.get_attribute("[data-tool=note]", "aria-label") == "Lapp (N)"
    texts = {o.get("text") for o in await kari.objects()}
    assert "Nøkkelaktørar \u2013 involver tett" in texts
    assert "Hald nøgde \u2013 orienter kort og jamleg" in texts
    await board.evaluate("window.samskap.zoomToFit()")
    await board.screenshot(path=str(shots / "nn-board.png"))

    # The facilitation panel: the template's agenda in nynorsk.
    await board.click("#facilitate-btn")
    await board.wait_for_selector("#facilitate:not([hidden])")
    panel = await board.locator("#facilitate").inner_text()
    for words in ("Styr økta", "List opp aktørane", "Prikkstemming", "Skriv åleine", "Tidtakar"):
        assert words in panel, words
    await board.screenshot(path=str(shots / "nn-facilitation-panel.png"))

    # Insert a second template from the picker: named and drawn in nynorsk.
    await board.click("#fac-insert")
    await board.wait_for_selector(".template-card")
    names = await board.locator(".template-card .template-name").all_inner_texts()
    assert "Vinst og innsats" in names and "Brukarreise" in names
    await board.click("[data-id=impact-effort]")
    await board.wait_for_function(
        "() => { const img = document.querySelector('[data-id=impact-effort] img');"
        " return img.complete && img.naturalWidth > 0; }",
        timeout=10000,
    )
    await board.screenshot(path=str(shots / "nn-template-picker.png"))
    await board.keyboard.press("Enter")
    await kari.wait("objs.some((o) => o.text === 'Raske vinstar \u2013 gjer no')", timeout=5000)
    await kari.settled()
    await board.wait_for_timeout(600)  # the summon animation to the new frame
    await board.screenshot(path=str(shots / "nn-template-impact-effort.png"))

    # The exported report, as the export menu asks for it (lang = the page's language).
    token = link.split("#t=")[1]
    report = await context.request.get(
        f"{live_server.url}/api/boards/{link.split('/b/')[1].split('#')[0]}/report.pdf?lang=nn",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert report.ok, await report.text()
    assert "rapport" in report.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(await report.body())).pages)
    for words in (
        "Samling 2 i Seljord",
        "Heile tavla",
        "Nøkkelaktørar \u2013 involver tett",
        "Raske vinstar \u2013 gjer no",
        "Lappar",
    ):
        assert words in text, words

    # The export menu says it in nynorsk, and the report button saves a nynorsk file name.
    await board.click("#export-menu summary")
    async with board.expect_download() as download:
        await board.click("[data-export=report]")
    assert (await download.value).suggested_filename.endswith("rapport.pdf")
    await board.wait_for_function(
        "() => document.querySelector('#export-status').textContent.startsWith('Lagra: ')"
    )
    await board.screenshot(path=str(shots / "nn-export-report.png"))
    png = await context.request.get(
        f"{live_server.url}/api/boards/{link.split('/b/')[1].split('#')[0]}/export.png?scale=0.5",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert png.ok
    (shots / "nn-export.png").write_bytes(await png.body())
    assert not errors and not kari.errors, errors + kari.errors


async def test_switching_language_keeps_the_person_on_the_board(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Kurs", locale="nn")
    context = await _context(browser, "nn-NO")
    kari = await _open(context, board["links"]["participant"])
    page = kari.page
    await page.click("[data-tool=note]")
    box = await page.locator("#board-canvas").bounding_box()
    await page.mouse.click(box["x"] + 400, box["y"] + 300)
    await page.keyboard.type("Lesekveld")
    await page.keyboard.press("Escape")
    await kari.settled()
    before = await page.evaluate(
        "() => { window.__stayed = true; return { url: location.href, you: JSON.stringify(window.samskap.conn.you),"
        " sel: [...window.samskap.selection.ids] }; }"
    )
    assert before["sel"], "the new note is selected"
    assert await page.get_attribute("#outline-btn", "title") == "Oversyn"
    for lang, outline in (("en", "Outline"), ("nb", "Oversikt"), ("nn", "Oversyn")):
        await page.select_option("#lang-select", lang)
        await page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang)
        assert await page.get_attribute("#outline-btn", "title") == outline
        after = await page.evaluate(
            "() => ({ stayed: window.__stayed === true, url: location.href,"
            " you: JSON.stringify(window.samskap.conn.you), state: window.samskap.conn.state,"
            " sel: [...window.samskap.selection.ids] })"
        )
        assert after == {**before, "stayed": True, "state": "online"}, lang
    assert [o["text"] for o in await kari.objects()] == ["Lesekveld"]
    # The choice is remembered: the next page comes from the server in nynorsk.
    await page.reload()
    await page.wait_for_function(READY)
    assert await page.get_attribute("html", "lang") == "nn"
    assert not kari.errors, kari.errors


@pytest.mark.parametrize("locale", ["nb-NO", "nn-NO", "en-GB"])
async def test_axe_finds_nothing_serious_in_any_language(
    browser: Any, live_server: Any, locale: str
) -> None:
    board = await live_server.create_board("Axe", template="brainstorming", locale=locale[:2])
    context = await _context(browser, locale, bypass_csp=True)
    page = await context.new_page()
    await page.goto(live_server.url + "/")
    assert await page.get_attribute("html", "lang") == locale[:2]
    assert await scan(page) == [], "start page"
    kari = await _open(context, board["links"]["facilitator"])
    assert await scan(kari.page) == [], "board"
    await kari.page.click("#facilitate-btn")
    await kari.page.wait_for_selector("#facilitate:not([hidden])")
    assert await scan(kari.page) == [], "facilitation panel"
    await kari.page.click("#export-menu summary")
    assert await scan(kari.page) == [], "export menu"
    await page.goto(live_server.url + "/b/no%20such%20board")
    assert await page.get_attribute("html", "lang") == locale[:2]
    assert await scan(page) == [], "not found page"


async def test_a_key_missing_in_nynorsk_shows_bokmal_in_the_browser(
    browser: Any, live_server: Any
) -> None:
    """The client's own fallback (the server's is in tests/server/test_i18n.py): a
    nynorsk file without a key, or with it empty, shows the bokmål text, never the key."""
    board = await live_server.create_board("Kurs", locale="nn")
    context = await _context(browser, "nn-NO")
    path = Path(__file__).resolve().parents[2] / "web" / "i18n" / "nn.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    del table["outline.toggle"]
    table["status.saved"] = ""
    await context.route(
        "**/static/i18n/nn.json",
        lambda route: route.fulfill(
            body=json.dumps(table, ensure_ascii=False), content_type="application/json"
        ),
    )
    kari = await _open(context, board["links"]["facilitator"])
    page = kari.page
    await page.wait_for_function(
        "() => document.querySelector('#outline-btn span').textContent === 'Oversikt'"
    )
    await page.wait_for_function(
        "() => document.querySelector('#status .status-text').textContent"
        " === 'Alle endringer er lagret'"
    )
    assert await page.get_attribute("#outline-btn", "title") == "Oversikt"
    assert await page.locator("#toolbar [data-tool=note]").get_attribute("aria-label") == (
        "Lapp (N)"
    )
    body = await page.locator("body").inner_text()
    assert "outline.toggle" not in body and "status.saved" not in body


async def test_start_page_switches_language_in_place(browser: Any, live_server: Any) -> None:
    """No reload (WCAG 3.2.2): the new board's links stay, in the new language, and the
    focus stays on the menu; the template list comes back in nynorsk, in order."""
    context = await _context(browser, "nb-NO")
    page = await context.new_page()
    await page.goto(live_server.url + "/")
    await page.fill("#title-input", "Samling 3")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    link = await page.input_value("#created .role-participant input")
    await page.evaluate("window.__stayed = true")
    await page.focus("#lang-select")
    await page.select_option("#lang-select", "nn")
    await page.wait_for_function("() => document.documentElement.lang === 'nn'")
    await page.wait_for_function(
        "() => [...document.querySelectorAll('#template-select option')]"
        ".some((o) => o.textContent.startsWith('Interessentlauk'))"
    )
    assert await page.evaluate("window.__stayed === true")
    assert await page.evaluate("document.activeElement.id") == "lang-select"
    assert await page.locator("h1").first.inner_text() == "Arbeid saman på éi tavle"
    created = await page.locator("#created").inner_text()
    assert "Lenkje for deltakarar" in created and "Samling 3" in created
    assert await page.input_value("#created .role-participant input") == link
    assert "Opne lenkja" in await page.input_value("#created .share-field")
    options = await page.locator("#template-select option").all_inner_texts()
    assert options[0] == "Ei tom tavle"
    names = [o.rsplit(" (", 1)[0] for o in options[1:]]
    assert len(names) > 10
    assert await page.evaluate(
        "(names) => { const c = new Intl.Collator(['nn', 'nb']);"
        " return names.every((n, i) => i === 0 || c.compare(names[i - 1], n) <= 0); }",
        names,
    ), names
    assert await page.locator(".board-card .role-badge").first.inner_text() == "kurshaldar"
