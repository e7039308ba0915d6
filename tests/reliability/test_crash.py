"""R3: SIGKILL the server while clients edit; nothing acknowledged is lost or doubled.

Small size here (5 clients x 60 batches, 2 kills) on SQLite and on PostgreSQL; the full
size (20 x 500, 5 kills) is `tests/soak/crash_nightly.py`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash import crash_run
from tests.support.services import postgres_schema


@pytest.mark.slow
async def test_r3_sigkill_loses_nothing_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    env = {"SAMSKAP_DATA_DIR": str(tmp_path), "SAMSKAP_DATABASE_URL": url}
    figures = await crash_run(env, (url, None), clients=5, batches=60, kills=2)
    assert figures.missing == 0 and figures.duplicated == 0
    assert figures.final_seq == 5 * 60


@pytest.mark.slow
@pytest.mark.postgres
async def test_r3_sigkill_loses_nothing_on_postgres(tmp_path: Path) -> None:
    async with postgres_schema() as (url, schema):
        env = {
            "SAMSKAP_DATA_DIR": str(tmp_path),
            "SAMSKAP_DATABASE_URL": url,
            "SAMSKAP_DATABASE_SCHEMA": schema,
        }
        figures = await crash_run(env, (url, schema), clients=5, batches=60, kills=2)
        assert figures.missing == 0 and figures.duplicated == 0
        assert figures.final_seq == 5 * 60
