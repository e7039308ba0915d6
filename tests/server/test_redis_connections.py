"""Pub/sub's own connections (server/pubsub/resp.py) against a real redis-server.

They pack commands and parse whole reads with hiredis instead of going through
redis-py's per-message calls, so what must hold is what redis-py gave: every message
whole and in order, whatever bytes it holds and however the reads split it; nothing
from a channel left; the URL forms operators use (password, Unix socket) and a clear
error for a wrong password; and the broker on top going on past a failing handler,
after its subscriber connection is killed, and after its publisher connection is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.connection import parse_url

from server.pubsub.redis import RedisBroker
from server.pubsub.resp import RespConnection, RespError
from tests.reliability.chaos import RedisServer, TcpProxy
from tests.support.services import unavailable

pytestmark = pytest.mark.redis

AWKWARD = [
    b"",
    b"\r\n*3\r\n$7\r\nmessage\r\n",  # looks like the protocol itself
    bytes(range(256)),  # not UTF-8
    '{"k":"ops","o":"é✓🙂"}\n{"type":"ops"}'.encode(),
    b"x" * 100_000,  # spans reads (Redis drops a subscriber 32 MB behind: kept below)
]


async def until(check: Callable[[], Awaitable[bool] | bool], seconds: float = 3.0) -> bool:
    """Poll `check` every 10 ms until it holds or `seconds` pass; its last answer."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = check()
        if not isinstance(answer, bool):
            answer = await answer
        if answer or asyncio.get_running_loop().time() > deadline:
            return answer
        await asyncio.sleep(0.01)


async def listeners(redis: Redis, channel: str) -> int:
    """How many connections subscribe to `channel` (PUBSUB NUMSUB)."""
    return int(dict(await redis.pubsub_numsub(channel))[channel.encode()])


async def _subscribed(redis: Redis, channel: str) -> bool:
    return await listeners(redis, channel) > 0


async def _unsubscribed(redis: Redis, channel: str) -> bool:
    return await listeners(redis, channel) == 0


async def collect(subscriber: RespConnection, count: int) -> list[tuple[bytes, bytes]]:
    got: list[tuple[bytes, bytes]] = []
    while len(got) < count:
        for reply in await subscriber.read():
            if reply[0] == b"message":
                got.append((reply[1], reply[2]))
    return got


@contextlib.asynccontextmanager
async def subscribed(url: str, *channels: str) -> AsyncIterator[RespConnection]:
    subscriber = RespConnection(url)
    await subscriber.connect()
    subscriber.send(("SUBSCRIBE", *channels))
    publisher = Redis.from_url(url)
    try:
        for channel in channels:  # SUBSCRIBE is confirmed in the stream: wait until it counts
            await until(functools.partial(_subscribed, publisher, channel))
        yield subscriber
    finally:
        await publisher.aclose()
        await subscriber.close()


async def test_messages_arrive_whole_and_in_order(redis_env: tuple[str, str]) -> None:
    url, prefix = redis_env
    a, b = f"{prefix}:a", f"{prefix}:b"
    sent = [(a if i % 2 else b, AWKWARD[i % len(AWKWARD)] + str(i).encode()) for i in range(300)]
    async with subscribed(url, a, b) as subscriber:
        publisher = Redis.from_url(url)
        pipe = publisher.pipeline(transaction=False)
        for channel, data in sent:
            pipe.publish(channel, data)
        await pipe.execute()
        await publisher.aclose()
        got = await asyncio.wait_for(collect(subscriber, len(sent)), 20)
    assert got == [(channel.encode(), data) for channel, data in sent]


async def test_an_unsubscribed_channel_goes_quiet(redis_env: tuple[str, str]) -> None:
    url, prefix = redis_env
    quiet, open_ = f"{prefix}:quiet", f"{prefix}:open"
    async with subscribed(url, quiet, open_) as subscriber:
        subscriber.send(("UNSUBSCRIBE", quiet))
        publisher = Redis.from_url(url)
        assert await until(lambda: _unsubscribed(publisher, quiet))
        await publisher.publish(quiet, b"not for me")
        await publisher.publish(open_, b"for me")
        await publisher.aclose()
        got = await asyncio.wait_for(collect(subscriber, 1), 5)
    assert got == [(open_.encode(), b"for me")]


async def test_password_unix_socket_and_a_wrong_password(tmp_path: Path) -> None:
    if not RedisServer.available():
        unavailable("redis-server is not installed")
    server = RedisServer(tmp_path, password="s3cret-pass")
    await server.start()
    try:
        for url in (server.url, server.unix_url):
            async with subscribed(url, "chan") as subscriber:
                publisher = Redis.from_url(url)
                await publisher.publish("chan", b"hello")
                await publisher.aclose()
                assert await asyncio.wait_for(collect(subscriber, 1), 5) == [(b"chan", b"hello")]
        wrong = RespConnection(server.url.replace("s3cret-pass", "guess"))
        with pytest.raises(RespError, match="redis refused AUTH"):
            await wrong.connect()
        await wrong.close()
    finally:
        server.stop()


async def test_tls_verified_against_its_ca_and_refused_without_it(tmp_path: Path) -> None:
    if not RedisServer.available() or not shutil.which("openssl"):
        unavailable("redis-server or openssl is not installed")
    server = RedisServer(tmp_path, tls=True)
    await server.start()
    try:
        async with subscribed(server.tls_url, "chan") as subscriber:
            publisher = Redis.from_url(server.tls_url)
            await publisher.publish("chan", b"over tls")
            await publisher.aclose()
            got = await asyncio.wait_for(collect(subscriber, 1), 5)
            assert got == [(b"chan", b"over tls")]
        unknown_ca = RespConnection(server.tls_url.split("?")[0])  # the system's CAs only
        with pytest.raises(ssl.SSLCertVerificationError):
            await unknown_ca.connect()
        unchecked = RespConnection(server.tls_url.split("?")[0] + "?ssl_cert_reqs=none")
        await unchecked.connect()
        await unchecked.close()
    finally:
        server.stop()


async def test_the_broker_goes_on_past_a_failing_handler_and_a_killed_connection(
    redis_env: tuple[str, str],
) -> None:
    url, prefix = redis_env
    channel = f"{prefix}:board"
    broker = RedisBroker(url)
    got: list[bytes] = []
    reconnected = asyncio.Event()

    def handler(data: bytes) -> None:
        if data == b"boom":
            raise RuntimeError("a handler's bug")
        got.append(data)

    broker.on_reconnect(reconnected.set)
    await broker.subscribe(channel, handler)
    await broker.start()
    admin = Redis.from_url(url)
    try:
        assert await until(lambda: broker.connected) and await until(
            lambda: _subscribed(admin, channel)
        )
        for data in (b"one", b"boom", b"two"):
            await broker.publish(channel, data)
        await until(lambda: len(got) == 2)
        assert got == [b"one", b"two"]

        mine = f"samskap-{os.getpid()}-subscribe"
        [subscriber] = [c for c in await admin.client_list() if c["name"] == mine]
        assert await admin.client_kill_filter(_id=subscriber["id"]) == 1
        await asyncio.wait_for(reconnected.wait(), 10)
        assert await until(lambda: _subscribed(admin, channel))
        await broker.publish(channel, b"three")
        await until(lambda: len(got) == 3)
        assert got == [b"one", b"two", b"three"]

        # The publishing connection killed: that flush is lost (peers resync by seq),
        # the next one reconnects.
        mine = f"samskap-{os.getpid()}-publish"  # the broker names its connections
        publishers = [c for c in await admin.client_list() if c["name"] == mine]
        assert len(publishers) == 1
        assert await admin.client_kill_filter(_id=publishers[0]["id"]) == 1
        for data in (b"lost or not", b"four"):
            await broker.publish(channel, data)
            await asyncio.sleep(0.2)
        await until(lambda: got[-1:] == [b"four"])
        assert got[-1] == b"four"
    finally:
        await admin.aclose()
        await broker.close()


async def test_a_network_that_goes_silent_is_noticed_and_survived(
    redis_env: tuple[str, str],
) -> None:
    url, prefix = redis_env
    options = parse_url(url)
    if "path" in options:
        pytest.skip("the test Redis is on a Unix socket: no TCP path to freeze")
    proxy = TcpProxy(options.get("host", "localhost"), options.get("port", 6379))
    await proxy.start()
    auth = f":{options['password']}@" if options.get("password") else ""
    broker = RedisBroker(f"redis://{auth}127.0.0.1:{proxy.port}/0", health_interval=0.3)
    channel = f"{prefix}:board"
    got: list[bytes] = []
    reconnected = asyncio.Event()
    broker.on_reconnect(reconnected.set)
    await broker.subscribe(channel, got.append)
    await broker.start()
    admin = Redis.from_url(url)
    try:
        assert await until(lambda: broker.connected) and await until(
            lambda: _subscribed(admin, channel)
        )
        assert broker.connected

        proxy.freeze()  # nothing closes: only PING can tell
        await until(lambda: not broker.connected)
        assert not broker.connected, "a silent connection was still taken for a live one"

        proxy.thaw()
        await asyncio.wait_for(reconnected.wait(), 15)
        assert await until(lambda: _subscribed(admin, channel))
        await admin.publish(channel, b"after")
        await until(lambda: bool(got))
        assert got == [b"after"]
    finally:
        await admin.aclose()
        await broker.close()
        await proxy.close()
