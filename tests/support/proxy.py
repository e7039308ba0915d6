"""Debian's nginx in front of `samskap serve` processes, with TLS on a certificate made here.

The site is the shipped `deploy/nginx/samskap.conf`; only its ports, server name and
certificate paths are swapped, so the test runs the file operators copy. nginx runs as a
non-daemon child with its own prefix, pid file, logs and temp directories under the
test's tmp_path, on free ports, and is stopped (SIGQUIT, then SIGKILL) afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.services import in_ci

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "samskap.conf"
NGINX = os.environ.get("SAMSKAP_NGINX", "/usr/sbin/nginx")
# The public name of the installation in these tests: not loopback, so the Origin check
# is the production one (exact match), and Chromium is told it resolves to 127.0.0.1.
PUBLIC_HOST = "tavle.samskap.test"


def need_nginx() -> str:
    found = NGINX if Path(NGINX).exists() else shutil.which("nginx")
    if not found:
        message = f"nginx not found at {NGINX} (apt-get install nginx-light, or make test)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for PUBLIC_HOST, localhost and 127.0.0.1 (openssl CLI)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={PUBLIC_HOST}",
            "-addext",
            f"subjectAltName=DNS:{PUBLIC_HOST},DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(
    upstreams: list[int], port: int, http_port: int, cert: Path, key: Path, server_name: str
) -> str:
    """The shipped site with this test's ports, name and certificate."""
    text = SITE.read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=0;\n" for p in upstreams)
    text, count = re.subn(r"(    server 127\.0\.0\.1:\d+ [^\n]*\n)+", servers, text)
    assert count == 2, "two upstream blocks expected in deploy/nginx/samskap.conf"
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "/etc/letsencrypt/live/tavle.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/tavle.example.org/privkey.pem": str(key),
        "tavle.example.org;": f"{server_name};",
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} not found in deploy/nginx/samskap.conf"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path, site: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 1024; }}
http {{
    access_log {prefix / "access.log"};
{temp}
    types {{ text/html html; application/javascript js; text/css css; }}
    include {site};
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proxy:
    port: int
    http_port: int
    cert: Path
    prefix: Path
    proc: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The public address: https://tavle.samskap.test:PORT."""
        return f"https://{PUBLIC_HOST}:{self.port}"

    @property
    def local_url(self) -> str:
        """The same server for clients that cannot be told how to resolve the name."""
        return f"https://127.0.0.1:{self.port}"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text() if path.exists() else ""


async def _wait_listening(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            text = log.read_text() if log.exists() else ""
            raise RuntimeError(f"nginx exited ({proc.returncode}): {text[-2000:]}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@contextlib.asynccontextmanager
async def nginx_proxy(
    tmp_path: Path, upstreams: list[int], port: int, server_name: str = PUBLIC_HOST
) -> AsyncIterator[Proxy]:
    """nginx with the shipped site, TLS on `port`, in front of the given app ports."""
    binary = need_nginx()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    cert, key = make_certificate(prefix)
    http_port = free_port()
    site = prefix / "samskap.conf"
    site.write_text(site_config(upstreams, port, http_port, cert, key, server_name))
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site))
    check = subprocess.run(
        [binary, "-t", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [
            binary,
            "-p",
            str(prefix),
            "-e",
            str(prefix / "error.log"),
            "-c",
            str(conf),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await _wait_listening(port, proc, prefix / "error.log")
        yield Proxy(port, http_port, cert, prefix, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # fast shutdown: open sockets are cut
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
