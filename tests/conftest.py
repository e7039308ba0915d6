"""Shared fixtures: a database per test (SQLite file or PostgreSQL schema), and live servers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.config import Settings
from server.files import install_fonts
from tests.support.servers import LiveServer, serve_in_process
from tests.support.services import postgres_schema, redis_prefix


@pytest.fixture(autouse=True, scope="session")
def shipped_fonts() -> None:
    """The renderers draw with the shipped fonts, read by the files adapter as the app does."""
    install_fonts()


@pytest.fixture(params=["sqlite", "postgres"])
async def db_settings(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings on a fresh database: every test that takes this runs on both backends."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path)
        return
    async with postgres_schema() as (url, schema):
        yield Settings(data_dir=tmp_path, database_url=url, database_schema=schema)


@pytest.fixture
async def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
async def live_server(tmp_path: Path) -> AsyncIterator[LiveServer]:
    """The real app over real sockets, on SQLite (the embedded default)."""
    async with serve_in_process(Settings(data_dir=tmp_path, port=0)) as server:
        yield server


@pytest.fixture
async def db_server(db_settings: Settings) -> AsyncIterator[LiveServer]:
    """The real app on each database backend."""
    async with serve_in_process(db_settings) as server:
        yield server


@pytest.fixture
async def redis_env() -> AsyncIterator[tuple[str, str]]:
    async with redis_prefix() as found:
        yield found
