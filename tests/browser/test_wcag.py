"""WCAG 2.1 checks that axe does not make, named after the success criteria they back
in docs/accessibility.md: reflow (1.4.10), resize text (1.4.4), text spacing (1.4.12),
non-text contrast (1.4.11), no keyboard trap (2.1.2), bypass blocks (2.4.1), focus
order and visibility (2.4.3, 2.4.7), page titles (2.4.2), language of page and parts
(3.1.1, 3.1.2)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import open_board

pytestmark = [pytest.mark.browser]

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
CLIPPED = """() => [...document.querySelectorAll('body *')].filter((el) => {
  if (!el.offsetParent || !el.textContent.trim() || el.children.length || el.closest('.sr-only')) return false;
  const s = getComputedStyle(el);
  if (s.textOverflow === 'ellipsis') return false;  // shortened on purpose, full text in title
  const hidden = ['hidden', 'clip'].includes(s.overflowX) || ['hidden', 'clip'].includes(s.overflowY);
  return hidden && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
}).map((el) => el.id || el.className || el.tagName)"""
FOCUSED = """() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return { id: el.id || el.getAttribute('data-tool') || el.className || el.tagName,
           visible: ring || s.boxShadow !== 'none', tag: el.tagName }; }"""
CONTRAST = """(pair) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(pair[0]), lum(pair[1])].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


async def _start(
    browser: Any, url: str, width: int, height: int, locale: str = "nb-NO", **options: Any
) -> Any:
    context = await browser.new_context(
        viewport={"width": width, "height": height}, locale=locale, **options
    )
    await context.add_init_script("try { localStorage.setItem('samskap.name', 'Kari'); } catch {}")
    page = await context.new_page()
    await page.goto(url + "/")
    return page


async def test_1_4_10_start_page_reflows_at_320_css_pixels(browser: Any, live_server: Any) -> None:
    page = await _start(browser, live_server.url, 320, 640)
    assert await page.evaluate(OVERFLOW) <= 0
    await page.fill("#title-input", "Samling 2 i Seljord, Telemark fylkesbibliotek")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    assert await page.evaluate(OVERFLOW) <= 0


async def test_1_4_4_text_at_200_percent(browser: Any, live_server: Any) -> None:
    """A 1280 x 800 laptop at 200 % zoom has a 640 x 400 CSS-pixel viewport."""
    page = await _start(browser, live_server.url, 640, 400)
    assert await page.evaluate(OVERFLOW) <= 0
    board = await live_server.create_board("Kurs", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", viewport=(640, 400))
    # Every top-bar control is on screen (the bar never wraps or pushes anything off).
    outside = await kari.page.evaluate(
        "() => [...document.querySelectorAll('.topbar button, .topbar select, .topbar summary')]"
        ".filter((el) => el.offsetParent && el.getBoundingClientRect().right > innerWidth + 0.5)"
        ".map((el) => el.id || el.className)"
    )
    assert outside == []
    await kari.page.click("#facilitate-btn")
    assert await kari.page.is_visible("#fac-next")


async def test_1_4_12_text_spacing_loses_nothing(browser: Any, live_server: Any) -> None:
    page = await _start(browser, live_server.url, 1280, 800, bypass_csp=True)
    await page.add_style_tag(content=SPACING)
    assert await page.evaluate(OVERFLOW) <= 0
    assert await page.evaluate(CLIPPED) == []
    board = await live_server.create_board("Kurs", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", bypass_csp=True)
    await kari.page.add_style_tag(content=SPACING)
    await kari.page.click("#facilitate-btn")
    assert await kari.page.evaluate(CLIPPED) == []


async def test_1_4_11_controls_and_focus_ring_contrast(browser: Any, live_server: Any) -> None:
    page = await _start(browser, live_server.url, 1280, 800)
    pairs = await page.evaluate(
        "() => { const bg = getComputedStyle(document.querySelector('.card, main')).backgroundColor;"
        " const page = getComputedStyle(document.body).backgroundColor;"
        " const input = getComputedStyle(document.querySelector('#title-input'));"
        " const focus = getComputedStyle(document.documentElement).getPropertyValue('--focus');"
        " const probe = document.createElement('i'); probe.style.color = focus;"
        " document.body.append(probe); const ring = getComputedStyle(probe).color; probe.remove();"
        " return { input: [input.borderTopColor, input.backgroundColor], ring: [ring, page],"
        " ringOnCard: [ring, bg === 'rgba(0, 0, 0, 0)' ? page : bg] }; }"
    )
    for name, pair in pairs.items():
        assert await page.evaluate(CONTRAST, pair) >= 3.0, (name, pair)


async def _walk(page: Any, presses: int) -> list[dict[str, Any]]:
    seen = []
    for _ in range(presses):
        await page.keyboard.press("Tab")
        seen.append(await page.evaluate(FOCUSED))
    return seen


async def test_2_1_2_2_4_1_2_4_3_2_4_7_keyboard_walk_of_the_start_page(
    browser: Any, live_server: Any
) -> None:
    page = await _start(browser, live_server.url, 1280, 800)
    first = await _walk(page, 1)
    assert first[0]["id"] == "skip-link" or "skip-link" in first[0]["id"]
    await page.keyboard.press("Enter")  # the skip link goes to the main content
    assert await page.evaluate("location.hash") == "#main"
    seen = await _walk(page, 30)
    ids = [s["id"] for s in seen if s]
    assert ids.index("title-input") < ids.index("template-select")  # reading order
    assert all(s["visible"] for s in seen if s), [s for s in seen if s and not s["visible"]]
    # No trap: the walk leaves the page's last control and comes round again.
    assert len(set(ids)) < len(ids)


async def test_2_1_2_the_canvas_does_not_trap_the_keyboard(browser: Any, live_server: Any) -> None:
    board = await live_server.create_board("Kurs", template="brainstorming", locale="nb")
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    page = kari.page
    await page.focus("#board-canvas")
    await page.keyboard.press("ArrowRight")  # the canvas takes arrows (it pans) ...
    await page.keyboard.press("Tab")  # ... but not Tab
    after = await page.evaluate(FOCUSED)
    assert after and after["id"] != "board-canvas" and after["visible"]
    await page.keyboard.press("Shift+Tab")
    assert (await page.evaluate(FOCUSED))["id"] == "board-canvas"
    seen = await _walk(page, 60)
    assert all(s["visible"] for s in seen if s), [s for s in seen if s and not s["visible"]]


@pytest.mark.parametrize("locale", ["nb-NO", "nn-NO", "en-GB"])
async def test_2_4_2_3_1_1_3_1_2_titles_and_languages(
    browser: Any, live_server: Any, locale: str
) -> None:
    page = await _start(browser, live_server.url, 1280, 800, locale)
    assert await page.title() == "Samskap"
    assert await page.get_attribute("html", "lang") == locale[:2]
    langs = await page.locator("#lang-select option").evaluate_all("(os) => os.map((o) => o.lang)")
    assert langs == ["nb", "nn", "en"]  # each language's name marked in its own language
    board = await live_server.create_board("Samling 2", locale=locale[:2])
    await page.goto(board["links"]["viewer"])
    await page.wait_for_function("() => document.title === 'Samling 2 \u2013 Samskap'")


async def test_3_3_1_3_3_3_errors_are_written_out(browser: Any, live_server: Any) -> None:
    page = await _start(browser, live_server.url, 1280, 800, "nn-NO")
    await page.click("button[type=submit]")
    error = page.locator("#create-error")
    assert await error.get_attribute("role") == "alert"
    assert await error.inner_text() == "Gi tavla eit namn."
    assert await page.evaluate("document.activeElement.id") == "title-input"
    board = await live_server.create_board("Kurs", template="brainstorming", locale="nn")
    kari = await open_board(browser, board["links"]["facilitator"], "Kari", locale="nn-NO")
    await kari.page.click("#facilitate-btn")
    await kari.page.fill("#fac-minutes", "999")
    await kari.page.click("#fac-timer-start")
    toast = kari.page.locator("#toast")
    assert await toast.get_attribute("role") == "alert"
    assert await toast.inner_text() == "Skriv eit tal på minutt frå 1 til 240."
    assert await kari.page.evaluate("document.activeElement.id") == "fac-minutes"
    assert await kari.page.get_attribute("#fac-minutes", "aria-invalid") == "true"
