"""Type-to-edit (issue 19): right after drawing a shape or a frame, a printable key
starts writing its text with that character (as in Miro) instead of switching tools;
once written in, the keys are shortcuts again. Connectors keep the shortcuts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import Person, canvas_point, open_board

pytestmark = [pytest.mark.browser]


async def draw(person: Person, tool: str, fx: float, fy: float) -> dict[str, Any]:
    """Draw a box with `tool` by dragging from (fx, fy); the new object."""
    before = {o["id"] for o in await person.objects()}
    await person.page.click(f"[data-tool={tool}]")
    x, y = await canvas_point(person, fx, fy)
    await person.page.mouse.move(x, y)
    await person.page.mouse.down()
    await person.page.mouse.move(x + 120, y + 90, steps=4)
    await person.page.mouse.up()
    new = [o for o in await person.objects() if o["id"] not in before]
    assert len(new) == 1
    return new[0]


async def tool(person: Person) -> str:
    return await person.page.evaluate("document.querySelector('#board-canvas').dataset.tool")  # type: ignore[no-any-return]


@pytest.mark.parametrize("locale", ["en-GB", "nb-NO"])
async def test_typing_on_a_fresh_shape_or_frame_writes_in_it(
    browser: Any, board: dict[str, Any], locale: str
) -> None:
    kari = await open_board(
        browser, board["links"]["participant"], "Kari", viewport=(1440, 900), locale=locale
    )
    page = kari.page
    shape = await draw(kari, "rectangle", 0.3, 0.3)
    # "n" would take the note tool and "o" the ellipse: here they are the first letters.
    await page.keyboard.type("Noen ord")
    await page.wait_for_selector(".text-editor")
    await page.keyboard.press("Escape")
    await kari.wait(f"objs.find((o) => o.id === {shape['id']!r}).text === 'Noen ord'")
    assert await tool(kari) == "select"
    # Written in: the keys are shortcuts again.
    await page.keyboard.press("n")
    assert await tool(kari) == "note"
    await page.keyboard.press("Escape")

    # A frame: the first key replaces the default title.
    frame = await draw(kari, "frame", 0.55, 0.3)
    await page.keyboard.type("Mål og ønsker")
    await page.keyboard.press("Enter")
    await kari.wait(f"objs.find((o) => o.id === {frame['id']!r}).title === 'Mål og ønsker'")
    # One undo step per text: undo puts back the default title, and the frame stays.
    await page.keyboard.press("Control+z")
    await kari.wait(f"objs.find((o) => o.id === {frame['id']!r}).title === {frame['title']!r}")
    assert not kari.errors


async def test_a_note_and_a_connector(browser: Any, board: dict[str, Any]) -> None:
    kari = await open_board(browser, board["links"]["participant"], "Kari", viewport=(1440, 900))
    page = kari.page
    # A note opens its editor at once (as before): the keys go in.
    await page.click("[data-tool=note]")
    x, y = await canvas_point(kari, 0.4, 0.4)
    await page.mouse.click(x, y)
    await page.keyboard.type("Tre")
    await page.keyboard.press("Escape")
    await kari.wait("objs.some((o) => o.kind === 'note' && o.text === 'Tre')")
    # A connector drawn between two points: "r" still takes the rectangle tool.
    await page.click("[data-tool=connector]")
    a = await canvas_point(kari, 0.6, 0.6)
    await page.mouse.move(*a)
    await page.mouse.down()
    await page.mouse.move(a[0] + 150, a[1] + 40, steps=4)
    await page.mouse.up()
    await kari.wait("objs.some((o) => o.kind === 'connector')")
    await page.keyboard.press("r")
    assert await tool(kari) == "rectangle"
    assert not await page.locator(".text-editor").count()
    assert not kari.errors
