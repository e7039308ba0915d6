"""The running version: the `X-Samskap-Version` header on every HTTP answer, and (through
the hub) the `version` field of `welcome`, so a page can tell that the server changed."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _installed() -> str:
    try:
        return version("samskap")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


VERSION = _installed()
HEADER = (b"x-samskap-version", VERSION.encode())


class VersionHeader:
    """Adds `X-Samskap-Version` to every HTTP response (and WebSocket handshake refusal)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                message.setdefault("headers", []).append(HEADER)
            elif message["type"] == "websocket.accept":
                message["headers"] = [*message.get("headers", []), HEADER]
            await send(message)

        await self.app(scope, receive, send_with_version)
