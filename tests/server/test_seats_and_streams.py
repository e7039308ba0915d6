"""S17 (one ordered stream per socket), S18 (seats only their owner can claim), request
ids and presence that heals: over real sockets, on one process and on two (two apps on
one in-memory bus, or on Redis)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.config import Settings
from server.pubsub.memory import MemoryBroker, MemoryBus
from tests.support.client import Client
from tests.support.servers import LiveServer, serve_in_process, token_of, two_processes
from tests.support.services import redis_prefix


def note(object_id: str, **fields: object) -> dict:
    return {"op": "create", "object": {"id": object_id, "kind": "note", "x": 0, "y": 0, **fields}}


@contextlib.asynccontextmanager
async def processes(tmp_path: Path, kind: str) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two app instances on one database: one process twice, or two linked by a bus."""
    settings = Settings(data_dir=tmp_path)
    if kind == "one":
        async with serve_in_process(settings) as one:
            yield one, one
    elif kind == "memory":
        async with two_processes(settings) as (one, two):
            yield one, two
    else:
        async with redis_prefix() as (url, prefix):
            linked = Settings(data_dir=tmp_path, redis_url=url, redis_prefix=prefix)
            async with serve_in_process(linked) as one, serve_in_process(linked) as two:
                yield one, two


# --- S17 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["one", "memory", "redis"])
async def test_s17_every_socket_sees_each_seq_once_in_rising_order(
    tmp_path: Path, kind: str
) -> None:
    """6 clients send 90 pipelined batches each; per socket, applied acks and ops rise."""
    async with processes(tmp_path, kind) as (one, two):
        board = await one.create_board("S17")
        token = token_of(board["links"]["participant"])
        clients = [
            await Client.connect((one, two)[i % 2].url, board["id"], token, name=f"P{i}")
            for i in range(6)
        ]
        assert (await clients[0].ops([note("shared")]))["seq"] == 1  # every update applies
        for client in clients[1:]:
            await client.wait_seq(1)
        sent: list[list[str]] = [[] for _ in clients]
        for round_ in range(90):  # pipelined: nobody waits for an ack before sending on
            for i, client in enumerate(clients):
                batch = f"b{i}x{round_}"
                sent[i].append(batch)
                ops = [note(f"n{i}x{round_}")] if round_ % 3 == 0 else []
                ops.append({"op": "update", "id": "shared", "set": {"x": round_ * 10 + i}})
                await client.send({"type": "ops", "batch": batch, "ops": ops})
        total = 1 + 6 * 90
        streams: list[list[int]] = []
        for client in clients:
            seqs: list[int] = [1]
            acked = 0
            while acked < 90 or len(seqs) < total:
                try:
                    message = await client.next(timeout=20)
                except TimeoutError:
                    missing = sorted(set(range(1, total + 1)) - set(seqs))
                    rooms = [s.app.state.hub.rooms.get(board["id"]) for s in (one, two)]
                    state = [
                        (r.delivered, len(r.sessions), r.commits._pending, r.delivery.inflight)
                        for r in rooms
                        if r
                    ]
                    raise AssertionError(
                        f"{client.me}: {acked} acks, {len(seqs)} seqs, missing {missing[:20]}"
                        f" rooms {state}"
                    ) from None
                if message["type"] == "ops":
                    seqs.append(message["seq"])
                elif message["type"] == "ack":
                    acked += 1
                    assert message["applied"] is True, message
                    seqs.append(message["seq"])
                elif message["type"] == "error":
                    raise AssertionError(message)
            streams.append(seqs)
        for seqs in streams:
            assert seqs == list(range(1, total + 1)), seqs[:20]
        if kind == "redis":  # gaps come from commit order, and pub/sub fills them
            batches = one.app.state.hub.metrics.batches + two.app.state.hub.metrics.batches
            reads = [s.app.state.hub.metrics.gap_reads for s in (one, two)]
            print(f"{reads} log reads for {batches} batches")
            assert sum(reads) <= batches // 20, f"{reads} log reads for {batches} batches"


class Delayed(MemoryBroker):
    """A bus on which committed batches travel `delay` seconds, or are lost (None)."""

    def __init__(self, bus: MemoryBus, delay: float | None) -> None:
        super().__init__(bus)
        self.delay = delay

    async def publish(self, channel: str, data: bytes) -> None:
        from server.services.bus import BusMessage, Kind

        if BusMessage.decode(data).kind is Kind.OPS:
            if self.delay is None:
                return
            await asyncio.sleep(self.delay)
        await super().publish(channel, data)


async def batch_after_another_process(
    tmp_path: Path, delay: float | None
) -> tuple[list[list[tuple[str, int]]], list[int]]:
    """Ola (process one) commits seq 1, whose pub/sub copy is late or lost; then Kari
    (process two) commits seq 2. What Kari's and Per's sockets (both on two) receive,
    and how often each process read a gap from the database."""
    bus = MemoryBus()
    settings = Settings(data_dir=tmp_path)
    async with (
        serve_in_process(settings, broker=Delayed(bus, delay)) as one,
        serve_in_process(settings, broker=MemoryBroker(bus)) as two,
    ):
        board = await one.create_board("Gap")
        token = token_of(board["links"]["participant"])
        ola = await Client.connect(one.url, board["id"], token, name="Ola")
        kari = await Client.connect(two.url, board["id"], token, name="Kari")
        per = await Client.connect(two.url, board["id"], token, name="Per")
        assert (await ola.ops([note("first")]))["seq"] == 1
        await kari.send({"type": "ops", "batch": "second", "ops": [note("second")]})
        seen = []
        for client in (kari, per):
            got: list[tuple[str, int]] = []
            while len(got) < 2:
                message = await client.next(timeout=5)
                if message["type"] in ("ops", "ack"):
                    got.append((message["type"], message["seq"]))
            seen.append(got)
        reads = [s.app.state.hub.metrics.gap_reads for s in (one, two)]
        return seen, reads


async def test_s17_a_late_pub_sub_copy_fills_the_gap_without_a_log_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kari's commit returns before Ola's batch arrives over pub/sub (100 ms late): her
    ack waits in its slot for the copy, and nothing is read from the log."""
    from server.services import delivery

    monkeypatch.setattr(delivery, "GAP_WAIT_SEC", 2.0)  # far beyond the copy's delay
    seen, reads = await batch_after_another_process(tmp_path, 0.1)
    assert seen == [[("ops", 1), ("ack", 2)], [("ops", 1), ("ops", 2)]]
    assert reads == [0, 0]


async def test_s17_a_lost_pub_sub_copy_is_read_from_the_log_after_the_wait(
    tmp_path: Path,
) -> None:
    """Ola's batch never reaches process two over pub/sub: after the gap's wait, two
    reads it from the database, then Kari gets her ack in its slot."""
    from server.services import delivery

    started = asyncio.get_running_loop().time()
    seen, reads = await batch_after_another_process(tmp_path, None)
    assert seen == [[("ops", 1), ("ack", 2)], [("ops", 1), ("ops", 2)]]
    assert reads == [0, 1]
    assert asyncio.get_running_loop().time() - started >= delivery.GAP_WAIT_SEC


# --- S18 ----------------------------------------------------------------------------------


async def private_room(server: LiveServer) -> tuple[dict, Client, Client]:
    board = await server.create_board("Seats")
    boss = await Client.connect(
        server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    alice = await Client.connect(
        server.url, board["id"], token_of(board["links"]["participant"]), name="Alice"
    )
    reply = await boss.request({"type": "facilitate", "action": "private_on"})
    assert reply["type"] == "session" and reply["session"]["private"] is True
    ack = await alice.ops([note("secret", text="Bare for Alice")])
    assert ack["type"] == "ack"
    return board, boss, alice


async def test_s18_another_seats_client_id_claims_nothing(live_server: LiveServer) -> None:
    board, _, alice = await private_room(live_server)
    await alice.close()
    for role in ("viewer", "participant"):
        thief = await Client.connect(
            live_server.url, board["id"], token_of(board["links"][role]), client=alice.me
        )
        assert thief.me != alice.me
        assert "secret" not in thief.objects
        # A wrong secret claims nothing either.
        guess = await Client.connect(
            live_server.url,
            board["id"],
            token_of(board["links"][role]),
            client=alice.me,
            resume="A" * 32,
        )
        assert guess.me != alice.me and "secret" not in guess.objects
        await thief.close()
        await guess.close()
    # A participant with Alice's id cannot touch her note: it does not exist for them.
    thief = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"]), client=alice.me
    )
    reply = await thief.ops([{"op": "update", "id": "secret", "set": {"text": "mine"}}])
    assert reply["skipped"] == [0]


async def test_s18_the_secret_gives_the_seat_back_with_notes_and_votes(
    live_server: LiveServer,
) -> None:
    board, boss, alice = await private_room(live_server)
    await boss.request({"type": "facilitate", "action": "reveal"})
    await boss.request({"type": "facilitate", "action": "voting_open", "votes": 3})
    votes = await alice.request({"type": "vote", "id": "secret"})
    assert votes["type"] == "votes" and votes["remaining"] == 2
    await boss.request({"type": "facilitate", "action": "private_on"})
    assert (await alice.ops([note("secret2", text="Igjen")]))["type"] == "ack"
    colour = alice.welcome["you"]["color"]
    await alice.close()
    back = await Client.connect(
        live_server.url,
        board["id"],
        token_of(board["links"]["participant"]),
        resume=alice.resume,
    )
    assert back.me == alice.me and back.welcome["you"]["color"] == colour
    assert back.objects["secret2"]["private"] is True
    mine = await back.expect("votes")
    assert mine["mine"] == {"secret": 1} and mine["remaining"] == 2


@pytest.mark.parametrize("kind", ["one", "memory"])
async def test_s18_a_second_socket_on_a_seat_closes_the_first_with_4009(
    tmp_path: Path, kind: str
) -> None:
    async with processes(tmp_path, kind) as (one, two):
        board = await one.create_board("Tabs")
        token = token_of(board["links"]["participant"])
        watcher = await Client.connect(one.url, board["id"], token, name="Ola")
        first = await Client.connect(one.url, board["id"], token, name="Alice")
        await watcher.expect("peer_joined")
        second = await Client.connect(two.url, board["id"], token, resume=first.resume)
        assert second.me == first.me
        assert await first.wait_closed() == 4009
        # The seat stays on the board: the old socket's leave removes nobody.
        assert (await second.ops([note("n1")]))["type"] == "ack"
        seen = await watcher.expect("ops")
        assert seen["by"] == first.me
        with contextlib.suppress(TimeoutError):
            left = await watcher.expect("peer_left", timeout=0.5)
            raise AssertionError(f"a seat that moved was announced as gone: {left}")


async def test_s18_seats_survive_a_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    async with serve_in_process(settings) as server:
        board, _, alice = await private_room(server)
        resume, me = alice.resume, alice.me
    async with serve_in_process(settings) as again:
        back = await Client.connect(
            again.url, board["id"], token_of(board["links"]["participant"]), resume=resume
        )
        assert back.me == me and back.objects["secret"]["private"] is True


async def test_s18_the_secret_reaches_no_other_socket_and_no_log(
    live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    board = await live_server.create_board("Quiet")
    token = token_of(board["links"]["participant"])
    ola = await Client.connect(live_server.url, board["id"], token, name="Ola")
    alice = await Client.connect(live_server.url, board["id"], token, name="Alice")
    await alice.send({"type": "presence", "cursor": {"x": 1, "y": 1}, "selection": []})
    await alice.ops([note("n1")])
    seen: set[str] = set()
    while not {"presence", "ops"} <= seen:  # in either order (presence is coalesced)
        seen.add((await ola.next_of(("presence", "ops")))["type"])
    await alice.close()
    await ola.expect("peer_left")
    again = await Client.connect(live_server.url, board["id"], token, resume=alice.resume)
    await ola.expect("peer_joined")
    assert again.me == alice.me
    assert all(alice.resume not in str(m) for m in [*ola.seen, ola.welcome])
    # The server's own logs (the test client's websockets debug log prints its frames).
    server_log = [r.getMessage() for r in caplog.records if not r.name.startswith("websockets")]
    assert server_log and all(alice.resume not in line for line in server_log)


# --- request ids --------------------------------------------------------------------------


async def test_replies_echo_their_req(live_server: LiveServer) -> None:
    board = await live_server.create_board("Req")
    boss = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["facilitator"]), name="Kari"
    )
    viewer = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["viewer"]), name="Per"
    )
    assert (await boss.request({"type": "ping"}))["type"] == "pong"
    assert (await boss.request({"type": "sync", "since": 0}))["type"] == "catchup"
    # An unchanged state still answers, so a page never waits for nothing.
    same = {"type": "facilitate", "action": "permissions", "add": True, "move": True}
    unchanged = await boss.request(same)
    assert unchanged["type"] == "session" and unchanged["session"]["permissions"]["add"] is True
    refused = await viewer.request({"type": "vote", "id": "nothing"})
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    await boss.send({"type": "ping", "req": 7})
    error = await boss.expect("error")
    assert error["code"] == "bad_message" and "req" in error["message"]


async def test_sync_is_rate_limited_per_socket(live_server: LiveServer) -> None:
    board = await live_server.create_board("Sync")
    client = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["viewer"]), name="Per"
    )
    replies = [await client.request({"type": "sync", "since": 0}) for _ in range(12)]
    codes = [r.get("code") for r in replies if r["type"] == "error"]
    assert codes and set(codes) == {"rate_limited"}


# --- presence that heals ------------------------------------------------------------------


async def test_a_lost_join_is_healed_by_the_heartbeat(tmp_path: Path) -> None:
    """Process two's `join` never reaches process one; the next heartbeat tells Kari."""
    from dataclasses import replace

    from server.config import Limits

    bus = MemoryBus()
    settings = Settings(data_dir=tmp_path, limits=replace(Limits(), peer_heartbeat_sec=0.2))

    class Lossy(MemoryBroker):
        lose_joins = True

        async def publish(self, channel: str, data: bytes) -> None:
            if self.lose_joins and data.startswith(b'{"k":"join"'):
                return
            await super().publish(channel, data)

    lossy = Lossy(bus)
    async with (
        serve_in_process(settings, broker=MemoryBroker(bus)) as one,
        serve_in_process(settings, broker=lossy) as two,
    ):
        board = await one.create_board("Heal")
        token = token_of(board["links"]["participant"])
        kari = await Client.connect(one.url, board["id"], token, name="Kari")
        ola = await Client.connect(two.url, board["id"], token, name="Ola")
        joined = await kari.expect("peer_joined", timeout=3)
        assert joined["peer"]["client"] == ola.me and "resume" not in joined["peer"]
        await ola.close()
        left = await kari.expect("peer_left", timeout=3)
        assert left["client"] == ola.me


async def test_presence_of_someone_not_here_is_not_relayed(live_server: LiveServer) -> None:
    board = await live_server.create_board("Ghost")
    token = token_of(board["links"]["participant"])
    kari = await Client.connect(live_server.url, board["id"], token, name="Kari")
    ola = await Client.connect(live_server.url, board["id"], token, name="Ola")
    await ola.send({"type": "presence", "cursor": {"x": 5, "y": 5}, "selection": []})
    await ola.close()  # leaves within the 40 ms coalescing window
    await kari.expect("peer_left")
    with contextlib.suppress(TimeoutError):
        ghost = await kari.expect("presence", timeout=0.3)
        raise AssertionError(f"presence from someone who left: {ghost}")


async def test_s9_the_outbox_is_bounded_in_bytes_too() -> None:
    """A socket whose reader stalls is closed as a slow consumer (4008) by bytes as well
    as by count: 2,000 messages of 512 KiB would be a gigabyte."""
    from dataclasses import replace

    from server.config import Limits
    from server.services.session import Session

    limits = replace(Limits(), outbox_bytes=10_000)
    session = Session("c1", "Kari", "participant", "127.0.0.1", limits, "#1e88e5")
    for _ in range(4):
        session.send("x" * 2_000)
    assert not session.closed.done()
    assert session.take() == "x" * 2_000  # what is carried frees its room
    session.send("y" * 3_000)
    assert not session.closed.done()
    session.send("z" * 2_000)  # 6,000 + 3,000 + 2,000 > 10,000
    assert session.closed.done() and session.closed.result()[0] == 4008


async def test_s13_a_replaced_link_is_refused_even_when_the_close_message_is_lost(
    tmp_path: Path,
) -> None:
    """Rotation closes sockets on other processes through pub/sub; with that message lost
    (Redis paused), the other process still refuses the old link at its next commit or
    facilitation command, and closes it (4001)."""
    import httpx

    from server.services.bus import BusMessage, Kind

    class NoCloses(MemoryBroker):
        async def publish(self, channel: str, data: bytes) -> None:
            if BusMessage.decode(data).kind is not Kind.CLOSE:
                await super().publish(channel, data)

    bus = MemoryBus()
    settings = Settings(data_dir=tmp_path)
    async with (
        serve_in_process(settings, broker=NoCloses(bus)) as one,
        serve_in_process(settings, broker=NoCloses(bus)) as two,
    ):
        board = await one.create_board("Revoke")
        boss_token = token_of(board["links"]["facilitator"])
        kari_token = token_of(board["links"]["participant"])
        boss = await Client.connect(two.url, board["id"], boss_token, name="Kari")
        ola = await Client.connect(two.url, board["id"], kari_token, name="Ola")
        assert (await ola.ops([note("before")]))["type"] == "ack"
        async with httpx.AsyncClient(base_url=one.url) as http:
            for role in ("facilitator", "participant"):
                rotated = await http.post(
                    f"/api/boards/{board['id']}/links/{role}/rotate",
                    headers={"Authorization": f"Bearer {boss_token}"},
                )
                assert rotated.status_code == 200, rotated.text
                if role == "facilitator":
                    boss_token = token_of(rotated.json()["link"])
        reply = await boss.request({"type": "facilitate", "action": "timer_start", "seconds": 60})
        assert reply["type"] == "error" and reply["code"] == "unauthorized"
        assert await boss.wait_closed() == 4001
        refused = await ola.ops([note("after")])
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
        assert await ola.wait_closed() == 4001
        fresh = await Client.connect(one.url, board["id"], boss_token, name="Kari")
        assert "after" not in fresh.objects and "before" in fresh.objects
        assert fresh.welcome["session"]["timer"] is None


async def test_s18_a_seat_that_owned_nothing_leaves_no_row(live_server: LiveServer) -> None:
    """A viewer, or a stranger reconnecting in a loop, must not grow the seats table; a
    seat that edited is kept (its notes and votes are its own)."""
    from sqlalchemy import func, select

    from server.storage.tables import seats

    async def rows() -> int:
        async with live_server.app.state.store.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(seats))).scalar())

    board = await live_server.create_board("Rows")
    for _ in range(5):
        viewer = await Client.connect(
            live_server.url, board["id"], token_of(board["links"]["viewer"]), name="Per"
        )
        await viewer.close()
    editor = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"]), name="Ola"
    )
    assert (await editor.ops([note("n1")]))["type"] == "ack"
    await editor.close()
    watcher = await Client.connect(
        live_server.url, board["id"], token_of(board["links"]["participant"]), name="W"
    )
    assert (await watcher.request({"type": "ping"}))["type"] == "pong"  # leaves are done
    await watcher.close()
    for _ in range(50):
        if await rows() == 1:
            break
        await asyncio.sleep(0.05)
    assert await rows() == 1
