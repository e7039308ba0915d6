"""A Redis connection for pub/sub's hot path: commands packed and replies parsed by hiredis.

Every process publishes each batch and cursor move of its boards and reads every one of
them back (its own included: Redis has no "not to myself"). Through redis-py that cost
about 11 µs of Python per message published (a pipeline's command packing) and 15-20 µs
per message read (`PubSub.get_message`: a retry wrapper, a timeout context and a parser
call per message); bench/redis_pubsub.py, docs/performance.md, session 15. Here a flush is
one write of commands hiredis packed, and one read takes whatever the socket holds and
lets hiredis's C reader split it into replies: 1-2 µs a message. The connection is set
up from the same URL redis-py takes (`parse_url`: TCP, TLS, Unix socket, password).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Sequence
from typing import Any

import hiredis
from redis.connection import SSLConnection, UnixDomainSocketConnection, parse_url

READ_CHUNK = 256 * 1024
Command = Sequence[str | bytes]


class RespError(ConnectionError):
    """Redis refused a step of the connection's set-up (AUTH, CLIENT SETNAME, PING)."""


class RespConnection:
    """One connection: `send` commands, `read` the replies as they complete."""

    def __init__(self, url: str, *, name: str = "", connect_timeout: float = 2.0) -> None:
        self._options: dict[str, Any] = parse_url(url)
        self._name = name  # CLIENT SETNAME: who is who in Redis's CLIENT LIST
        self._connect_timeout = connect_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._parser = hiredis.Reader()

    @property
    def open(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def connect(self) -> None:
        """Open the connection, authenticate, and see Redis answer a PING (raises
        OSError, TimeoutError; RespError when Redis refuses)."""
        await self.close()
        options = self._options
        kind = options.get("connection_class")
        if kind is UnixDomainSocketConnection:
            opening = asyncio.open_unix_connection(options["path"])
        else:
            tls = _tls_context(options) if kind is SSLConnection else None
            opening = asyncio.open_connection(
                options.get("host", "localhost"), options.get("port", 6379), ssl=tls
            )
        async with asyncio.timeout(self._connect_timeout):  # not wait_for: see redis.py
            self._reader, self._writer = await opening
        self._parser = hiredis.Reader()
        password = options.get("password")
        if password is not None:
            username = options.get("username")
            self.send(("AUTH", username, password) if username else ("AUTH", password))
            await self._expect_ok("AUTH")
        if self._name:
            self.send(("CLIENT", "SETNAME", self._name))
            await self._expect_ok("CLIENT SETNAME")
        self.send(("PING",))
        await self._expect_ok("PING")

    async def _expect_ok(self, command: str) -> None:
        try:
            async with asyncio.timeout(self._connect_timeout):
                [reply] = await self.read()
        except BaseException:
            await self.close()
            raise
        if isinstance(reply, hiredis.ReplyError):
            await self.close()
            raise RespError(f"redis refused {command}: {reply}")

    def send(self, *commands: Command) -> None:
        """Queue the commands in one write (the caller awaits `drain` where it must)."""
        if self._writer is None:
            raise ConnectionError("not connected to redis")
        # hiredis's stub types its argument as a one-item tuple; any length is taken.
        packed = (hiredis.pack_command(tuple(c)) for c in commands)  # type: ignore[arg-type]
        self._writer.write(b"".join(packed))

    async def drain(self) -> None:
        if self._writer is None:
            raise ConnectionError("not connected to redis")
        await self._writer.drain()

    async def read(self) -> list[Any]:
        """The replies complete so far, reading until there is at least one. Error
        replies come back as `hiredis.ReplyError` values; EOF raises ConnectionError."""
        if self._reader is None:
            raise ConnectionError("not connected to redis")
        replies: list[Any] = []
        while True:
            while (reply := self._parser.gets()) is not False:
                replies.append(reply)
            if replies:
                return replies
            chunk = await self._reader.read(READ_CHUNK)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self._parser.feed(chunk)

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def _tls_context(options: dict[str, Any]) -> ssl.SSLContext:
    """Verified TLS by default, as redis-py's own connections take the same URL:
    `ssl_ca_certs` (a CA file), `ssl_certfile`/`ssl_keyfile` (a client certificate),
    `ssl_check_hostname=false`, and `ssl_cert_reqs=none` (no checking at all)."""
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))
    if options.get("ssl_certfile"):
        context.load_cert_chain(options["ssl_certfile"], options.get("ssl_keyfile"))
    if options.get("ssl_check_hostname") is False:
        context.check_hostname = False
    if str(options.get("ssl_cert_reqs", "required")).lower() in ("none", "cert_none"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
