"""The production topology without Docker: nginx (TLS) → two `samskap serve` processes →
PostgreSQL + Redis, each test on its own schema, key prefix, ports and nginx prefix."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _need_chromium
from tests.support.proxy import PUBLIC_HOST, Proxy, free_port, need_nginx, nginx_proxy
from tests.support.servers import ServerProcess
from tests.support.services import postgres_schema, redis_prefix


@dataclass
class Deployment:
    proxy: Proxy
    servers: list[ServerProcess]
    env: dict[str, str]
    schema: str
    database_url: str
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def http(self, local_address: str | None = None, **options: Any) -> httpx.AsyncClient:
        """A client of the proxy over TLS (the test's certificate), optionally from another
        loopback address so the proxy sees a different client."""
        transport = httpx.AsyncHTTPTransport(
            verify=self.proxy.ssl_context(), local_address=local_address
        )
        client = httpx.AsyncClient(
            base_url=self.proxy.local_url, transport=transport, timeout=30, **options
        )
        self._clients.append(client)
        return client

    async def create_board(self, title: str = "Board", **extra: Any) -> dict[str, Any]:
        async with self.http() as http:
            response = await http.post("/api/boards", json={"title": title, **extra})
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]


def app_env(
    tmp_path: Path, public_url: str, pg: tuple[str, str], redis: tuple[str, str]
) -> dict[str, str]:
    return {
        "SAMSKAP_DATA_DIR": str(tmp_path),
        "SAMSKAP_DATABASE_URL": pg[0],
        "SAMSKAP_DATABASE_SCHEMA": pg[1],
        "SAMSKAP_REDIS_URL": redis[0],
        "SAMSKAP_REDIS_PREFIX": redis[1],
        "SAMSKAP_PUBLIC_URL": public_url,
        "SAMSKAP_TRUSTED_PROXIES": "127.0.0.1",
        "SAMSKAP_LIMIT_BOARDS_PER_MINUTE": "3",
        "SAMSKAP_LIMIT_BATCHES_PER_SEC": "1000",
        "SAMSKAP_LIMIT_BATCH_BURST": "1000",
        "SAMSKAP_LOG_LEVEL": "info",
    }


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    need_nginx()
    async with postgres_schema() as pg, redis_prefix() as redis:
        port = free_port()
        public = f"https://tavle.samskap.test:{port}"
        env = app_env(tmp_path, public, pg, redis)
        servers = [ServerProcess(env, free_port(), log=tmp_path / f"app{i}.log") for i in range(2)]
        try:
            # Both at once, as after a reboot: migrations take turns on a database lock.
            await asyncio.gather(*(server.start() for server in servers))
            async with nginx_proxy(tmp_path, [s.port for s in servers], port) as proxy:
                deployment = Deployment(proxy, servers, env, pg[1], pg[0])
                try:
                    yield deployment
                finally:
                    for client in deployment._clients:
                        with contextlib.suppress(Exception):
                            await client.aclose()
        finally:
            for server in servers:
                server.stop()


@pytest.fixture
async def tls_browser() -> AsyncIterator[Any]:
    """Chromium that resolves the test's public name to 127.0.0.1 (certificate errors
    are accepted per context with ignore_https_errors: the certificate is self-made)."""
    _need_chromium()
    from playwright.async_api import async_playwright

    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {PUBLIC_HOST} 127.0.0.1"]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield browser
        finally:
            await browser.close()
