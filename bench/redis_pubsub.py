"""CPU per pub/sub message: redis-py against our `RespConnection` (server/pubsub/resp.py).

Each app process publishes every batch and cursor move of its boards and reads every
one back (its own included), so both costs are paid per message in every process.
Publishing: redis-py's pipeline (how `RedisBroker` published before session 15) against
one write of hiredis-packed commands, 500 messages a flush. Reading: redis-py's
`PubSub.get_message` against `RespConnection.read`; the publisher runs in the same
process, so a read's cost is that run's CPU minus its publisher's measured alone.

    python bench/redis_pubsub.py [--messages 50000] [--runs 5] [--size 300]

Needs Redis on 127.0.0.1 (SAMSKAP_BENCH_REDIS to point elsewhere). Prints µs of CPU
per message for each run, then the median and spread of each way.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis.asyncio import Redis

from server.pubsub.resp import RespConnection

URL = os.environ.get("SAMSKAP_BENCH_REDIS", "redis://127.0.0.1:6379/0")


async def publish_redis_py(channel: str, count: int, data: bytes) -> None:
    redis = Redis.from_url(URL)
    for start in range(0, count, 500):
        pipe = redis.pipeline(transaction=False)
        for _ in range(min(500, count - start)):
            pipe.publish(channel, data)
        await pipe.execute()
    await redis.aclose()


async def publish_resp(channel: str, count: int, data: bytes) -> None:
    conn = RespConnection(URL)
    await conn.connect()
    for start in range(0, count, 500):
        n = min(500, count - start)
        conn.send(*(("PUBLISH", channel, data) for _ in range(n)))
        await conn.drain()
        while n > 0:
            n -= len(await conn.read())
    await conn.close()


async def wait_subscribed(redis: Redis, channel: str) -> None:
    while not dict(await redis.pubsub_numsub(channel)).get(channel.encode()):
        await asyncio.sleep(0.005)


async def publisher_alone(publish: Publish, count: int, data: bytes) -> float:
    started = time.process_time()
    await publish("bench:nobody:" + secrets.token_hex(4), count, data)
    return time.process_time() - started


async def read_redis_py(publish: Publish, count: int, data: bytes) -> float:
    channel = "bench:" + secrets.token_hex(4)
    redis = Redis.from_url(URL)
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)
    await wait_subscribed(redis, channel)
    started = time.process_time()
    sending = asyncio.create_task(publish(channel, count, data))
    got = 0
    while got < count:
        message = await pubsub.get_message(timeout=1.0)
        if message and message["type"] == "message":
            got += 1
    await sending
    used = time.process_time() - started
    await pubsub.aclose()
    await redis.aclose()
    return used


async def read_resp(publish: Publish, count: int, data: bytes) -> float:
    channel = "bench:" + secrets.token_hex(4)
    redis = Redis.from_url(URL)
    conn = RespConnection(URL)
    await conn.connect()
    conn.send(("SUBSCRIBE", channel))
    await wait_subscribed(redis, channel)
    started = time.process_time()
    sending = asyncio.create_task(publish(channel, count, data))
    got = 0
    while got < count:
        got += sum(1 for reply in await conn.read() if reply[0] == b"message")
    await sending
    used = time.process_time() - started
    await conn.close()
    await redis.aclose()
    return used


Publish = Callable[[str, int, bytes], Awaitable[None]]
WAYS = {
    "redis-py": (publish_redis_py, read_redis_py),
    "RespConnection": (publish_resp, read_resp),
}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=300, help="payload bytes")
    args = parser.parse_args()
    data = b'{"k":"ops","o":"abcdef123456","s":5}\n' + b"x" * args.size
    figures: dict[str, list[float]] = {}
    for run in range(args.runs):
        for name, (publish, read) in WAYS.items():
            alone = await publisher_alone(publish, args.messages, data)
            both = await read(publish, args.messages, data)
            for what, used in (("publish", alone), ("read", both - alone)):
                us = 1e6 * used / args.messages
                figures.setdefault(f"{what} {name}", []).append(us)
                print(f"run {run + 1}: {what:7} {name:15} {us:6.2f} µs CPU per message")
    for label, values in figures.items():
        print(
            f"{label:23} median {statistics.median(values):6.2f} µs "
            f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
        )


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
