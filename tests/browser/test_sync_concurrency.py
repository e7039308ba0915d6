"""S2/S17/S18 in Chromium: two pages and ten protocol clients edit the same 20 notes at
full speed for 20 s; one page goes offline for 5 s in the middle and keeps editing, the
other's tab is reloaded once with edits still unsent. Afterwards both pages, every
client and the database hold the same board: nothing doubled, nothing missing."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from tests.browser.helpers import Person, open_board
from tests.support.client import Client, new_id
from tests.support.servers import token_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DURATION = 20.0
NOTES = [f"s{i}" for i in range(20)]

# The page edits through its own connection (web/js/protocol.js → sync/engine.js), as
# the tools do: moves, text, new notes and deletes of its own new notes, every 40 ms.
EDIT_LOOP = """([prefix, ids]) => {
  const s = window.samskap;
  let n = 0;
  const mine = [];
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  window.__editing = setInterval(() => {
    const roll = Math.random();
    n += 1;
    if (roll < 0.15) {
      const id = `${prefix}${n}`;
      mine.push(id);
      s.conn.send([{ op: "create", object: { id, kind: "note", x: n, y: 300, text: id } }]);
    } else if (roll < 0.2 && mine.length) {
      s.conn.send([{ op: "delete", id: mine.shift() }]);
    } else if (roll < 0.6) {
      s.conn.send([{ op: "update", id: pick(ids), set: { x: Math.round(Math.random() * 900), y: n } }]);
    } else {
      s.conn.send([{ op: "update", id: pick(ids), set: { text: `${prefix} ${n}` } }]);
    }
  }, 40);
}"""


async def start_editing(person: Person, prefix: str) -> None:
    await person.page.evaluate(EDIT_LOOP, [prefix, NOTES])


async def stop_editing(person: Person) -> None:
    await person.page.evaluate("() => clearInterval(window.__editing)")


async def protocol_editor(client: Client, index: int, stop: asyncio.Event) -> int:
    rng = random.Random(index)
    made: list[str] = []
    count = 0
    while not stop.is_set():
        count += 1
        roll = rng.random()
        if roll < 0.15:
            note_id = new_id(f"k{index}-")
            made.append(note_id)
            op: dict[str, Any] = {
                "op": "create",
                "object": {"id": note_id, "kind": "note", "x": count, "y": 600},
            }
        elif roll < 0.2 and made:
            op = {"op": "delete", "id": made.pop(0)}
        elif roll < 0.6:
            op = {"op": "update", "id": rng.choice(NOTES), "set": {"x": rng.randint(0, 900)}}
        else:
            op = {"op": "update", "id": rng.choice(NOTES), "set": {"text": f"c{index} {count}"}}
        reply = await client.ops([op])
        assert reply["type"] == "ack", reply
    return count


async def board_of(person: Person) -> dict[str, dict[str, Any]]:
    objects = await person.page.evaluate("[...window.samskap.store.confirmed.values()]")
    return {o["id"]: o for o in objects}


async def test_s2_s17_two_pages_and_ten_clients_converge_through_offline_and_reload(
    browser: Any, live_server: Any
) -> None:
    board = await live_server.create_board("Samtidig")
    token = token_of(board["links"]["participant"])
    seed = await Client.connect(live_server.url, board["id"], token, name="Oppsett")
    notes = [{"op": "create", "object": {"id": i, "kind": "note", "x": 0, "y": 0}} for i in NOTES]
    assert (await seed.ops(notes))["type"] == "ack"
    kari = await open_board(browser, board["links"]["participant"], "Kari")
    ola = await open_board(browser, board["links"]["participant"], "Ola")
    clients = [
        await Client.connect(live_server.url, board["id"], token, name=f"K{i}") for i in range(10)
    ]
    stop = asyncio.Event()
    editors = [asyncio.create_task(protocol_editor(c, i, stop)) for i, c in enumerate(clients)]
    await start_editing(kari, "kari")
    await start_editing(ola, "ola")
    loop = asyncio.get_running_loop()
    started = loop.time()

    await asyncio.sleep(6)
    await ola.context.set_offline(True)  # Ola keeps editing while offline
    await asyncio.sleep(5)
    await ola.context.set_offline(False)
    await asyncio.sleep(2)
    # Kari's tab reloads with edits in flight; her queue and seat come back from the tab.
    seat = await kari.page.evaluate("() => window.samskap.conn.clientId")
    await kari.page.reload()
    await kari.page.wait_for_function(
        "() => window.samskap && window.samskap.conn.state === 'online'", timeout=10000
    )
    assert await kari.page.evaluate("() => window.samskap.conn.clientId") == seat
    await start_editing(kari, "kari2-")
    await asyncio.sleep(max(0.0, DURATION - (loop.time() - started)))

    stop.set()
    await stop_editing(kari)
    await stop_editing(ola)
    counts = await asyncio.gather(*editors)
    assert sum(counts) > 200, counts  # they really edited at speed
    await kari.settled(timeout=30000)
    await ola.settled(timeout=30000)

    truth_client = await Client.connect(live_server.url, board["id"], token, name="Sannhet")
    truth = truth_client.objects
    seq = truth_client.welcome["seq"]
    for person in (kari, ola):
        await person.page.wait_for_function(
            "(seq) => window.samskap.store.seq === seq", arg=seq, timeout=15000
        )
        assert await board_of(person) == truth
        assert not person.errors, person.errors
    for client in [seed, *clients]:
        await client.wait_seq(seq, timeout=15)
        assert client.objects == truth
    # Both pages' own notes are there once each, and their deletes took.
    assert any(i.startswith("ola") for i in truth) and any(i.startswith("kari") for i in truth)
    assert len(truth) == len({o["id"] for o in truth.values()})
