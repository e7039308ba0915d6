"""Things a chaos test can break on purpose: its own redis-server, and a TCP proxy
in front of PostgreSQL that can be cut and restored."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from redis.asyncio import Redis

from tests.support.servers import free_port


class RedisServer:
    """A private redis-server on a free 127.0.0.1 port, stopped and started at will."""

    def __init__(self, workdir: Path, *, password: str = "", tls: bool = False) -> None:
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.workdir = workdir
        self.password = password
        # A socket path must stay under ~100 bytes: not in pytest's long tmp_path.
        self.socket = Path(tempfile.gettempdir()) / f"samskap-redis-{self.port}.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def tls_url(self) -> str:
        """TLS with a certificate for 127.0.0.1 from a CA of this server's own (`ca.pem`
        in the work folder), which the URL names."""
        return f"rediss://127.0.0.1:{self.tls_port}/0?ssl_ca_certs={self.workdir / 'ca.pem'}"

    @property
    def unix_url(self) -> str:
        """The same server over its Unix socket (see `start`)."""
        auth = f":{self.password}@" if self.password else ""
        return f"unix://{auth}{self.socket}"

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def _tls_args(self) -> tuple[str, ...]:
        """A CA and a server certificate for 127.0.0.1, made with openssl, once."""
        if not self.tls_port:
            return ()
        d = self.workdir
        if not (d / "server.pem").exists():
            ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
            (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
            for args in (
                ("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
                 "-subj", "/CN=samskap-test-ca"),
                ("req", *ec, "-keyout", "server.key", "-out", "server.csr",
                 "-subj", "/CN=127.0.0.1"),
                ("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext"),
            ):  # fmt: skip
                subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)
        return (
            "--tls-port", str(self.tls_port),
            "--tls-cert-file", str(d / "server.pem"),
            "--tls-key-file", str(d / "server.key"),
            "--tls-ca-cert-file", str(d / "ca.pem"),
            "--tls-auth-clients", "no",
        )  # fmt: skip

    async def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--unixsocket",
                str(self.socket),
                *(("--requirepass", self.password) if self.password else ()),
                *self._tls_args(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            for _ in range(200):
                with contextlib.suppress(Exception):
                    if await client.ping():
                        return
                await asyncio.sleep(0.025)
        finally:
            await client.aclose()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class TcpProxy:
    """Forwards 127.0.0.1:port to a target; `cut()` drops every connection and refuses new
    ones (the database is gone), `restore()` listens again on the same port. `freeze()`
    holds every byte without closing anything (a network path that went silent, as a
    NAT or firewall that forgot the connection), `thaw()` lets them through again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    await self._flowing.wait()
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()
