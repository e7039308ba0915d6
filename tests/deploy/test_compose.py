"""docker-compose.yml as `docker-compose config` (Debian's, no engine needed) reads it.

There is no Docker engine on the machines that run the suite; the same topology runs
without Docker in test_nginx.py / test_restart.py. This checks what can be checked
without one: the file parses, secrets come only from .env, only the proxy is published,
the apps trust exactly the proxy, data sits in named volumes, and the image installs
the locked runtime packages.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.services import in_ci

ROOT = Path(__file__).resolve().parents[2]
SECRET = "pw-from-dotenv-8f1c"


def _compose(
    folder: Path, env_text: str | None, *overrides: str
) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "docker-compose not found (apt-get install docker-compose, or make test)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    (folder / "deploy").mkdir(exist_ok=True)
    shutil.copy(ROOT / "deploy" / "Caddyfile", folder / "deploy" / "Caddyfile")
    if env_text is not None:
        (folder / ".env").write_text(env_text)
    files = ["-f", str(folder / "docker-compose.yml")]
    for override in overrides:
        (folder / override).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / override, folder / override)
        files += ["-f", str(folder / override)]
    return subprocess.run(
        [binary, "--project-directory", str(folder), *files, "config"],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # nothing from the test's environment leaks in
    )


def _config(folder: Path, *overrides: str, **values: str) -> dict[str, Any]:
    example = (ROOT / ".env.example").read_text()
    lines = []
    for line in example.splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values.pop(name)}" if name in values else line)
    lines += [f"{name}={value}" for name, value in values.items()]
    result = _compose(folder, "\n".join(lines) + "\n", *overrides)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)  # type: ignore[no-any-return]


def test_compose_needs_the_password_from_dotenv(tmp_path: Path) -> None:
    result = _compose(tmp_path, None)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr
    # The example leaves it empty: copying it unchanged is refused the same way.
    result = _compose(tmp_path, (ROOT / ".env.example").read_text())
    assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_compose_topology(tmp_path: Path) -> None:
    config = _config(tmp_path, POSTGRES_PASSWORD=SECRET)
    services = config["services"]
    assert set(services) == {"proxy", "app1", "app2", "postgres", "redis", "backup"}
    published = {name for name, s in services.items() if s.get("ports")}
    assert published == {"proxy"}
    proxy_ip = services["proxy"]["networks"]["samskap"]["ipv4_address"]
    upstreams = services["proxy"]["environment"]["SAMSKAP_UPSTREAMS"].split()
    assert upstreams == ["app1:8000", "app2:8000"]
    assert services["proxy"]["environment"]["SAMSKAP_DOMAIN"] == "http://localhost"
    for name in ("app1", "app2", "backup"):
        env = services[name]["environment"]
        assert env["SAMSKAP_DATABASE_URL"] == (
            f"postgresql+asyncpg://samskap:{SECRET}@postgres:5432/samskap"
        )
        assert env["SAMSKAP_TRUSTED_PROXIES"] == proxy_ip
        assert env["SAMSKAP_REDIS_URL"].startswith("redis://redis:")
    for name in ("app1", "app2"):
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}
        assert services[name]["stop_grace_period"] in ("15s", 15)
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == SECRET
    assert "samskap backup /backups/" in " ".join(services["backup"]["command"])
    # Data in named volumes; the one bind mount is the shipped Caddyfile, read-only.
    assert set(config["volumes"]) == {"pgdata", "caddy-data", "caddy-config", "backups"}
    binds = [
        v
        for s in services.values()
        for v in s.get("volumes", [])
        if (v["source"] if isinstance(v, dict) else v.split(":")[0]).startswith("/")
    ]
    assert len(binds) == 1 and "Caddyfile" in str(binds[0])
    # The password is nowhere in the repository's files.
    for path in (ROOT / "docker-compose.yml", ROOT / ".env.example", ROOT / "deploy" / "Caddyfile"):
        assert SECRET not in path.read_text()


def test_compose_with_a_domain(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        POSTGRES_PASSWORD=SECRET,
        SAMSKAP_DOMAIN="tavle.example.org",
        SAMSKAP_PUBLIC_URL="https://tavle.example.org",
    )
    services = config["services"]
    assert services["proxy"]["environment"]["SAMSKAP_DOMAIN"] == "tavle.example.org"
    assert services["app1"]["environment"]["SAMSKAP_PUBLIC_URL"] == "https://tavle.example.org"


def test_traefik_override(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "deploy/traefik/docker-compose.traefik.yml",
        POSTGRES_PASSWORD=SECRET,
        SAMSKAP_DOMAIN="tavle.example.org",
        SAMSKAP_PUBLIC_URL="https://tavle.example.org",
        SAMSKAP_ACME_EMAIL="it@example.org",
    )
    services = config["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("traefik:")
    assert "--entrypoints.websecure.transport.respondingTimeouts.readTimeout=0" in proxy["command"]
    # The apps trust the proxy by the same fixed address, and carry the router labels.
    assert (
        proxy["networks"]["samskap"]["ipv4_address"]
        == (services["app1"]["environment"]["SAMSKAP_TRUSTED_PROXIES"])
    )
    for name in ("app1", "app2"):
        labels = services[name]["labels"]
        assert labels["traefik.http.routers.samskap.rule"] == "Host(`tavle.example.org`)"
        assert labels["traefik.http.services.samskap.loadbalancer.server.port"] == "8000"
        assert not any("sticky" in key for key in labels)


def test_image_installs_the_locked_runtime_packages() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY requirements-runtime.lock" in dockerfile
    assert "pip install --no-cache-dir --require-hashes -r requirements-runtime.lock" in dockerfile
    assert "--no-deps" in dockerfile
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$SAMSKAP_DOMAIN:http://localhost}" in caddyfile
    assert "lb_policy round_robin" in caddyfile
    assert "reverse_proxy /ws/boards/* " in caddyfile and "lb_policy uri_hash" in caddyfile
