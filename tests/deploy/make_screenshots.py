"""Screenshots for docs/operations.md: a board opened through nginx with TLS.

Run from the repository root: `.venv/bin/python tests/deploy/make_screenshots.py`.
It builds the tests' production topology (nginx with a certificate it makes → two
`samskap serve` processes → PostgreSQL + Redis, see tests/deploy/conftest.py), creates
a stakeholder map on the start page at https://tavle.samskap.test:PORT, and lets three
people edit it, each page on the proxy's public https address.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import add_note, open_board  # noqa: E402
from tests.deploy.conftest import app_env  # noqa: E402
from tests.support.proxy import PUBLIC_HOST, free_port, nginx_proxy  # noqa: E402
from tests.support.servers import ServerProcess  # noqa: E402
from tests.support.services import postgres_schema, redis_prefix  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


async def shoot(browser: object, url: str) -> None:
    from playwright.async_api import Browser

    assert isinstance(browser, Browser)
    context = await browser.new_context(
        viewport={"width": 1280, "height": 760}, locale="en-GB", ignore_https_errors=True
    )
    await context.add_init_script("localStorage.setItem('samskap.name', 'Kari')")
    page = await context.new_page()
    await page.goto(url + "/")
    await page.fill("#title-input", "Stakeholder map, course meeting 2")
    await page.select_option("#template-select", "power-interest-grid")
    await page.click("button[type=submit]")
    await page.wait_for_selector("#created:not([hidden])")
    await page.evaluate("document.activeElement.blur()")
    await page.screenshot(path=str(OUT / "proxy-start-links.png"), full_page=True)
    participant = await page.input_value("#created .role-participant input")
    facilitator = await page.input_value("#created .role-facilitator input")

    kari = await open_board(browser, facilitator, "Kari", ignore_https_errors=True)
    ola = await open_board(browser, participant, "Ola", ignore_https_errors=True)
    aisha = await open_board(browser, participant, "Aisha", ignore_https_errors=True)
    await add_note(ola, 0.5, 0.36, "County library IT")
    await add_note(aisha, 0.76, 0.46, "Volunteers' association")
    await add_note(ola, 0.68, 0.66, "Reading group")
    for person, (fx, fy) in ((ola, (0.56, 0.45)), (aisha, (0.5, 0.7))):
        box = await person.page.locator("#board-canvas").bounding_box()
        assert box is not None
        await person.page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    await kari.settled()
    await kari.page.wait_for_timeout(800)
    await kari.page.screenshot(path=str(OUT / "proxy-board.png"))


async def main() -> None:
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        async with postgres_schema() as pg, redis_prefix() as redis:
            port = free_port()
            env = app_env(tmp, f"https://{PUBLIC_HOST}:{port}", pg, redis)
            servers = [ServerProcess(env, free_port(), log=tmp / f"app{i}.log") for i in range(2)]
            try:
                for server in servers:
                    await server.start()
                async with nginx_proxy(tmp, [s.port for s in servers], port) as proxy:
                    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"]
                    async with async_playwright() as pw:
                        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args)
                        try:
                            await shoot(browser, proxy.url)
                        finally:
                            await browser.close()
            finally:
                for server in servers:
                    server.stop()
    print(f"wrote {OUT / 'proxy-start-links.png'} and {OUT / 'proxy-board.png'}")


if __name__ == "__main__":
    asyncio.run(main())
