"""Who is online across processes: peers of other processes are listed, and the people
of a process that dies without a word are dropped after a few missed heartbeats."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from server.config import Limits, Settings
from server.pubsub.memory import MemoryBroker, MemoryBus
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of


class MutableBroker(MemoryBroker):
    """A process's link to the others; `dead = True` makes it fall silent, like a crash."""

    dead = False

    async def publish(self, channel: str, data: bytes) -> None:
        if not self.dead:
            await super().publish(channel, data)

    async def subscribe(self, channel, handler) -> None:  # type: ignore[no-untyped-def]
        async def unless_dead(data: bytes) -> None:
            if not self.dead:
                await handler(data)

        await super().subscribe(channel, unless_dead)


async def test_peers_across_processes_and_a_silent_process_is_forgotten(tmp_path: Path) -> None:
    bus = MemoryBus()
    limits = replace(Limits(), peer_heartbeat_sec=0.2)
    settings = Settings(data_dir=tmp_path, limits=limits)
    alive, crashing = MutableBroker(bus), MutableBroker(bus)
    async with (
        serve_in_process(settings, broker=alive) as one,
        serve_in_process(settings, broker=crashing) as two,
    ):
        board = await one.create_board()
        token = token_of(board["links"]["participant"])
        kari = await Client.connect(one.url, board["id"], token, name="Kari")
        ola = await Client.connect(two.url, board["id"], token, name="Ola")
        assert [p["name"] for p in ola.welcome["peers"]] == ["Kari"]  # from the other process
        joined = await kari.expect("peer_joined")
        assert joined["peer"]["name"] == "Ola"
        late = await Client.connect(one.url, board["id"], token, name="Per")
        assert {p["name"] for p in late.welcome["peers"]} == {"Kari", "Ola"}
        crashing.dead = True  # process two stops talking, and says no goodbye
        left = await kari.expect("peer_left", timeout=5)
        assert left["client"] == ola.me
        assert (await late.expect("peer_left", timeout=5))["client"] == ola.me


async def test_people_on_a_board_get_different_cursor_colours(tmp_path: Path) -> None:
    """Ten people, ten colours (a cursor's colour and name tell people apart); the
    eleventh shares one, as the palette has ten."""
    async with serve_in_process(Settings(data_dir=tmp_path)) as server:
        board = await server.create_board("Farger")
        token = token_of(board["links"]["participant"])
        people = [
            await Client.connect(server.url, board["id"], token, name=f"P{i}") for i in range(11)
        ]
        colours = [person.welcome["you"]["color"] for person in people]
        assert len(set(colours[:10])) == 10, colours
        assert colours[10] in colours[:10]
        # Someone whose colour nobody else has leaves: the next to come gets it.
        gone = next(i for i in range(10) if colours[i] != colours[10])
        await people.pop(gone).close()
        await people[0 if gone else 1].next_of(("peer_left",))
        late = await Client.connect(server.url, board["id"], token, name="Sein")
        assert late.welcome["you"]["color"] == colours[gone]
        for person in [*people, late]:
            await person.close()
