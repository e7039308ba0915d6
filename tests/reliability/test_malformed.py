"""S1: 10,000 malformed frames. The server stays up, `/healthz` answers throughout, every
frame gets an error (or, for an update/delete of another board's objects, an ack with
`applied: false`), or a documented close code, and the database is byte-for-byte unchanged.
"""

from __future__ import annotations

import random
import sqlite3
import string
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.frames import Frame, Opcode

from server.config import Limits, Settings
from server.domain.errors import ErrorCode
from tests.support.client import Client
from tests.support.servers import serve_in_process, token_of

FRAMES = 10_000
CHUNK = 100
CLOSING = {1007, 1009}  # invalid UTF-8, over 512 KiB (docs/protocol.md, close codes)
CODES = {code.value for code in ErrorCode}
NUMBERS = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")
WRONG = (
    '"12"',
    "true",
    "null",
    "[]",
    "{}",
    '{"$gt": 0}',
    "-0.0e",
    '"\\u0000"',
)


# Rows that are not board content: ids of batches that changed nothing, seats, and the
# activity log's joins and leaves (written as people come and go, not by their edits).
BOOKKEEPING = ('INSERT INTO "batch_ids"', 'INSERT INTO "seats"', 'INSERT INTO "activity"')


def dump(db: Path) -> str:
    """Every table's rows, in a stable order, less the ids of batches that changed nothing.

    A batch whose ops were all skipped has its id remembered (rule S17: a resend of it is
    never applied later), a socket has a seat (S18), and joins and leaves go to the
    activity log (A1); those rows are bookkeeping, not board content (batch ids are
    checked apart: `unapplied_ids`).
    """
    conn = sqlite3.connect(db)
    try:
        return "\n".join(line for line in conn.iterdump() if not line.startswith(BOOKKEEPING))
    finally:
        conn.close()


def unapplied_ids(db: Path) -> tuple[int, int]:
    """(batch ids remembered as not applied, as applied)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT applied, count(*) FROM batch_ids GROUP BY applied").fetchall()
    finally:
        conn.close()
    counts = dict(rows)
    return counts.get(0, 0), counts.get(1, 0)


def valid_ops(rng: random.Random) -> dict[str, Any]:
    obj = {"id": f"x{rng.randrange(99)}", "kind": "note", "x": 1, "y": 2, "text": "hei"}
    return {
        "type": "ops",
        "batch": f"b{rng.randrange(10**6)}",
        "ops": [{"op": "create", "object": obj}],
    }


def malformed(rng: random.Random, foreign: list[str]) -> str | bytes:
    """One frame that must be refused (never a valid change to this board)."""
    kind = rng.randrange(14)
    base = orjson.dumps(valid_ops(rng)).decode()
    if kind == 0:  # broken JSON: a strict prefix of an object
        return base[: rng.randrange(1, len(base))]
    if kind == 1:  # garbage text (no '{', so never an object)
        alphabet = string.printable.replace("{", "") + "æøå\u2028\u0000"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))
    if kind == 2:  # envelope fields of the wrong type
        field = rng.choice(("type", "batch", "ops"))
        value = rng.choice([w for w in WRONG if w != '"12"'])  # "12" is a fine batch id
        return base.replace(f'"{field}":', f'"{field}":{value},"_old":', 1)
    if kind == 3:  # an object field of the wrong type
        field = rng.choice(('"x":1', '"y":2', '"text":"hei"', '"kind":"note"', '"id":"x'))
        value = rng.choice(WRONG)
        if field == '"text":"hei"' and value == '"12"':
            value = "12"  # "12" would be a fine text
        if field == '"id":"x':
            return base.replace('"id":"x', f'"id":{value},"_":"x', 1)
        return base.replace(field, f"{field.split(':')[0]}:{value}", 1)
    if kind == 4:  # NaN, Infinity, numbers that overflow a double
        return base.replace('"x":1', f'"x":{rng.choice(NUMBERS)}', 1)
    if kind == 5:  # deep nesting
        depth = rng.choice((600, 2_000, 20_000, 80_000))
        open_, close = rng.choice((("[", "]"), ('{"a":', "}")))
        return '{"type":"ops","batch":"deep","ops":' + open_ * depth + "1" + close * depth + "}"
    if kind == 6:  # huge strings
        size = rng.choice((5_001, 70_000, 250_000))
        where = rng.choice(("text", "batch", "id", "type"))
        if where == "text":
            return base.replace('"text":"hei"', f'"text":"{"ø" * size}"', 1)
        return base.replace(f'"{where}":"', f'"{where}":"{"A" * size}', 1)
    if kind == 7:  # lone surrogates and control characters in text
        bad = rng.choice(("\\ud800", "\\udfff", "\\u0001", "\\u001b[31m", "\\u007f\\u0008"))
        return base.replace('"text":"hei"', f'"text":"he{bad}i"', 1)
    if kind == 8:  # another board's objects: skipped, nothing changes (S4)
        target = rng.choice(foreign)
        op = rng.choice(
            ({"op": "delete", "id": target}, {"op": "update", "id": target, "set": {"x": 5}})
        )
        return orjson.dumps(
            {"type": "ops", "batch": f"f{rng.randrange(10**6)}", "ops": [op]}
        ).decode()
    if kind == 9:  # unknown or misplaced message types, refused roles
        return rng.choice(
            (
                '{"type":"dance"}',
                '{"type":"join","token":"again"}',
                '{"type":"facilitate","action":"timer_start","seconds":60}',
                '{"type":"vote","id":"x1"}',
                '{"type":"presence","cursor":{"x":"left"}}',
                '{"type":"presence","selection":"all"}',
                '{"type":"ops","batch":"b1","ops":[]}',
                '{"type":"ops","batch":"b1","ops":[{"op":"explode","id":"x"}]}',
            )
        )
    if kind == 10:  # too many ops
        ops = [{"op": "delete", "id": "nobody"}] * 2_001
        return orjson.dumps({"type": "ops", "batch": "many", "ops": ops}).decode()
    if kind == 11:  # a binary frame of random bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    if kind == 12:  # closed schema: unknown fields inside objects and ops
        return base.replace('"x":1', '"x":1,"onclick":"alert(1)"', 1)
    # Out-of-range values of the right type.
    field, value = rng.choice(
        (('"x":1', '"x":1e12'), ('"y":2', '"y":-1e308'), ('"kind":"note"', '"kind":"script"'))
    )
    return base.replace(field, value, 1)


async def test_s1_ten_thousand_malformed_frames(tmp_path: Path) -> None:
    seed = 1
    rng = random.Random(seed)
    limits = replace(
        Limits(), batches_per_sec=1e9, batch_burst=10**9, presence_per_sec=1e9, presence_burst=10**9
    )
    settings = Settings(data_dir=tmp_path, limits=limits)
    async with serve_in_process(settings) as server, httpx.AsyncClient() as http:
        board = await server.create_board("S1")
        other = await server.create_board("Other board")
        token = token_of(board["links"]["participant"])
        other_token = token_of(other["links"]["participant"])
        owner = await Client.connect(server.url, other["id"], other_token)
        foreign = [f"them{i}" for i in range(10)]
        await owner.ops(
            [{"op": "create", "object": {"id": i, "kind": "note", "x": 0, "y": 0}} for i in foreign]
        )
        anchor = await Client.connect(server.url, board["id"], token, name="anchor")
        await anchor.ops(
            [{"op": "create", "object": {"id": "keep", "kind": "note", "x": 0, "y": 0}}]
        )
        db = tmp_path / "samskap.db"
        before = dump(db)
        _, applied_before = unapplied_ids(db)

        client = await Client.connect(server.url, board["id"], token)
        answered = {"error": 0, "ack": 0, "closed": 0}
        sent = chunks = 0
        try:
            while sent < FRAMES:
                if chunks % 10 == 0:
                    health = await http.get(server.url + "/healthz", timeout=2)
                    assert health.status_code == 200, health.text
                chunks += 1
                if chunks % 8 == 0:
                    # Frames that close the socket: invalid UTF-8 or over 512 KiB.
                    bad_utf8 = rng.random() < 0.7
                    if bad_utf8:
                        client.ws.protocol.send_frame(
                            Frame(Opcode.TEXT, b'{"type":"ping","x":"\xff\xfe"}')
                        )
                        client.ws.send_data()
                    else:
                        await client.send_raw('{"type":"ping","pad":"' + "x" * (512 * 1024) + '"}')
                    code = await client.wait_closed()
                    what = "invalid UTF-8" if bad_utf8 else "an oversized frame"
                    assert code in CLOSING, f"seed {seed}, frame {sent}, {what}: closed with {code}"
                    answered["closed"] += 1
                    sent += 1
                    client = await Client.connect(server.url, board["id"], token)
                    continue
                chunk = [malformed(rng, foreign) for _ in range(min(CHUNK, FRAMES - sent))]
                for frame in chunk:
                    await client.send_raw(frame)
                for frame in chunk:
                    reply = await client.next_of(("error", "ack", "_closed"), timeout=10)
                    text = frame if isinstance(frame, str) else repr(frame)
                    assert reply["type"] != "_closed", f"seed {seed}: closed after {text[:200]!r}"
                    if reply["type"] == "ack":
                        assert reply["applied"] is False, f"seed {seed}: {text[:200]!r} applied"
                    else:
                        assert reply["code"] in CODES and reply["message"], reply
                    answered[reply["type"]] += 1
                sent += len(chunk)
            health = await http.get(server.url + "/healthz", timeout=2)
            assert health.status_code == 200
            # The socket still works, and nothing reached the database.
            assert (await client.ops([{"op": "delete", "id": "nobody"}]))["applied"] is False
            assert dump(db) == before
            unapplied, applied = unapplied_ids(db)
            assert applied == applied_before and unapplied == answered["ack"] + 1  # + "nobody"
            assert anchor.seq == 1 and not [m for m in anchor.seen if m["type"] == "ops"]
        finally:
            await client.close()
        assert sum(answered.values()) == FRAMES and answered["closed"] >= 5


async def test_s1_unhashable_kind_gets_invalid_op(tmp_path: Path) -> None:
    async with serve_in_process(Settings(data_dir=tmp_path)) as server:
        board = await server.create_board("S1")
        token = token_of(board["links"]["participant"])
        client = await Client.connect(server.url, board["id"], token)
        for kind in ("[]", "{}"):
            obj = f'{{"id":"x1","kind":{kind},"x":1,"y":2}}'
            await client.send_raw(
                f'{{"type":"ops","batch":"b1","ops":[{{"op":"create","object":{obj}}}]}}'
            )
            reply = await client.next_of(("error", "_closed"))
            assert reply["type"] == "error" and reply["code"] == "invalid_op", (
                f"kind {kind}: {reply}, close code {client.close_code}"
            )
        await client.close()
