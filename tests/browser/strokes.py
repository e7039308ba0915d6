"""Board geometry for browser tests: page coordinates of board points, pen strokes."""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import Person, open_board

# Screen (page) coordinates of a world point on the board canvas.
TO_PAGE = """([x, y]) => {
    const s = window.samskap; const p = s.camera.toScreen(x, y);
    const r = document.querySelector('#board-canvas').getBoundingClientRect();
    return [p.x + r.left, p.y + r.top];
}"""


async def to_page(person: Person, x: float, y: float) -> tuple[float, float]:
    found = await person.page.evaluate(TO_PAGE, [x, y])
    return float(found[0]), float(found[1])


async def object_of(person: Person, object_id: str) -> dict[str, Any]:
    return next(o for o in await person.objects() if o["id"] == object_id)


def world_points(obj: dict[str, Any]) -> list[tuple[float, float]]:
    return [(obj["x"] + p[0], obj["y"] + p[1]) for p in obj["points"]]


def points_box(obj: dict[str, Any]) -> tuple[float, float, float, float]:
    """x, y, w, h of a stroke's points on the board."""
    pts = world_points(obj)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def same_stroke(obj_id: str, obj: dict[str, Any]) -> str:
    """JS condition (for Person.wait): the object has exactly `obj`'s x, y and points."""
    return (
        f"objs.some(o => o.id === {obj_id!r} && JSON.stringify([o.x, o.y, o.points]) === "
        f"JSON.stringify([{obj['x']}, {obj['y']}, {obj['points']!r}]))"
    )


async def draw_zigzag(person: Person) -> None:
    """Draw a zigzag with the pen tool, left of the view's centre."""
    await person.page.click("[data-tool=pen]")
    box = await person.page.locator("#board-canvas").bounding_box()
    assert box is not None
    sx, sy = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4
    await person.page.mouse.move(sx, sy)
    await person.page.mouse.down()
    for step in range(1, 21):
        await person.page.mouse.move(sx + step * 10, sy + (step % 4) * 15 + step * 3)
    await person.page.mouse.up()


async def left_of_centre(person: Person) -> tuple[int, int]:
    """A board point up and left of the view's centre, clear of the toolbars."""
    found = await person.page.evaluate(
        """() => { const c = window.samskap.camera;
            const p = c.toWorld(c.width * 0.35, c.height * 0.35);
            return [Math.round(p.x), Math.round(p.y)]; }"""
    )
    return int(found[0]), int(found[1])


async def both_have_the_stroke(
    first: Person, second: Person, path_id: str, expected: dict[str, Any]
) -> None:
    """Both people end with exactly `expected`'s x, y and points, and the same board."""
    await second.wait(same_stroke(path_id, expected), timeout=5000)
    for person in (first, second):
        got = await object_of(person, path_id)
        assert (got["x"], got["y"], got["points"]) == (
            expected["x"],
            expected["y"],
            expected["points"],
        )
    await second.settled()
    assert await first.objects() == await second.objects()
    assert not first.errors and not second.errors


async def handle(person: Person, corner: str) -> tuple[float, float]:
    """Page coordinates of the selection's resize handle at `corner` ("se", ...)."""
    world = await person.page.evaluate(
        """(corner) => {
            const hd = window.samskap.renderer.handles().find((h) => h.corner === corner);
            return hd ? [hd.x, hd.y] : null;
        }""",
        corner,
    )
    assert world, f"no {corner} handle on the selection"
    return await to_page(person, *world)


async def drag(person: Person, start: tuple[float, float], dx: float, dy: float) -> None:
    """Press at `start`, move in steps by (dx, dy) screen pixels, release."""
    mouse = person.page.mouse
    await mouse.move(*start)
    await mouse.down()
    for step in range(1, 9):
        await mouse.move(start[0] + dx * step / 8, start[1] + dy * step / 8)
    await mouse.up()


async def kari_and_ola_left_of_centre(
    browser: Any, board: dict[str, Any]
) -> tuple[Person, Person, tuple[int, int]]:
    """Kari and Ola on the board's participant link, and a point left of Kari's centre."""
    link = board["links"]["participant"]
    kari = await open_board(browser, link, "Kari")
    ola = await open_board(browser, link, "Ola")
    return kari, ola, await left_of_centre(kari)
