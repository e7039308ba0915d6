"""Real servers for tests: in-process (uvicorn in the test's loop) or as subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from server.app import create_app
from server.cli import uvicorn_options
from server.config import Settings
from server.pubsub.memory import MemoryBroker, MemoryBus
from tests.support.client import Client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: Any = None

    async def create_board(self, title: str = "Test board", **extra: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.url) as http:
            response = await http.post("/api/boards", json={"title": title, **extra})
            response.raise_for_status()
            return response.json()  # type: ignore[no-any-return]

    async def join(self, board: dict[str, Any], role: str, name: str) -> Client:
        """A protocol client on `board` through its `role` link (facilitator, participant…)."""
        return await Client.connect(
            self.url, board["id"], token_of(board["links"][role]), name=name
        )


def token_of(link: str) -> str:
    return link.split("#t=", 1)[1]


@contextlib.asynccontextmanager
async def serve_in_process(settings: Settings, **app_kwargs: Any) -> AsyncIterator[LiveServer]:
    # Bind first and hand the socket over: no window in which another process takes the port.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # always a free port: tests run beside other servers
    port = sock.getsockname()[1]
    settings = settings.with_address("127.0.0.1", port)
    app = create_app(settings, **app_kwargs)
    options = {**uvicorn_options(settings), "log_level": "warning"}
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.01)
    try:
        yield LiveServer(settings.public_url, settings, app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@dataclass
class ServerProcess:
    """`samskap serve` in a subprocess, so a test can SIGKILL it."""

    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None  # stderr appended here instead of a pipe (for chatty log levels)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, attempts: int = 3) -> None:
        """Start and wait for /readyz; a port taken meanwhile by another process is retried."""
        for attempt in range(attempts):
            try:
                await self._start_once()
                return
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                self.port = free_port()

    async def _start_once(self) -> None:
        env = {**os.environ, **self.env}
        log_file = self.log.open("ab") if self.log else None
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=env,
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.DEVNULL,
            stderr=log_file or subprocess.PIPE,
        )
        if log_file is not None:
            log_file.close()  # the child has its own copy
        async with httpx.AsyncClient() as http:
            for _ in range(300):
                if self.proc.poll() is not None:
                    if self.log:
                        err = self.log.read_text()
                    else:
                        err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise RuntimeError(f"server exited: {err[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(self.url + "/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.asynccontextmanager
async def two_processes(settings: Settings) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two app instances on one database, linked by an in-memory bus (two "processes")."""
    bus = MemoryBus()
    async with (
        serve_in_process(settings, broker=MemoryBroker(bus)) as one,
        serve_in_process(settings, broker=MemoryBroker(bus)) as two,
    ):
        yield one, two
