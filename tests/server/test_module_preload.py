"""The board page preloads every module boot.js and board.js import (server/http/modules.py):
boot.js's in the page, board.js's listed for boot.js to preload once the socket is open;
so the browser fetches them at once instead of one import level at a time."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
from starlette.applications import Starlette

from server.config import Settings
from server.http.modules import ModuleGraph
from server.http.pages import page_routes

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"


async def _board_page(web: Path) -> str:
    app = Starlette(routes=page_routes(web))
    app.state.settings = Settings()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return (await http.get("/b/abc")).text


async def test_the_board_page_preloads_every_module_boot_first() -> None:
    html = await _board_page(ROOT / "web")
    linked = re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html)
    # The rest are listed for boot.js, which preloads them once the socket is open.
    later = re.search(r'<meta name="samskap-modules" content="([^"]*)">', html)
    assert later is not None
    preload = linked + later.group(1).split()
    assert len(preload) == len(set(preload)) > 50
    boot = ["storage", "i18n", "protocol", "store", "sync/engine", "util", "schema"]
    boot.append("model.generated")  # i18n.js: boot.js starts the language files early
    assert linked == [f"js/{name}.js" for name in boot]
    for name in ("render/canvas.js", "render/shapes.js", "board/view.js", "i18n.js", "qr.js"):
        assert f"js/{name}" in preload, name
    assert "vendor/qrcode-generator.mjs" in preload  # imported by qr.js, outside js/
    assert all((WEB / name).is_file() for name in preload)
    # boot.js comes before every preload and board.js; both are scripts, not preloads.
    assert html.index('src="/static/js/boot.js"') < html.index("modulepreload")
    assert "js/boot.js" not in preload and "js/board.js" not in preload


def test_every_relative_import_of_every_listed_module_is_listed() -> None:
    """Checked against git's own view of the files: each `from "./x.js"` target is in."""
    listed = set(ModuleGraph(WEB, ["js/boot.js", "js/board.js"]).modules())
    tracked = subprocess.run(
        ["git", "ls-files", "web"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in listed:
        text = (WEB / name).read_text(encoding="utf-8")
        for spec in re.findall(r'from\s+"(\.{1,2}/[^"]+)"', text):
            target = ((WEB / name).parent / spec).resolve().relative_to(WEB.resolve()).as_posix()
            assert target in listed, f"{name} imports {target}"
            assert f"web/{target}" in tracked or (WEB / target).is_file()


def test_a_page_without_scripts_has_no_preloads(tmp_path: Path) -> None:
    graph = ModuleGraph(tmp_path, ["js/boot.js", "js/board.js"])
    assert graph.modules() == []
