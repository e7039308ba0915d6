"""Issue 13: a cheap message never makes expensive work that stalls other boards.

`samskap serve` in its own process on SQLite and PostgreSQL. A board of about 25 MB
(12.6 MB of notes, the same again in its retained log) is joined and synced from 0
over and over by four viewers in another process, while a participant on another
board sends 40 batches one at a time: every ack's round trip is timed, and the p99
must stay under 100 ms. The figures are printed (`-s` shows them).
"""

from __future__ import annotations

from pathlib import Path

from server.config import Settings
from tests.support.heavy import fill, measure
from tests.support.servers import ServerProcess, free_port

BIG_BATCHES = 28  # x 90 notes x 5,000 characters: 12.6 MB of objects, as much log


def server_env(settings: Settings, data_dir: Path) -> dict[str, str]:
    env = {
        "SAMSKAP_DATA_DIR": str(data_dir),
        "SAMSKAP_LOG_LEVEL": "warning",
        "SAMSKAP_LIMIT_EXPORT_SECONDS": "0",  # no worker pool to start: nothing exports
    }
    if not settings.is_sqlite:
        env["SAMSKAP_DATABASE_URL"] = settings.database_url
        env["SAMSKAP_DATABASE_SCHEMA"] = settings.database_schema or ""
    return env


async def test_four_viewers_syncing_a_25_mb_board_leave_other_boards_acks_fast(
    db_settings: Settings, tmp_path: Path
) -> None:
    server = ServerProcess(server_env(db_settings, tmp_path), free_port())
    await server.start()
    try:
        import httpx

        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            big = (await http.post("/api/boards", json={"title": "Stor"})).json()
            other = (await http.post("/api/boards", json={"title": "Andre"})).json()
        await fill(server.url, big, BIG_BATCHES)
        quiet = await measure(server.url, big, other, viewers=0, batches=40)
        busy = await measure(server.url, big, other, viewers=4, batches=40)
        backend = "sqlite" if db_settings.is_sqlite else "postgresql"
        print(f"\n[{backend}] {quiet.line('no viewers')}")
        print(f"[{backend}] {busy.line('4 viewers joining and syncing the 25 MB board')}")
        assert busy.viewers.get("syncs", 0) >= 4, busy.viewers  # the viewers did read
        assert busy.pct(99) < 100, busy.line("too slow")
    finally:
        server.stop()
