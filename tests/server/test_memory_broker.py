"""A process alone (no Redis) does not publish: nobody else could hear it.

Every subscriber ignores its own process's messages (room.py `_on_remote`), so on one
process's own bus a room's publication only cost an encoding and a decoding per batch
(about 8 % of the event loop at saturation, py-spy, docs/performance.md session 17).
With two processes on one bus (the tests' stand-in for Redis) everything is published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.config import Settings
from server.pubsub.memory import MemoryBroker, MemoryBus
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of


class Counting(MemoryBroker):
    """Counts what it is asked to publish."""

    published = 0

    async def publish(self, channel: str, data: bytes) -> None:
        self.published += 1
        await super().publish(channel, data)


async def test_a_bus_is_shared_while_two_brokers_are_on_it() -> None:
    bus = MemoryBus()
    one = MemoryBroker(bus)
    assert not one.shared
    two = MemoryBroker(bus)
    assert one.shared and two.shared
    await two.close()
    await two.close()  # closing twice counts once
    assert not one.shared and bus.brokers == 1
    assert not MemoryBroker().shared  # a bus of its own


async def note_reaches(kari_url: str, ola_url: str, board: dict[str, Any]) -> None:
    """Kari writes a note on one server; Ola, on the other (or the same), gets it."""
    token = token_of(board["links"]["participant"])
    kari = await Client.connect(kari_url, board["id"], token, name="Kari")
    ola = await Client.connect(ola_url, board["id"], token, name="Ola")
    note = {"id": "n1", "kind": "note", "x": 0, "y": 0, "text": "hei"}
    ack = await kari.ops([{"op": "create", "object": note}])
    assert ack["type"] == "ack"
    await ola.wait_seq(ack["seq"])
    assert ola.objects["n1"]["text"] == "hei"
    await kari.close()
    await ola.close()


async def test_a_process_alone_publishes_nothing_and_still_delivers(tmp_path: Path) -> None:
    broker = Counting()
    async with serve_in_process(Settings(data_dir=tmp_path), broker=broker) as server:
        await note_reaches(server.url, server.url, await server.create_board())
    assert broker.published == 0


async def test_two_processes_on_one_bus_publish_their_batches(tmp_path: Path) -> None:
    bus = MemoryBus()
    first, second = Counting(bus), Counting(bus)
    settings = Settings(data_dir=tmp_path)
    async with (
        serve_in_process(settings, broker=first) as one,
        serve_in_process(settings, broker=second) as two,
    ):
        await note_reaches(one.url, two.url, await one.create_board())  # across the bus
    assert first.published > 0
