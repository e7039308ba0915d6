"""The ops log and stored records read back for revert and restore (server/storage/history.py).

A restore asks for nearly every object of a board: above `WHOLE_BOARD_FROM` ids the
records come from one read of the board's rows instead of IN lists (on PostgreSQL the
IN lists were planned badly while the table's statistics lagged, bench/versions.py).
Both ways must give the same records, tombstones included, on both databases.
"""

from __future__ import annotations

import secrets

from server.config import Settings
from server.domain.ops import Delete, Update
from server.services.ports import CommitStatus, PendingBatch
from server.storage import history
from server.storage.engine import create_engine, migrate
from server.storage.store import SqlBoardStore


async def test_records_read_whole_or_by_id_give_the_same(db_settings: Settings) -> None:
    engine = create_engine(db_settings.database_url, schema=db_settings.database_schema)
    await migrate(engine)
    store = SqlBoardStore(engine)
    try:
        count = history.WHOLE_BOARD_FROM + 200
        notes = [{"id": f"n{i}", "kind": "note", "x": i, "y": 0} for i in range(count)]
        other = secrets.token_urlsafe(12)  # a board whose rows must not leak in
        await store.create_board(other, "Other", {}, {"participant": "y"}, notes[:50])
        board = secrets.token_urlsafe(12)
        await store.create_board(board, "Many", {}, {"participant": "x"}, notes)
        ops = [Delete(f"n{i}") for i in range(100)] + [Update("n500", {"x": -1})]
        batch = PendingBatch("b-1", "c-1", "Kari", list(ops), "facilitator")
        (result,) = await store.commit(board, [batch])
        assert result.status is CommitStatus.APPLIED
        everything = {f"n{i}" for i in range(count)} | {"missing"}
        whole = await history.records(engine, board, everything)
        assert len(whole) == count and "missing" not in whole
        few = {"n0", "n1", "n500", "n1100", "missing"}
        by_id = await history.records(engine, board, few)
        assert by_id == {k: whole[k] for k in few - {"missing"}}
        assert whole["n1100"].data["x"] == 1100 and whole["n500"].data["x"] == -1
        assert whole["n5"].deleted and not whole["n500"].deleted  # tombstones too
    finally:
        await store.close()
