"""HTML pages of the browser client: the start page `/` and the board page `/b/{id}`.

The pages are Jinja2 templates in `web/pages/`; every visible string comes from the
translation files `web/i18n/{nb,nn,en}.json`, so the first paint is already in the right
language; a key a language file lacks is shown in bokmål (never as the raw key). The
script (`web/js/i18n.js`) can switch language afterwards. The link token never reaches
the server here: it lives in the URL fragment.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from server.domain.languages import CODES, DEFAULT, LANGUAGES, chain, match
from server.version import VERSION

from .api import may_create_without_code
from .modules import ModuleGraph

LANGS = CODES
DEFAULT_LANG = DEFAULT
BOARD_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The security headers (CSP and friends) come from the app's middleware; pages only
# ask not to be cached, so a new deploy's scripts and strings are picked up.
HEADERS = {"Cache-Control": "no-cache"}


def pick_lang(request: Request) -> str:
    """The page language: the `samskap_lang` cookie, else the browser's preference."""
    cookie = request.cookies.get("samskap_lang")
    if cookie in LANGS:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    header = request.headers.get("accept-language", "")
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag:
            ranked.append((-quality, index, tag))
    for negative_quality, _, tag in sorted(ranked):
        code = match(tag)
        if code is not None and negative_quality < 0:  # q=0 means "not this one"
            return code
    return DEFAULT_LANG


class Pages:
    def __init__(self, web_dir: pathlib.Path) -> None:
        self.web_dir = web_dir
        self.env = Environment(
            loader=FileSystemLoader(str(web_dir / "pages")),
            autoescape=select_autoescape(["html"]),
            auto_reload=True,
        )
        self._strings: dict[str, tuple[float, dict[str, Any]]] = {}
        # The board page's modules, preloaded in its <head> (modules.py says why).
        self.board_modules = ModuleGraph(web_dir, ["js/boot.js", "js/board.js"])

    def strings(self, lang: str) -> dict[str, Any]:
        path = self.web_dir / "i18n" / f"{lang}.json"
        mtime = path.stat().st_mtime
        cached = self._strings.get(lang)
        if cached is None or cached[0] != mtime:
            cached = (mtime, json.loads(path.read_text(encoding="utf-8")))
            self._strings[lang] = cached
        return cached[1]

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        lang = pick_lang(request)
        tables = [self.strings(code) for code in chain(lang)]

        def t(key: str) -> str:
            for table in tables:
                if table.get(key):
                    return str(table[key])
            return key  # only a key missing in bokmål too; `samskap i18n check` fails then

        html = self.env.get_template(name).render(
            lang=lang,
            t=t,
            static="/static",
            langs=LANGS,
            language_names=LANGUAGES,
            accessibility_url=getattr(request.app.state, "accessibility_url", None),
            version=VERSION,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    async def start(self, request: Request) -> Response:
        # Whether this visitor needs the staff code to create (it is never in the page).
        needs_code = not may_create_without_code(request)
        return self.render(
            request, "start.html", templates=self.templates(request), needs_code=needs_code
        )

    def templates(self, request: Request) -> list[dict[str, Any]]:
        """The workshop templates to start from, named in the page language."""
        catalog = getattr(request.app.state, "templates", None)
        if catalog is None:
            return []
        try:
            return list(catalog.listing(pick_lang(request)))
        except Exception:  # a broken catalog must not break the start page
            return []

    async def board(self, request: Request) -> Response:
        board_id = request.path_params["board_id"]
        if not BOARD_ID_RE.match(board_id):
            return self.render(request, "notfound.html", status=404)
        # boot.js's modules are preloaded by the page; board.js's by boot.js, once the
        # socket is open (modules.py: the graph, entry by entry).
        found = self.board_modules.modules()
        split = found.index("js/board.js") if "js/board.js" in found else len(found)
        return self.render(
            request,
            "board.html",
            board_id=board_id,
            preload=found[1:split],
            later=found[split + 1 :],
        )


def page_routes(web_dir: pathlib.Path) -> list[BaseRoute]:
    """Routes for `/` and `/b/{board_id}`; `web_dir` is the `web/` folder."""
    pages = Pages(pathlib.Path(web_dir))
    return [
        Route("/", pages.start, methods=["GET"], name="start_page"),
        Route("/b/{board_id}", pages.board, methods=["GET"], name="board_page"),
    ]
