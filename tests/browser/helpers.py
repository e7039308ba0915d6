"""Helpers for browser tests: one person = one browser context on a board."""

from __future__ import annotations

from typing import Any


class Person:
    """One browser context on a board (a person with their own storage)."""

    def __init__(self, context: Any, page: Any, errors: list[str]) -> None:
        self.context = context
        self.page = page
        self.errors = errors

    async def objects(self) -> list[dict[str, Any]]:
        return await self.page.evaluate(  # type: ignore[no-any-return]
            "[...window.samskap.store.view.values()].sort((a, b) => a.id < b.id ? -1 : 1)"
        )

    async def wait(self, expression: str, timeout: float = 1000) -> None:
        """Wait until `expression` (JS, with `objs` = the board's objects) is true.

        On a timeout the error says what the page held then (a flake in CI leaves only
        this message behind)."""
        try:
            await self.page.wait_for_function(
                f"() => {{ const objs = [...window.samskap.store.view.values()]; return {expression}; }}",
                timeout=timeout,
            )
        except Exception as exc:
            raise AssertionError(
                f"{expression!r} not true in {timeout} ms; page: {await self.snapshot()}"
            ) from exc

    async def snapshot(self) -> str:
        """The page's state in one line: connection, objects, open dialogs, what was said."""
        return await self.page.evaluate(  # type: ignore[no-any-return]
            """() => JSON.stringify({
                conn: window.samskap.conn.state,
                pending: window.samskap.store.pending.length,
                objects: window.samskap.store.view.size,
                dialogs: [...document.querySelectorAll('dialog[open]')].map((d) => d.id),
                focus: document.activeElement?.id || document.activeElement?.tagName,
                announced: document.querySelector('#announcer')?.textContent,
                status: document.querySelector('#mod-status')?.textContent,
            })"""
        )

    async def reconnect(self, timeout: float = 5000) -> None:
        """Close the page's socket and wait for the welcome on the next one. (Waiting for
        "online" alone passes at once: the state is still online until the close event.)"""
        await self.page.evaluate(
            """() => new Promise((resolve) => {
                window.samskap.conn.addEventListener("welcome", resolve, { once: true });
                window.samskap.conn.ws.close();
            })"""
        )
        await self.page.wait_for_function(
            "() => window.samskap.conn.state === 'online'", timeout=timeout
        )

    async def settled(self, timeout: float = 5000) -> None:
        await self.page.wait_for_function(
            "() => window.samskap.conn.state === 'online' && window.samskap.store.pending.length === 0",
            timeout=timeout,
        )


async def open_board(
    browser: Any,
    link: str,
    name: str,
    *,
    viewport: tuple[int, int] = (1280, 800),
    locale: str = "en-GB",
    **options: Any,
) -> Person:
    context = await browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, locale=locale, **options
    )
    await context.add_init_script(
        f"try {{ localStorage.setItem('samskap.name', {name!r}); }} catch (e) {{}}"
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(link)
    await page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online' && window.samskap.store.loaded",
        timeout=10000,
    )
    return Person(context, page, errors)


# The multiplication sign in f"Size 210 {TIMES} 120" (written so, not as a look-alike letter).
TIMES = "\u00d7"


async def announced(person: Person, text: str) -> None:
    """Wait until the live region says `text`."""
    await person.page.wait_for_function(
        "(text) => document.querySelector('#announcer').textContent === text",
        arg=text,
        timeout=5000,
    )


async def centre_of(person: Person, object_id: str) -> tuple[float, float]:
    """Screen (page) coordinates of an object's centre."""
    return await person.page.evaluate(  # type: ignore[no-any-return]
        """(id) => {
            const s = window.samskap; const o = s.store.get(id);
            const p = s.camera.toScreen(o.x + o.w / 2, o.y + o.h / 2);
            const r = document.querySelector('#board-canvas').getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        object_id,
    )


async def canvas_point(person: Person, fx: float, fy: float) -> tuple[float, float]:
    box = await person.page.locator("#board-canvas").bounding_box()
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


async def add_note(person: Person, fx: float, fy: float, text: str) -> str:
    page = person.page
    before = {o["id"] for o in await person.objects()}
    await page.click("[data-tool=note]")
    x, y = await canvas_point(person, fx, fy)
    await page.mouse.click(x, y)
    await page.wait_for_selector(".text-editor")
    await page.keyboard.type(text)
    await page.keyboard.press("Escape")
    new = [o for o in await person.objects() if o["id"] not in before]
    assert len(new) == 1 and new[0]["kind"] == "note"
    return str(new[0]["id"])


async def area_centred_on(person: Person, centre: dict[str, float], timeout: float = 3000) -> None:
    """Wait until the middle of `person`'s free area (the board less the tool column and
    open panels, web/js/freearea.js) shows world point `centre` (within a unit): where a
    summon puts the summoner's view."""
    await person.page.wait_for_function(
        """(k) => { const s = window.samskap, a = s.ctx.view.area();
                    const c = s.camera.toWorld(a.x + a.w / 2, a.y + a.h / 2);
                    return Math.abs(c.x - k.x) < 1 && Math.abs(c.y - k.y) < 1; }""",
        arg=centre,
        timeout=timeout,
    )
