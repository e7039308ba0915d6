"""Logging set-up and the access log.

Logs say what happened without leaking what people wrote or who they are: no
message contents, no link tokens (they never appear in URLs), and client addresses
cut to their network (IPv4 /24, IPv6 /48).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("samskap.access")


def network_of(address: str) -> str:
    """The address with its host part cut off, so logs cannot name a person's device."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "-"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        body.update(getattr(record, "fields", {}))
        if record.exc_info:
            body["error"] = self.formatException(record.exc_info)
        elif record.exc_text:  # a record from a child process carries its traceback as text
            body["error"] = record.exc_text
        return json.dumps(body, ensure_ascii=False)


CHATTY = ("fontTools", "fpdf", "PIL")


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries that log SQL parameters or frames at DEBUG would leak board contents.
    for noisy in ("alembic", "aiosqlite", "sqlalchemy", "websockets", "asyncpg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The PDF and font libraries say ~100 INFO lines per export (subsetting, glyphs):
    # nothing an operator needs at the default level (issue 19).
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)


class AccessLog:
    """One line per HTTP request or WebSocket session: method, path, status, time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [0]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "websocket.accept":
                status[0] = 101
            elif message["type"] == "websocket.close" and not status[0]:
                status[0] = 403
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            fields = {
                "method": scope.get("method", "WS"),
                "path": scope["path"],  # never the query string or fragment
                "status": status[0],
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "client": network_of((scope.get("client") or ("", 0))[0]),
            }
            access.info(
                "%s %s %s %sms %s",
                *fields.values(),
                extra={"fields": fields},
            )
