"""Issue 13: one board can never hurt another (settings schema and fault containment).

Over the real server on SQLite and PostgreSQL. Settings have a schema: PATCH and a
backup import check the editable keys and never write the server-owned ones. A board
poisoned through every door there is (a PATCH, an import, a damaged stored row) has its
own batches refused at worst, while another board's 30 batches are all acknowledged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, update

from server.config import Settings
from server.domain.facilitation import BadSession, Rules, rules_of
from server.services.ports import BoardGone, CommitStatus
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore
from server.storage.tables import batches, boards, objects
from tests.exports.helpers import board_count
from tests.server.test_group_commit import batch, commit_group, create, xs
from tests.server.test_sync_rules import note
from tests.support.client import Client, new_id
from tests.support.servers import LiveServer, token_of

POISON = {"session": {"permissions": "x"}}


def auth(board: dict[str, Any], role: str = "facilitator") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(board['links'][role])}"}


async def settings_of(http: httpx.AsyncClient, board: dict[str, Any]) -> dict[str, Any]:
    reply = await http.get(f"/api/boards/{board['id']}", headers=auth(board))
    return reply.json()["settings"]  # type: ignore[no-any-return]


async def write_row(server: LiveServer, statement: Any) -> None:
    """Damage a stored row directly, as a disk error or an old bug would have."""
    settings = server.settings
    engine = create_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with engine.begin() as conn:
            await conn.execute(statement)
    finally:
        await engine.dispose()


def backup(settings: dict[str, Any]) -> bytes:
    doc = {"format": "samskap-board", "version": 1, "title": "Importert"}
    return json.dumps({**doc, "settings": settings, "objects": []}).encode()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (POISON, "settings.session is kept by the server"),
        ({"agenda": []}, "settings.agenda is kept by the server"),
        ({"breakouts": [], "locale": "en"}, "settings.breakouts is kept by the server"),
        ({"parent": "x"}, "settings.parent is kept by the server"),
        ({"seats": {}}, "settings.seats is kept by the server"),
        ({"locale": "xx"}, "settings.locale must be one of nb, nn, en"),
        ({"locale": None}, "settings.locale must be one of nb, nn, en"),
        ({"colour": "red"}, "settings.colour is not a setting"),
        ([], "settings must be an object"),
    ],
)
async def test_patch_checks_settings_and_keeps_server_state(
    db_server: LiveServer, settings: Any, field: str
) -> None:
    board = await db_server.create_board("Økt", template="brainstorming")
    boss = await Client.connect(db_server.url, board["id"], token_of(board["links"]["facilitator"]))
    await boss.send({"type": "facilitate", "action": "timer_start", "seconds": 300})
    await boss.expect("session")
    await boss.send({"type": "facilitate", "action": "voting_open", "votes": 3})
    await boss.expect("session")
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        before = await settings_of(http, board)
        assert before["session"]["timer"]["running"] and before["agenda"]
        reply = await http.patch(
            f"/api/boards/{board['id']}",
            json={"title": "Nytt", "settings": settings},
            headers=auth(board),
        )
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"] == "bad_message"
        assert field in reply.json()["message"]
        got = (await http.get(f"/api/boards/{board['id']}", headers=auth(board))).json()
        assert got["settings"] == before and got["title"] == "Økt"  # nothing changed

        # A good PATCH changes its key alone: the timer, vote and agenda stay.
        ok = await http.patch(
            f"/api/boards/{board['id']}", json={"settings": {"locale": "en"}}, headers=auth(board)
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["settings"] == {**before, "locale": "en"}
    await boss.close()


async def test_import_drops_server_state_and_checks_editable_settings(
    db_server: LiveServer,
) -> None:
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        count = await board_count(db_server)
        bad = await http.post("/api/boards/import", content=backup({"locale": "xx"}))
        assert bad.status_code == 400 and bad.json()["error"] == "bad_message"
        assert "settings.locale must be one of nb, nn, en" in bad.json()["message"]
        assert await board_count(db_server) == count  # nothing half-made

        poisoned = {**POISON, "agenda": "nonsense", "parent": "x", "x": 1, "locale": "en"}
        reply = await http.post("/api/boards/import", content=backup(poisoned))
        assert reply.status_code == 201, reply.text
        created = reply.json()
        assert "agenda, parent, session, x" in " ".join(created["report"]["notes"])
        assert await settings_of(http, created) == {"locale": "en"}


async def test_a_poisoned_board_never_fails_another_boards_batches(
    db_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Every door: a refused PATCH, an import, and two damaged stored rows (settings that
    are not the session's shape, an object that is not JSON). The stranger's batches on
    the damaged boards are refused with `unavailable`; the good board's 30 are acked."""
    good = await db_server.create_board("Godt")
    patched = await db_server.create_board("PATCH")
    damaged_settings = await db_server.create_board("Skadet innstilling")
    damaged_object = await db_server.create_board("Skadet objekt")
    async with httpx.AsyncClient(base_url=db_server.url) as http:
        refused = await http.patch(
            f"/api/boards/{patched['id']}", json={"settings": POISON}, headers=auth(patched)
        )
        assert refused.status_code == 400
        imported = (await http.post("/api/boards/import", content=backup(POISON))).json()

    def join(board: dict[str, Any], name: str) -> Any:
        token = token_of(board["links"]["participant"])
        return Client.connect(db_server.url, board["id"], token, name=name)

    kari = await join(good, "Kari")
    strangers = {
        "patched": await join(patched, "Fremmed"),
        "imported": await join(imported, "Fremmed"),
        "settings": await join(damaged_settings, "Fremmed"),
        "object": await join(damaged_object, "Fremmed"),
    }
    assert (await strangers["object"].ops([note("n1")]))["type"] == "ack"
    # Damaged after joining: the commit is the door under test here.
    await write_row(
        db_server,
        update(boards)
        .where(boards.c.id == damaged_settings["id"])
        .values(settings=json.dumps(POISON)),
    )
    await write_row(
        db_server,
        update(objects)
        .where(objects.c.board_id == damaged_object["id"], objects.c.id == "n1")
        .values(data="{not json"),
    )

    async def stranger_edits(name: str) -> list[dict[str, Any]]:
        client = strangers[name]
        replies = []
        for i in range(10):
            ops = [{"op": "update", "id": "n1", "set": {"x": i}}] if name == "object" else []
            replies.append(await client.ops(ops or [note(new_id("s"))]))
        return replies

    async def kari_edits() -> list[dict[str, Any]]:
        ids = [new_id("b") for _ in range(30)]
        for batch_id in ids:  # all 30 sent at once: they share commit groups
            await kari.send({"type": "ops", "batch": batch_id, "ops": [note(batch_id)]})
            kari._sent[batch_id] = [note(batch_id)]
        return [await kari._reply(batch_id) for batch_id in ids]

    with caplog.at_level(logging.ERROR, logger="samskap.commit"):
        good_replies, *poisoned = await asyncio.gather(
            kari_edits(), *(stranger_edits(name) for name in strangers)
        )
    assert [r["type"] for r in good_replies] == ["ack"] * 30, good_replies
    assert sorted(r["seq"] for r in good_replies) == list(range(1, 31))
    by_name = dict(zip(strangers, poisoned, strict=True))
    # The doors that were closed (PATCH refused, import dropped the session): normal.
    assert all(r["type"] == "ack" for r in by_name["patched"] + by_name["imported"])
    # The damaged rows: that board's batches alone are refused, in words.
    for name in ("settings", "object"):
        assert [r.get("code") for r in by_name[name]] == ["unavailable"] * 10, by_name[name]
        assert "could not be saved" in by_name[name][0]["message"]
    failures = [r for r in caplog.records if r.name == "samskap.commit"]
    logged = {damaged_settings["id"], damaged_object["id"]}
    assert {bid for bid in logged if any(bid in r.getMessage() for r in failures)} == logged
    assert all(_traceback_in(r) for r in failures)
    for client in (kari, *strangers.values()):
        await client.close()


async def test_a_write_that_fails_for_one_board_refuses_that_board_alone(
    db_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The group's shared write fails (board b's log already holds seq 1, a damaged row):
    it is redone board by board in savepoints, so a commits and b alone is refused."""
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    try:
        for board_id in ("a", "b"):
            await store.create_board(board_id, board_id, {}, {"participant": "0" * 64}, [])
        async with engine.begin() as conn:
            row = {"board_id": "b", "seq": 1, "batch_id": "old", "client": "c", "ops": "[]"}
            await conn.execute(insert(batches).values(**row, skipped="[]", created_at=0))
        with caplog.at_level(logging.ERROR, logger="samskap.commit"):
            a, b = await commit_group(
                store,
                [
                    ("a", [batch("a1", create("n1")), batch("a2", create("n2"))]),
                    ("b", [batch("b1", create("n1"))]),
                ],
            )
        assert not isinstance(a, BoardGone) and not isinstance(b, BoardGone)
        assert [(r.status, r.seq) for r in a] == [
            (CommitStatus.APPLIED, 1),
            (CommitStatus.APPLIED, 2),
        ]
        assert [r.status for r in b] == [CommitStatus.REFUSED]
        assert b[0].error is not None and b[0].error.code == "unavailable"
        assert sorted(await xs(store, "a")) == ["n1", "n2"]
        assert await xs(store, "b") == {}  # nothing of b's is kept
        meta = await store.board("b")
        assert meta is not None and meta.seq == 0
        assert any("board b" in r.getMessage() and _traceback_in(r) for r in caplog.records)
    finally:
        await store.close()


def _traceback_in(record: logging.LogRecord) -> bool:
    """Whether the record prints with its traceback. On SQLite the commit runs in the
    writer process, and its records come back with the traceback as text."""
    return "Traceback (most recent call last)" in logging.Formatter().format(record)


@pytest.mark.parametrize(
    ("session", "field"),
    [
        ({"permissions": "x"}, "session.permissions"),
        ({"permissions": {"add": "ja"}}, "session.permissions"),
        ({"locked": 1}, "session.locked"),
        ({"timer": {"duration": 1, "running": True, "ends_at": None, "remaining": None}}, "timer"),
        ({"voting": {"open": True, "votes": "3", "per_note": 1}}, "session.voting"),
        ({"step": "2"}, "session.step"),
        ({"follow": ["c1"]}, "session.follow"),
        ("on", "session: must be an object"),
    ],
)
def test_stored_session_is_parsed_at_the_boundary(session: Any, field: str) -> None:
    with pytest.raises(BadSession, match=field):
        rules_of({"session": session})


def test_a_parsed_session_gives_typed_rules() -> None:
    assert rules_of({}) == Rules()
    stored = {"session": {"locked": True, "private": True, "permissions": {"add": False}}}
    assert rules_of(stored) == Rules(locked=True, private=True, may_add=False, may_move=True)
