"""S10/S2 convergence: clients spread over two server processes that share PostgreSQL
and Redis, firing random concurrent batches, all end with the database's board."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
import pytest

from server.storage.engine import create_engine
from server.storage.store import SqlBoardStore
from tests.support.client import Client
from tests.support.servers import ServerProcess, free_port, token_of
from tests.support.services import postgres_schema, redis_prefix

COLORS = ["#fff59d", "#a5d6a7", "#90caf9", "#f48fb1"]


def random_batch(rng: random.Random, me: int, counter: list[int], known: list[str]) -> list[dict]:
    ops: list[dict] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.25 or not known:
            counter[0] += 1
            object_id = f"c{me}-{counter[0]}"
            ops.append(
                {
                    "op": "create",
                    "object": {
                        "id": object_id,
                        "kind": "note",
                        "x": rng.randint(0, 2000),
                        "y": rng.randint(0, 2000),
                        "text": f"{me}:{counter[0]}",
                    },
                }
            )
        elif roll < 0.9:
            target = rng.choice(known)
            fields = rng.sample(["x", "y", "text", "color"], rng.randint(1, 3))
            values = {
                "x": rng.randint(0, 2000),
                "y": rng.randint(0, 2000),
                "text": f"edit {me} {rng.random():.4f}",
                "color": rng.choice(COLORS),
            }
            ops.append({"op": "update", "id": target, "set": {f: values[f] for f in fields}})
        else:
            ops.append({"op": "delete", "id": rng.choice(known)})
    return ops


@pytest.mark.slow
async def test_s10_ten_clients_over_two_processes_converge(tmp_path: Path) -> None:
    async with postgres_schema() as (pg_url, schema), redis_prefix() as (redis_url, prefix):
        env = {
            "SAMSKAP_DATA_DIR": str(tmp_path),
            "SAMSKAP_DATABASE_URL": pg_url,
            "SAMSKAP_DATABASE_SCHEMA": schema,
            "SAMSKAP_REDIS_URL": redis_url,
            "SAMSKAP_REDIS_PREFIX": prefix,
            "SAMSKAP_LIMIT_BATCHES_PER_SEC": "1000",
            "SAMSKAP_LIMIT_BATCH_BURST": "1000",
            "SAMSKAP_LOG_LEVEL": "warning",
        }
        servers = [ServerProcess(env, free_port()) for _ in range(2)]
        try:
            for server in servers:
                await server.start()
            async with httpx.AsyncClient() as http:
                board = (
                    await http.post(servers[0].url + "/api/boards", json={"title": "Fuzz"})
                ).json()
            token = token_of(board["links"]["participant"])
            clients = [
                await Client.connect(servers[i % 2].url, board["id"], token, name=f"p{i}")
                for i in range(10)
            ]
            seed = await clients[0].ops(
                [
                    {"op": "create", "object": {"id": f"s{i}", "kind": "note", "x": i, "y": 0}}
                    for i in range(20)
                ]
            )
            for client in clients:
                await client.wait_seq(seed["seq"])

            async def run(index: int, client: Client) -> None:
                rng = random.Random(1000 + index)
                counter = [0]
                for _ in range(200):
                    known = list(client.objects)
                    reply = await client.ops(random_batch(rng, index, counter, known))
                    assert reply["type"] == "ack", reply

            await asyncio.gather(*(run(i, c) for i, c in enumerate(clients)))

            engine = create_engine(pg_url, schema=schema)
            store = SqlBoardStore(engine)
            try:
                snapshot = await store.snapshot(board["id"])
            finally:
                await store.close()
            assert snapshot is not None
            final = {o["id"]: o for o in snapshot.objects}
            for client in clients:
                await client.wait_seq(snapshot.board.seq, timeout=20)
                assert client.seq == snapshot.board.seq
                assert client.objects == final, f"client {client.me} diverged"
            # seq has no gaps and each batch id was applied once.
            fresh = await Client.connect(servers[1].url, board["id"], token, since=0)
            assert [m["seq"] for m in fresh.welcome["catchup"]] == list(
                range(1, snapshot.board.seq + 1)
            )
            assert fresh.objects == final
            for client in [*clients, fresh]:
                await client.close()
        finally:
            for server in servers:
                server.stop()
