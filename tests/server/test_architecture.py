"""The direction of imports: http → services → domain; the domain does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"

FORBIDDEN = {
    "domain": (
        "asyncio",
        "sqlalchemy",
        "starlette",
        "redis",
        "uvicorn",
        "aiosqlite",
        "asyncpg",
        "httpx",
        "socket",
        "server.services",
        "server.http",
        "server.storage",
        "server.pubsub",
        "server.app",
        "server.cli",
        "server.config",
    ),
    "services": (
        "sqlalchemy",
        "starlette",
        "redis",
        "uvicorn",
        "server.http",
        "server.storage",
        "server.pubsub",
        "server.app",
        "server.cli",
    ),
    "storage": ("starlette", "redis", "server.http", "server.pubsub", "server.app"),
    "pubsub": ("starlette", "sqlalchemy", "server.http", "server.storage", "server.app"),
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    package = "server." + ".".join(path.relative_to(SERVER).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_inward(layer: str) -> None:
    offences = []
    for path in sorted((SERVER / layer).rglob("*.py")):
        for name in imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offences.append(f"{path.relative_to(SERVER.parent)} imports {name}")
    assert not offences, "\n".join(offences)
