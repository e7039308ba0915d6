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


# --- the domain does no file I/O: files come in as bytes through server/files.py ------

# Modules whose only use is reaching the file system.
FS_MODULES = ("pathlib", "os", "shutil", "glob", "tempfile", "importlib.resources", "pkgutil")
# Calls that read, write or list files, by name, on any receiver (Path, os, hb.Blob...).
FS_CALLS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "iterdir",
        "glob",
        "rglob",
        "listdir",
        "scandir",
        "walk",
        "exists",
        "is_file",
        "is_dir",
        "stat",
        "from_file_path",
        "files",
        "get_data",
        "load_font",
    }
)


def file_access(source: str) -> list[str]:
    """What in `source` touches the file system: `open(...)` (PIL's `Image.open` of
    bytes is the one `.open` allowed), file-system modules, file-reading calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        else:
            names = []
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in FS_MODULES):
                found.append(f"line {node.lineno}: imports {name}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"line {node.lineno}: open(...)")
        elif isinstance(func, ast.Attribute):
            receiver = func.value.id if isinstance(func.value, ast.Name) else None
            if func.attr == "open" and receiver != "Image":
                found.append(f"line {node.lineno}: .open(...)")
            elif func.attr in FS_CALLS:
                found.append(f"line {node.lineno}: .{func.attr}(...)")
    return found


def test_domain_does_no_file_io() -> None:
    offences = []
    for path in sorted((SERVER / "domain").rglob("*.py")):
        for what in file_access(path.read_text(encoding="utf-8")):
            offences.append(f"{path.relative_to(SERVER.parent)} {what}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize(
    "source",
    [
        "with open(path, 'rb') as f: pass",
        "from pathlib import Path",
        "import os",
        "data = FONT_DIR.joinpath('x').read_bytes()",
        "text = Path('x').read_text()",
        "import importlib.resources",
        "from importlib.resources import files",
        "names = os.listdir('.')",
        "blob = hb.Blob.from_file_path('font.ttf')",
        "handle = Path('x').open()",
    ],
)
def test_file_access_check_catches(source: str) -> None:
    """The check above is not vacuous: each of these is caught."""
    assert file_access(source)


def test_file_access_check_allows_bytes() -> None:
    assert not file_access("with Image.open(io.BytesIO(data)) as img: pass")
    assert not file_access("face = hb.Face(hb.Blob(data))")
